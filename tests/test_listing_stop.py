"""The quiet-listing stop on a re-crawl: links to pages that are never stored do not count as new.

A mirror in the tests/fixtures/sites layout (routes.json + files) in tuyengiao.vn's A1 markup, served over
HTTP by crawler/mirror.py and crawled twice by the real tuyengiao spider: two categories of three listing
pages each, and on every page a site-wide "Tin nổi bật" box that links an article that answers 404 and
an article page that validation drops (a teaser page, no text). The first crawl fetches every listing
page; the re-crawl of the unchanged mirror fetches no more than the first page of each category.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawler.mirror import MirrorServer
from tests.conftest import query, run_spider

CATEGORIES = ("thoi-su-chinh-tri", "kinh-te")
PAGES = 3  # listing pages per category
PER_PAGE = 4  # articles per listing page
DEAD = "/tin-da-go-khoi-trang-900001"  # linked from every page, answers 404
DROPPED = "/trang-chi-co-tieu-de-900002"  # linked from every page, no article text: dropped by validation


def _page(title: str, main: str) -> str:
    box = (f'<div class="box"><h3>Tin nổi bật</h3><ul><li><a href="{DEAD}">Bài viết đã gỡ khỏi trang của '
           f'Tạp chí Tuyên giáo</a></li><li><a href="{DROPPED}">Trang chỉ có tiêu đề, không có nội dung bài'
           f"</a></li></ul></div>")
    menu = "".join(f'<li><a href="/{c}">{c}</a></li>' for c in CATEGORIES)
    return (f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<ul class="menu">{menu}</ul><div class="zonepage-l">{main}</div><div class="zonepage-r">{box}</div>'
            f"</body></html>")


def _article(number: int, category: str) -> str:
    text = "".join(f"<p>Đoạn {k} của bài số {number}: Ban Thường vụ Tỉnh ủy tổ chức hội nghị quán triệt nghị "
                   f"quyết của Đảng cho cán bộ chủ chốt các cấp trong tỉnh.</p>" for k in range(5))
    return _page(f"Bài số {number}", f'<div class="zonebar"><h2><a href="/{category}">{category}</a></h2></div>'
                 f'<div class="storydetail"><div class="story_tools">12/03/2024 08:{number % 60:02d}\' (GMT+7)</div>'
                 f'<div class="story_head"><span class="story_headline">Hội nghị quán triệt nghị quyết, bài số '
                 f'{number}</span></div><div id="ArticleContent">{text}<p><b>Thu Hằng</b></p></div></div>')


def _listing(category: str, page: int, numbers: list[int]) -> str:
    items = "".join(f'<li><h4><a href="{_target(n)}">Hội nghị quán triệt nghị quyết, bài số {n}</a></h4></li>'
                    for n in numbers)
    pager = "".join(f'<a href="/{category}{f"?page={p}" if p > 1 else ""}">{p}</a>'
                    for p in range(1, PAGES + 1) if p != page)
    return _page(f"{category} - Trang {page}", f'<div class="zoneteaser"><ul>{items}</ul></div>'
                 f'<div class="datapager">{pager}</div>')


def _target(number: int) -> str:
    return f"/hoi-nghi-quan-triet-nghi-quyet-bai-so-{number}-{300000 + number}"


def build_mirror(root: Path) -> int:
    """Write the mirror; return its number of articles."""
    routes: dict[str, object] = {"/robots.txt": "robots.txt", "/": "index.html", DROPPED: "dropped.html"}
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /Admin/\n", encoding="utf-8")
    (root / "index.html").write_text(_page("Tạp chí Tuyên giáo", "<p>Trang chủ</p>"), encoding="utf-8")
    (root / "dropped.html").write_text(_page("Trang chỉ có tiêu đề", '<div class="storydetail"><div '
                                             'class="story_head"><span class="story_headline">Trang chỉ có tiêu đề'
                                             '</span></div><div id="ArticleContent"></div></div>'), encoding="utf-8")
    number = 0
    for category in CATEGORIES:
        for page in range(1, PAGES + 1):
            numbers = list(range(number, number + PER_PAGE))
            number += PER_PAGE
            name = f"list-{category}-{page}.html"
            (root / name).write_text(_listing(category, page, numbers), encoding="utf-8")
            routes[f"/{category}" if page == 1 else f"/{category}?page={page}"] = name
            for n in numbers:
                (root / f"article-{n}.html").write_text(_article(n, category), encoding="utf-8")
                routes[_target(n)] = f"article-{n}.html"
    (root / "routes.json").write_text(json.dumps(routes, indent=1), encoding="utf-8")
    return number


def listing_pages(requests: list[str]) -> list[str]:
    return sorted(r for r in requests if r.split("?")[0].strip("/") in CATEGORIES)


def test_a_recrawl_with_dead_sidebar_links_fetches_only_the_first_listing_page(tmp_path):
    root = tmp_path / "mirror"
    root.mkdir()
    articles = build_mirror(root)
    db = tmp_path / "archive.db"
    with MirrorServer(root) as mirror:
        run_spider("tuyengiao", mirror.base_url, db)
        first = list(mirror.requests)
        mirror.requests.clear()
        run_spider("tuyengiao", mirror.base_url, db)
        second = list(mirror.requests)

    # the first crawl went through every listing page and stored every article, not the two sidebar links
    assert len(listing_pages(first)) == len(CATEGORIES) * PAGES
    assert query(db, "SELECT count(*) AS n FROM articles")[0]["n"] == articles
    assert DEAD in first and DROPPED in first
    assert not query(db, "SELECT url FROM articles WHERE url LIKE ? OR url LIKE ?", (f"%{DEAD}", f"%{DROPPED}"))
    # the re-crawl: each category's first page, nothing after it; no stored article fetched again
    assert listing_pages(second) == sorted(f"/{c}" for c in CATEGORIES)
    assert not [r for r in second if r.startswith("/hoi-nghi-")]
