"""A generated site for load tests and the distributed benchmark: N article pages, served on loopback.

    with LoadSite(2000) as site:          # tuyengiao.vn's markup: crawl it with `-a base_url=site.base_url`
        site.base_url, site.article_targets()
        site.fetches()                    # request target -> times fetched
        site.edit(ids); site.remove(ids)  # change articles between two passes

The pages are made on the fly (nothing on disk, thousands of pages per second): the home page links the
categories of the tuyengiao spider's start paths, each category lists its articles 20 a page behind a
`.datapager` "next" link, and each article page has the tuyengiao.vn A1 template (headline, `(GMT+7)`
date line, teaser, `#ArticleContent` with a few paragraphs of Party-news text naming a province and a
resolution, an author line). The server records every request (arrival and end time, target), and
the highest number answered at once, so a test can check "never twice" and the politeness limits.

`LoadSite(n, chrome=True)` gives every page the weight and furniture of a real tuyengiao.vn page (about
35 KB: a style sheet and scripts, a menu, "Tin mới" / "Đọc nhiều" / "Tiêu điểm" sidebar boxes of headline
links to other articles, a counter and a footer; 15 paragraphs of text): the crawl benchmark's mirror
(scripts/bench_crawl).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler
from typing import Any

from crawler.mirror import LoopbackServer

CATEGORIES = ("thoi-su-chinh-tri", "hoc-va-lam-theo-bac", "nhip-cau-tuyen-giao",
              "bao-ve-nen-tang-tu-tuong-cua-dang", "van-hoa-xa-hoi", "khoa-giao", "kinh-te")
PER_PAGE = 20
FIRST_ID = 100001
PROVINCES = ("Quảng Ninh", "Thanh Hóa", "Nghệ An", "Cần Thơ", "Đồng Tháp", "Lào Cai", "Hà Giang", "Trà Vinh")
SENTENCES = (
    "Ban Thường vụ Tỉnh ủy {p} tổ chức hội nghị học tập, quán triệt Nghị quyết số {n}-NQ/TW của Bộ Chính trị "
    "cho cán bộ chủ chốt các cấp.",
    "Đồng chí Bí thư Tỉnh ủy {p} nhấn mạnh yêu cầu nâng cao chất lượng công tác tuyên truyền, bảo vệ nền tảng "
    "tư tưởng của Đảng trong tình hình mới.",
    "Các cấp ủy, tổ chức đảng cần xây dựng kế hoạch cụ thể, phân công trách nhiệm rõ ràng, gắn việc học tập "
    "nghị quyết với thực hiện nhiệm vụ chính trị của địa phương, cơ quan, đơn vị.",
    "Báo cáo viên cấp tỉnh đã thông tin nhiều chuyên đề về tình hình kinh tế - xã hội, quốc phòng - an ninh và "
    "công tác xây dựng Đảng, xây dựng hệ thống chính trị trong sạch, vững mạnh.",
)


def article_id(n: int) -> int:
    return FIRST_ID + n


class LoadSite(LoopbackServer):
    """`articles` tuyengiao.vn-like article pages on 127.0.0.1, generated per request."""

    def __init__(self, articles: int, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0,
                 chrome: bool = False, keep_log: bool = True):
        self.articles = articles
        self.delay = delay  # seconds each answer takes (a slower server)
        self.chrome = chrome  # real-page weight: menu, sidebar boxes, scripts, footer (see the module docstring)
        self.keep_log = keep_log  # False: count requests only (a long benchmark crawl)
        self.answered = 0
        self.edited: set[int] = set()  # article numbers whose text changed
        self.removed: set[int] = set()  # article numbers that answer 404
        self.log: list[tuple[float, float, str]] = []  # (arrival, end, target), in the order answered
        self.max_active = 0
        self._active = 0
        self._lock = threading.Lock()
        super().__init__(self._handler(), host, port)
        self.httpd.request_queue_size = 128

    # --- the site ---

    def category_of(self, n: int) -> str:
        return CATEGORIES[n % len(CATEGORIES)]

    def article_target(self, n: int) -> str:
        return f"/{self.category_of(n)}/hoi-nghi-quan-triet-nghi-quyet-bai-so-{n}-{article_id(n)}"

    def article_targets(self) -> list[str]:
        return [self.article_target(n) for n in range(self.articles)]

    def in_category(self, category: str) -> list[int]:
        index = CATEGORIES.index(category)
        return list(range(index, self.articles, len(CATEGORIES)))

    def edit(self, numbers: set[int] | list[int]) -> None:
        self.edited |= set(numbers)

    def remove(self, numbers: set[int] | list[int]) -> None:
        self.removed |= set(numbers)

    def fetches(self, since: int = 0) -> Counter[str]:
        """Request target -> times it was requested (from the `since`-th request on)."""
        with self._lock:
            return Counter(target for _start, _end, target in self.log[since:])

    def page(self, target: str) -> tuple[int, bytes]:
        path, _, query = target.partition("?")
        if path == "/robots.txt":
            return 200, b"User-agent: *\nDisallow: /Admin/\n"
        if path == "/":
            links = "".join(f'<li><a href="/{c}">{c.replace("-", " ").title()}</a></li>' for c in CATEGORIES)
            return 200, self.html("Tạp chí Tuyên giáo", f'<ul class="menu">{links}</ul>', 0)
        name = path.strip("/")
        if name in CATEGORIES:
            page = int(query.split("page=", 1)[1]) if "page=" in query else 1
            return 200, self.listing(name, page)
        tail = path.rsplit("-", 1)[-1]
        if tail.isdigit() and 0 <= int(tail) - FIRST_ID < self.articles:
            n = int(tail) - FIRST_ID
            if path == self.article_target(n) and n not in self.removed:
                return 200, self.article(n)
        return 404, _html("404", "<h1>404 Not Found</h1>")

    def listing(self, category: str, page: int) -> bytes:
        numbers = self.in_category(category)
        chunk = numbers[(page - 1) * PER_PAGE: page * PER_PAGE]
        if not chunk and page > 1:
            return self.html("404", "<h1>404 Not Found</h1>", 0)
        items = "".join(f'<li><h4><a href="{self.article_target(n)}">Hội nghị quán triệt nghị quyết, bài số {n}'
                        f'</a></h4><span class="date">12/03/2024</span></li>' for n in chunk)
        pager = f'<a href="/{category}?page={page - 1}">‹</a>' if page > 1 else ""
        if page * PER_PAGE < len(numbers):
            pager += f'<a href="/{category}?page={page + 1}">›</a>'
        body = (f'<div class="zonebar"><h1><a href="/{category}">{category}</a></h1></div>'
                f'<div class="zoneteaser"><ul>{items}</ul></div><div class="datapager">{pager}</div>')
        return self.html(f"{category} - Trang {page}", body, chunk[0] if chunk else 0)

    def article(self, n: int) -> bytes:
        published = datetime(2024, 1, 1, 7, 30) + timedelta(hours=7 * n)
        province = PROVINCES[n % len(PROVINCES)]
        version = " (bản đã sửa)" if n in self.edited else ""
        paragraphs = "".join(f"<p>{SENTENCES[(n + k) % len(SENTENCES)].format(p=province, n=n % 60 + 1)}"
                             f"{version if k == 0 else ''}</p>" for k in range(15 if self.chrome else 6))
        title = f"Hội nghị quán triệt nghị quyết, bài số {n}{version}"
        body = (f'<div class="zonebar"><h2><a href="/{self.category_of(n)}">Chuyên mục</a></h2></div>'
                f'<div class="storydetail"><div class="story_tools">{published:%d/%m/%Y} '
                f"{published:%H:%M}' (GMT+7)</div>"
                f'<div class="story_head"><span class="story_headline">{title}</span></div>'
                f'<div class="story_teaser">{province}: cán bộ, đảng viên học tập nghị quyết của Đảng.</div>'
                f'<div id="ArticleContent" class="story_body">{paragraphs}'
                f'<p style="text-align:right"><b>Thu Hằng</b></p></div></div>')
        return self.html(title, body, n)

    def html(self, title: str, body: str, near: int) -> bytes:
        """A whole page; with `chrome`, inside the site's furniture (sidebar links to articles near `near`)."""
        return _html(title, _with_chrome(body, near, self) if self.chrome else body,
                     _HEAD_CHROME if self.chrome else "")

    # --- serving ---

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms delayed-ACK stall

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                arrived = time.monotonic()
                with site._lock:
                    site._active += 1
                    site.max_active = max(site.max_active, site._active)
                try:
                    if site.delay:
                        time.sleep(site.delay)
                    status, body = site.page(self.path)
                    self.send_response(status)
                    self.send_header("Content-Type", "text/plain; charset=utf-8" if self.path == "/robots.txt"
                                     else "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                finally:
                    with site._lock:
                        site._active -= 1
                        site.answered += 1
                        if site.keep_log:
                            site.log.append((arrived, time.monotonic(), self.path))

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the crawler logs
                pass

        return Handler


def _html(title: str, body: str, head: str = "") -> bytes:
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>{head}</head>'
            f'<body><div class="wrapper">{body}</div></body></html>').encode()


