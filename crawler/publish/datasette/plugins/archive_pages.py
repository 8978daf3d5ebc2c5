"""Reader pages for the archive: an article's row page reads like the article.

* `extra_template_vars` gives `datasette/templates/row-archive-articles.html` the article
  (`article`), its paragraphs, captions and pictures, its earlier versions (`revisions`,
  from `article_revisions`), the other URLs it was seen under and its site;
* the article's `body_html` was sanitised with nh3 when it was stored (crawler/extract.py);
  it is sanitised again here before it is marked safe (defence in depth: an archive.db
  written by an older crawler, or edited by hand, cannot put script into the page), and
  pictures are not embedded: a reader's browser never fetches anything from the
  crawled sites (privacy; and the pictures may be gone). They are listed as links;
* the SQL function `html_escape(text)`, for SQL that builds HTML (the dashboard's
  table charts put cell values into the page as HTML);
* a read-only guard: the published instance answers only GET, HEAD and OPTIONS (405
  otherwise). The database is immutable and no canned query writes, so no POST has a
  purpose here; Datasette 0.65.5 even answers a POST to a read-only canned query with an
  internal error.
"""

from __future__ import annotations

import html
import json
from typing import Any
from urllib.parse import urlsplit

import nh3
from datasette.hookspecs import hookimpl  # = datasette.hookimpl
from datasette.utils import urlsafe_components
from markupsafe import Markup

from crawler.extract import SANITIZE_ATTRIBUTES, SANITIZE_TAGS

DATABASE, TABLE = "archive", "articles"
# The stored sanitiser's allow-list without pictures (see above).
RENDER_TAGS = SANITIZE_TAGS - {"img"}
RENDER_ATTRIBUTES = {tag: attrs for tag, attrs in SANITIZE_ATTRIBUTES.items() if tag != "img"}


def safe_url(url: Any) -> str | None:
    """`url` if it is an absolute http(s) URL (never javascript:, data: …), else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def render_body_html(fragment: str | None) -> Markup:
    """Stored body HTML, sanitised once more, without pictures, as safe markup."""
    return Markup(nh3.clean(fragment or "", tags=RENDER_TAGS, attributes=RENDER_ATTRIBUTES,
                            url_schemes={"http", "https"}, link_rel="noopener noreferrer nofollow"))


def display_date(value: str | None) -> str | None:
    """'2022-01-18T15:42:00+07:00' -> '18/01/2022 15:42' (Vietnamese order; midnight: date only)."""
    if not value or len(value) < 10:
        return value
    date = f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    time = value[11:16]
    return f"{date} {time}" if time and time != "00:00" else date


def _json_list(value: str | None) -> list:
    try:
        data = json.loads(value or "[]")
    except ValueError:
        return []
    return data if isinstance(data, list) else []


async def article_page_vars(datasette, request) -> dict[str, Any]:
    db = datasette.get_database(DATABASE)
    pks = urlsafe_components(request.url_vars["pks"])
    row = (await db.execute("SELECT * FROM articles WHERE id = ?", [pks[0]])).first()
    if row is None:
        return {}
    article = dict(row)
    article_id = article["id"]
    revisions = [dict(r) for r in await db.execute(
        "SELECT id, revision, title, author, published_at, valid_from, valid_until, extractor_version "
        "FROM article_revisions WHERE article_id = ? ORDER BY revision DESC", [article_id])]
    for revision in revisions:
        revision["valid_from_display"] = display_date(revision["valid_from"])
        revision["valid_until_display"] = display_date(revision["valid_until"])
    other_urls = [r["url"] for r in await db.execute(
        "SELECT url FROM article_urls WHERE article_id = ? AND url != ? ORDER BY first_seen_at, url",
        [article_id, article["url"]])]
    site = (await db.execute("SELECT * FROM sites WHERE name = ?", [article["site"]])).first()
    pictures = [{"src": safe_url(img.get("src")), "caption": img.get("caption") or img.get("alt")}
                for img in _json_list(article.get("images")) if isinstance(img, dict)]
    return {
        "article": article,
        "article_paragraphs": [p for p in (article.get("body_text") or "").split("\n\n") if p.strip()],
        "article_body_html": render_body_html(article.get("body_html")),
        "article_captions": [c for c in _json_list(article.get("captions")) if isinstance(c, str)],
        "article_pictures": [p for p in pictures if p["src"]],
        "article_url": safe_url(article.get("url")),
        "article_other_urls": [u for u in map(safe_url, other_urls) if u],
        "article_published": display_date(article.get("published_at")),
        "article_first_seen": display_date(article.get("first_seen_at")),
        "article_last_seen": display_date(article.get("last_seen_at")),
        "article_changed": display_date(article.get("last_changed_at")),
        "article_removed": display_date(article.get("removed_at")),
        "article_site": dict(site) if site else {"name": article["site"]},
        "revisions": revisions,
    }


@hookimpl
def extra_template_vars(database, table, view_name, request, datasette):
    if view_name != "row" or database != DATABASE or table != TABLE or request is None:
        return {}

    async def inner():
        return await article_page_vars(datasette, request)

    return inner


def html_escape(value: Any) -> str | None:
    return None if value is None else html.escape(str(value))


@hookimpl
def prepare_connection(conn):
    conn.create_function("html_escape", 1, html_escape, deterministic=True)


READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def read_only(scope, receive, send):
            if scope.get("type") == "http" and scope.get("method", "GET") not in READ_ONLY_METHODS:
                await send({"type": "http.response.start", "status": 405,
                            "headers": [(b"allow", b"GET, HEAD, OPTIONS"),
                                        (b"content-type", b"text/plain; charset=utf-8")]})
                await send({"type": "http.response.body",
                            "body": "405: lưu trữ chỉ đọc · this archive is read-only\n".encode()})
                return
            await app(scope, receive, send)

        return read_only

    return wrap
