"""Reader pages for the archive: an article's row page reads like the article, a revision's like
that version of it, with what changed.

* `extra_template_vars` gives `datasette/templates/row-archive-articles.html` the article
  (`article`, `version`: its text, captions and pictures, crawler/publish/reading.py), its versions
  with what each changed (`versions`, crawler/publish/versions.py), the word diff of the current
  version against the one before (`changes`), the other URLs it was seen under and its site; and
  `row-archive-article_revisions.html` the same for an earlier version (`revision`), with the diff
  against the version before it and links to the neighbouring versions; and the home page
  (`index.html`) the sites with articles, for their feed links;
* archive timestamps are shown in Vietnam time with the zone (crawler/publish/times.py);
* the SQL functions `html_escape(text)`, for SQL that builds HTML (the dashboard's table charts put
  cell values into the page as HTML), and `vietnam_time(timestamp)`;
* a read-only guard: the published instance answers only GET, HEAD and OPTIONS (405
  otherwise). The database is immutable and no canned query writes, so no POST has a
  purpose here; Datasette 0.65.5 even answers a POST to a read-only canned query with an
  internal error.
"""

from __future__ import annotations

import html
from typing import Any

from datasette.hookspecs import hookimpl  # = datasette.hookimpl
from datasette.utils import urlsafe_components

from crawler.publish.reading import safe_url, version_view
from crawler.publish.times import vietnam_time
from crawler.publish.versions import diff_fields, version_chain

DATABASE = "archive"
REVISION_COLUMNS = ("id, article_id, revision, title, lead, body_text, body_html, author, credit, published_at, "
                    "published_raw, category, images, captions, valid_from, valid_until, capture_id")


def _with_times(version: dict[str, Any]) -> dict[str, Any]:
    version["valid_from_display"] = vietnam_time(version.get("valid_from"))
    version["valid_until_display"] = vietnam_time(version.get("valid_until"))
    return version


async def _article_context(db, article_id: Any) -> dict[str, Any] | None:
    """The article row, every version (oldest first), its site, its safe URL and when it was removed."""
    row = (await db.execute("SELECT * FROM articles WHERE id = ?", [article_id])).first()
    if row is None:
        return None
    article = dict(row)
    revisions = [dict(r) for r in await db.execute(
        f"SELECT {REVISION_COLUMNS} FROM article_revisions WHERE article_id = ? ORDER BY revision", [article["id"]])]
    site = (await db.execute("SELECT * FROM sites WHERE name = ?", [article["site"]])).first()
    return {
        "article": article,
        "versions": [_with_times(v) for v in version_chain(revisions, article)],
        "article_site": dict(site) if site else {"name": article["site"]},
        "article_url": safe_url(article.get("url")),
        "article_removed": vietnam_time(article.get("removed_at")),
    }


async def article_page_vars(datasette, request) -> dict[str, Any]:
    db = datasette.get_database(DATABASE)
    context = await _article_context(db, urlsafe_components(request.url_vars["pks"])[0])
    if context is None:
        return {}
    article, versions = context["article"], context["versions"]
    other_urls = [r["url"] for r in await db.execute(
        "SELECT url FROM article_urls WHERE article_id = ? AND url != ? ORDER BY first_seen_at, url",
        [article["id"], article["url"]])]
    return {
        **context,
        "version": version_view(article),
        "changes": diff_fields(versions[-2], versions[-1]) if len(versions) > 1 else [],
        "article_other_urls": [u for u in map(safe_url, other_urls) if u],
        "article_first_seen": vietnam_time(article.get("first_seen_at")),
        "article_last_seen": vietnam_time(article.get("last_seen_at")),
        "article_changed": vietnam_time(article.get("last_changed_at")),
    }


async def revision_page_vars(datasette, request) -> dict[str, Any]:
    db = datasette.get_database(DATABASE)
    row = (await db.execute("SELECT id, article_id FROM article_revisions WHERE id = ?",
                            [urlsafe_components(request.url_vars["pks"])[0]])).first()
    context = await _article_context(db, row["article_id"]) if row else None
    if context is None:
        return {}
    versions = context["versions"]
    index = next(i for i, v in enumerate(versions) if v["id"] == row["id"])
    previous = versions[index - 1] if index else None
    return {
        **context,
        "revision": versions[index],
        "version": version_view(versions[index]),
        "previous_version": previous,
        "next_version": versions[index + 1],  # the current version is always last
        "changes": diff_fields(previous, versions[index]) if previous else [],
    }


PAGES = {"articles": article_page_vars, "article_revisions": revision_page_vars}


async def home_page_vars(datasette) -> dict[str, Any]:
    """The sites holding articles, for the per-site feed links of the home page."""
    db = datasette.get_database(DATABASE)
    rows = await db.execute("SELECT name, organization FROM sites "
                            "WHERE EXISTS (SELECT 1 FROM articles WHERE site = sites.name) ORDER BY name")
    return {"feed_sites": [dict(r) for r in rows]}


@hookimpl
def extra_template_vars(database, table, view_name, request, datasette):
    if view_name == "index" and DATABASE in datasette.databases:
        return lambda: home_page_vars(datasette)
    if view_name != "row" or database != DATABASE or table not in PAGES or request is None:
        return {}

    async def inner():
        return await PAGES[table](datasette, request)

    return inner


def html_escape(value: Any) -> str | None:
    return None if value is None else html.escape(str(value))


@hookimpl
def prepare_connection(conn):
    conn.create_function("html_escape", 1, html_escape, deterministic=True)
    conn.create_function("vietnam_time", 1, vietnam_time, deterministic=True)


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