# The furniture of a real page, in the proportions of tuyengiao.vn's (tests/fixtures/sites/tuyengiao):
# ~4 KB of style, ~2.5 KB of script in the head, one more script at the end of the body.
_STYLE_RULES = "".join(f".box-{k} li a{{color:#0f3b7a;padding:{k % 9}px 0;line-height:{18 + k % 5}px}}"
                       f".zone-{k} h3{{margin:0;font-size:{12 + k % 4}px;background:#b50000}}\n" for k in range(80))
_SCRIPT = "".join(f"function w{k}(e){{var t=document.getElementById('w{k}');if(t){{t.className='on';}}"
                  f"return e&&e.preventDefault&&e.preventDefault();}}\n" for k in range(50))
_HEAD_CHROME = f'<style type="text/css">{_STYLE_RULES}</style><script type="text/javascript">{_SCRIPT}</script>'
SIDEBAR_LINKS = 10  # links per sidebar box, as on the real pages


def _with_chrome(body: str, near: int, site: LoadSite) -> str:
    menu = "".join(f'<li><a href="/{c}">{c.replace("-", " ").title()}</a></li>' for c in CATEGORIES)
    top = "".join(f'<a href="/{c}">{c.replace("-", " ")}</a>' for c in CATEGORIES * 3)

    def box(title: str, numbers: range) -> str:
        items = "".join(f'<li><a href="{site.article_target(m)}">Hội nghị quán triệt nghị quyết, bài số {m}</a>'
                        f'<span class="date">12/03/2024</span></li>' for m in numbers if 0 <= m < site.articles)
        return f'<div class="box"><div class="title-box"><h3>{title}</h3></div><ul>{items}</ul></div>'

    spread = near * 7 % max(site.articles, 1)  # "Đọc nhiều": articles far from this one
    sidebar = (box("Tin mới", range(near + 1, near + 1 + SIDEBAR_LINKS))
               + box("Đọc nhiều", range(spread, spread + SIDEBAR_LINKS))
               + box("Tiêu điểm", range(spread // 2, spread // 2 + SIDEBAR_LINKS)))
    footer = ('<div class="footer"><div class="footer-menu">' + top + "</div>"
              "<p>Cơ quan chủ quản: Ban Tuyên giáo Trung ương. Tổng biên tập: Nguyễn Văn A.</p>"
              "<p>Giấy phép số 96/GP-BTTTT. Địa chỉ: Số 2 Nguyễn Tri Phương, Hà Nội.</p>"
              '<div class="counter">Đang online: 112 • Hôm nay: 9 812 • Tất cả: 28 114 305</div></div>')
    return (f'<div class="header"><div class="today">Thứ hai, 02/12/2026</div><div class="top-links">{top}</div>'
            f'</div><ul class="menu">{menu}</ul><div class="zonepage"><div class="zonepage-l">{body}</div>'
            f'<div class="zonepage-r">{sidebar}</div></div>{footer}<script>{_SCRIPT}</script>')
