"""What a reader meets at the edges: feeds of unknown sites, and snippet markers in JSON.

* `/archive/site_feed.atom` without `?site=`, or with a site the archive does not hold,
  answers **404** with a one-line message (the canned query would fail with a 500);
* the JSON of the search queries (`/archive/search.json`, `/archive/newest.json`) carries
  the snippets without the internal `⟦ ⟧` match markers (the HTML pages turn them into
  `<mark>`, crawler/publish/datasette/plugins/vn_search.py).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from datasette.hookspecs import hookimpl

FEED_PATH = "/archive/site_feed.atom"
SEARCH_JSON = ("/archive/search.json", "/archive/newest.json")
MARKERS = ("⟦", "⟧")


async def _send_text(send, status: int, text: str) -> None:
    body = text.encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


async def _feed_problem(datasette, query_string: bytes) -> str | None:
    site = (parse_qs(query_string.decode("latin-1")).get("site") or [""])[0].strip()
    if not site:
        return "No site given: use /archive/site_feed.atom?site=NAME (names in /archive/sites)."
    db = datasette.get_database("archive")
    rows = await db.execute("SELECT 1 FROM sites WHERE name = ? UNION ALL SELECT 1 FROM articles WHERE site = ? "
                            "LIMIT 1", [site, site])
    if not rows.rows:
        return f"No site named {site!r} in the archive (names in /archive/sites)."
    return None


def _strip_markers(body: bytes) -> bytes:
    try:
        data = json.loads(body)
    except ValueError:
        return body

    def clean(value):
        if isinstance(value, str):
            for marker in MARKERS:
                value = value.replace(marker, "")
            return value
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    return json.dumps(clean(data), ensure_ascii=False).encode("utf-8")


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def reader_app(scope, receive, send):
            path = scope.get("path", "") if scope.get("type") == "http" else ""
            if path == FEED_PATH:
                problem = await _feed_problem(datasette, scope.get("query_string", b""))
                if problem:
                    await _send_text(send, 404, problem)
                    return
            if path not in SEARCH_JSON:
                await app(scope, receive, send)
                return
            start: dict = {}
            chunks: list[bytes] = []

            async def buffered(message):
                if message["type"] == "http.response.start":
                    start.update(message)
                    return
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = b"".join(chunks)
                if start.get("status") == 200:
                    body = _strip_markers(body)
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                await send({**start, "headers": headers + [(b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})

            await app(scope, receive, buffered)

        return reader_app

    return wrap
