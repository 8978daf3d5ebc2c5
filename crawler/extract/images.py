"""Images of an article body with their captions; figure and image-table caption areas leave the text.

One taker for every path: site rules pass their caption selectors, the generic extractor the
caption vocabulary below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from lxml import etree

from crawler.extract.cleaning import normalize_text
from crawler.extract.page import _el_text
from crawler.extract.tree import _string, drop_tree

CaptionFinder = Callable[[Any], list[Any]]  # element -> its caption elements, best first

GENERIC_CAPTIONS: CaptionFinder = etree.XPath(
    ".//figcaption|.//*[contains(@class,'caption') or contains(@class,'desc') or contains(@class,'chu-thich')]")
# An image table holds the image, its caption and perhaps a credit row; a longer table or one with
# more text is a data table that happens to hold an image.
MAX_IMAGE_TABLE_ROWS = 4
MAX_IMAGE_TABLE_CHARS = 600
# A <div>/<p> holding one image and a caption-length text is a figure written without <figure>.
MAX_IMAGE_BOX_CHARS = 300


def caption_container(img: Any, body: Any) -> Any:
    """The figure or image table an image sits in (inside `body`), or None."""
    for anc in img.iterancestors():
        if anc is body:
            return None
        if anc.tag == "figure":
            return anc
        if (anc.tag == "table" and len(anc.findall(".//tr")) <= MAX_IMAGE_TABLE_ROWS
                and len(_string(anc)) < MAX_IMAGE_TABLE_CHARS):
            return anc
        if anc.tag in ("div", "p", "span", "a", "center"):
            text = " ".join(_string(anc).split())
            if len(anc.findall(".//img")) != 1 or len(text) >= MAX_IMAGE_BOX_CHARS:
                return None
            if text and anc.tag == "div":
                return anc  # "<div class=avatar><img><span>caption</span></div>"
    return None


def take_images(body: Any, base_url: str, captions: CaptionFinder = GENERIC_CAPTIONS) -> list[dict[str, str | None]]:
    """Collect the images of `body` with their captions, and remove the images and caption areas from it.

    A caption is the container's caption element (else the container's text), or for a bare
    image the next sibling of its parent when that is a caption element.
    """
    images: list[dict[str, str | None]] = []
    for img in list(body.iter("img")):
        src = img.get("src") or img.get("data-src") or ""
        if not src or img.getparent() is None:
            continue
        container = caption_container(img, body)
        caption = None
        if container is not None:
            found = captions(container)
            caption = _el_text(found[0]) if found else _el_text(container)
            drop_tree(container)
        else:
            parent = img.getparent()
            following = parent.getnext() if parent is not None else None
            if following is not None and following.getparent() is not None and following in captions(
                    following.getparent()):
                caption = _el_text(following)
                drop_tree(following)
            drop_tree(img)
        images.append({"src": urljoin(base_url, src), "alt": normalize_text(img.get("alt", "")) or None,
                       "caption": caption or None})
    return images


def absolute_links(node: Any, base_url: str) -> None:
    """Make the links and image sources of `node` absolute (only the kept article, not the page)."""
    for el in node.iter("a", "img"):
        for attr in ("href", "src"):
            value = el.get(attr)
            if value and not value.startswith(("http://", "https://", "mailto:", "#")):
                el.set(attr, urljoin(base_url, value.strip()))


def dedupe_images(images: list[dict[str, str | None]], captions: list[str]) -> list[dict[str, str | None]]:
    """Normalise captions (None where `captions`, the collapsed list, dropped one) and drop repeats."""
    seen: set[tuple[str | None, str | None]] = set()
    kept = []
    for img in images:
        if img["caption"] is not None:
            img["caption"] = normalize_text(img["caption"]).replace("\n", " ")
            if img["caption"] not in captions:
                img["caption"] = None
        key = (img["src"], img["caption"])
        if key not in seen:
            seen.add(key)
            kept.append(img)
    return kept
