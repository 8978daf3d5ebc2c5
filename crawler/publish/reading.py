"""An article version as the reader pages show it: safe links, body HTML sanitised again, pictures as
captions and links, dates day first. Shared by the article page and the revision page
(crawler/publish/datasette/plugins/archive_pages.py).

* `body_html` was sanitised with nh3 when it was stored (crawler/extract/sanitize.py); it is sanitised
  again here before it is marked safe (defence in depth: an archive.db written by an older crawler, or
  edited by hand, cannot put script into the page);
* pictures are not embedded: a reader's browser never fetches anything from the crawled sites
  (privacy; and the pictures may be gone). They are listed as links with their captions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import nh3
from markupsafe import Markup

from crawler.extract import SANITIZE_ATTRIBUTES, SANITIZE_TAGS

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
    """'2022-01-18T15:42:00+07:00' -> '18/01/2022 15:42' (Vietnamese order; midnight: date only).

    For publication dates, which are stored in Vietnam time already (archive timestamps go through
    crawler/publish/times.py)."""
    if not value or len(value) < 10:
        return value
    date = f"{value[8:10]}/{value[5:7]}/{value[:4]}"
    time = value[11:16]
    return f"{date} {time}" if time and time != "00:00" else date


def json_list(value: str | None) -> list:
    """A stored JSON list (images, captions); anything else as an empty list."""
    try:
        data = json.loads(value or "[]")
    except ValueError:
        return []
    return data if isinstance(data, list) else []


def paragraphs(body_text: str | None) -> list[str]:
    return [p for p in (body_text or "").split("\n\n") if p.strip()]


def pictures(images: str | None) -> list[dict[str, Any]]:
    """The pictures with a safe link, each with its caption (or alt text)."""
    found = [{"src": safe_url(img.get("src")), "caption": img.get("caption") or img.get("alt")}
             for img in json_list(images) if isinstance(img, dict)]
    return [p for p in found if p["src"]]


def version_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """What the version template (`_archive_version.html`) needs of an article or revision row."""
    return {
        "row": dict(row),
        "paragraphs": paragraphs(row.get("body_text")),
        "body_html": render_body_html(row.get("body_html")),
        "captions": [c for c in json_list(row.get("captions")) if isinstance(c, str)],
        "pictures": pictures(row.get("images")),
        "published": display_date(row.get("published_at")),
    }
