"""Site template learning: blocks that repeat across a site's pages are boilerplate.

Every block element of a page gets a fingerprint: a hash of its DOM path
(tags, classes and digit-free ids from the root) and of its whole content (its
text and its children's fingerprints, Merkle-style). The
same sidebar, menu, footer, counter or "Các tin khác" heading therefore has the
same fingerprint on every page of a site, while an article's own paragraphs
appear once. A site's template counts, per fingerprint, the pages it was seen
on; an element seen on at least `min_pages` pages (and on at least
`min_share` of them) is template, so the generic extractor neither scores it
as article text nor keeps it in the body.

    template = SiteTemplate.load(directory, "tinhuy-example")   # empty if never saved
    template.learn(page_bytes, url)          # once per fetched page, listings included
    marks = template.boilerplate_elements(doc)                # a *prepared* document
    article = extract_generic(page_bytes, url, template=template)
    template.save(directory)                 # <directory>/<site>.json

The generic spider keeps one per site under ARCHIVE_TEMPLATE_DIR (default:
templates/ beside ARCHIVE_DB). A URL is learnt once (re-crawling a page must
not make its own text look repeated). The store is bounded: fingerprints seen
once are forgotten after `forget_after` more pages.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from crawler.extract.page import parse_page, prepare

FORMAT_VERSION = 1
# Inline elements are covered by their block ancestor; they get no fingerprint of their own.
_INLINE = frozenset({"a", "span", "b", "strong", "em", "i", "u", "font", "br", "img", "small", "sup", "sub",
                     "abbr", "cite", "code", "label", "s", "strike", "time", "mark", "q", "wbr"})
_DIGITS = re.compile(r"\d+")
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "select", "textarea", "button",
                   "input", "object", "embed", "canvas", "audio", "video", "head", "title", "meta", "link"})


def _h(data: str) -> bytes:
    return hashlib.blake2b(data.encode("utf-8", "surrogatepass"), digest_size=8).digest()


def _norm(text: str | None) -> str:
    """Text as compared across pages. Digits are kept: a date line has the same words on every
    article page and must not look repeated (the header's "today" date, identical on every page
    of a crawl day, does)."""
    if not text:
        return ""
    text = " ".join(text.split())
    return unicodedata.normalize("NFC", text).casefold() if text else ""


def _signature(el: Any) -> str:
    cls = el.get("class")
    ident = el.get("id")
    sig = el.tag
    if cls:
        sig += "." + ".".join(sorted(_DIGITS.sub("0", c) for c in cls.split()))
    if ident and not any(ch.isdigit() for ch in ident):
        sig += "#" + ident
    return sig


def fingerprints(root: Any) -> dict[Any, str]:
    """Block element -> fingerprint (hex) for every block with text under `root`."""
    found: dict[Any, str] = {}

    def walk(el: Any, path: bytes) -> tuple[bytes, bool]:
        sig = _signature(el)
        here = _h(path.hex() + "/" + sig)
        parts = [sig, "|", _norm(el.text)]
        has_text = bool(parts[2])
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and tag not in _SKIP:
                content, child_text = walk(child, here)
                parts.append(content.hex())
                has_text = has_text or child_text
            tail = _norm(child.tail)
            if tail:
                parts.append(tail)
                has_text = True
        content = _h(" ".join(parts))
        if has_text and el.tag not in _INLINE:
            found[el] = (here + content).hex()
        return content, has_text

    walk(root, b"")
    return found


def site_file(directory: str | Path, site: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", site).strip("._") or "site"
    return Path(directory) / f"{safe}.json"


class SiteTemplate:
    """What repeats across the pages of one site (see the module docstring)."""

    def __init__(self, site: str, min_pages: int = 3, min_share: float = 0.05, forget_after: int = 400,
                 max_urls: int = 50_000):
        self.site = site
        self.min_pages = min_pages
        self.min_share = min_share
        self.forget_after = forget_after
        self.max_urls = max_urls
        self.pages = 0
        self.counts: dict[str, list[int]] = {}  # fingerprint -> [pages seen on, index of the last page]
        self.urls: dict[str, None] = {}  # hashes of the URLs learnt (insertion-ordered, bounded)

    # -- learning ---------------------------------------------------------------

    def learn(self, page: str | bytes | Any, url: str | None = None) -> bool:
        """Count the blocks of one page (bytes, text or a parsed document). False if the URL was learnt before."""
        if url is not None:
            key = _h(url).hex()
            if key in self.urls:
                return False
            self.urls[key] = None
            if len(self.urls) > self.max_urls:
                del self.urls[next(iter(self.urls))]
        doc = self._document(page)
        if doc is None:
            return False
        self.pages += 1
        for fp in set(fingerprints(_root(doc)).values()):
            entry = self.counts.get(fp)
            if entry is None:
                self.counts[fp] = [1, self.pages]
            else:
                entry[0] += 1
                entry[1] = self.pages
        if self.pages % 50 == 0:
            self.prune()
        return True

    @staticmethod
    def _document(page: str | bytes | Any) -> Any:

        if isinstance(page, (str, bytes)):
            try:
                doc = parse_page(page)
            except (ValueError, TypeError):
                return None
        else:
            doc = page
        prepare(doc)
        return doc

    def prune(self) -> None:
        """Forget fingerprints seen on one page only, long ago (article text, mostly)."""
        horizon = self.pages - self.forget_after
        if horizon > 0:
            self.counts = {fp: e for fp, e in self.counts.items() if e[0] > 1 or e[1] > horizon}

    # -- using ------------------------------------------------------------------

    @property
    def threshold(self) -> int:
        return max(self.min_pages, math.ceil(self.min_share * self.pages))

    def is_ready(self) -> bool:
        """Enough pages learnt for repeated blocks to show."""
        return self.pages >= self.min_pages

    def boilerplate_elements(self, doc: Any) -> set[Any]:
        """Elements of a prepared document that the site repeats on `threshold` pages or more."""
        if not self.is_ready():
            return set()
        threshold = self.threshold
        counts = self.counts
        return {el for el, fp in fingerprints(_root(doc)).items()
                if (entry := counts.get(fp)) is not None and entry[0] >= threshold}

    def repeated(self) -> Iterator[tuple[str, int]]:
        threshold = self.threshold
        for fp, (count, _) in self.counts.items():
            if count >= threshold:
                yield fp, count

    # -- persistence --------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        self.prune()
        return {"format": FORMAT_VERSION, "site": self.site, "pages": self.pages, "min_pages": self.min_pages,
                "min_share": self.min_share, "counts": self.counts, "urls": list(self.urls)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SiteTemplate:
        template = cls(data["site"], min_pages=data.get("min_pages", 3), min_share=data.get("min_share", 0.05))
        if data.get("format") == FORMAT_VERSION:
            template.pages = int(data.get("pages", 0))
            template.counts = {fp: [int(e[0]), int(e[1])] for fp, e in data.get("counts", {}).items()}
            template.urls = dict.fromkeys(data.get("urls", []))
        return template

    @classmethod
    def load(cls, directory: str | Path, site: str) -> SiteTemplate:
        path = site_file(directory, site)
        try:
            return cls.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return cls(site)
        except (ValueError, KeyError, TypeError):  # a damaged file: start again rather than fail the crawl
            return cls(site)

    def save(self, directory: str | Path) -> Path:
        """Write atomically (a crash never leaves half a file)."""
        path = site_file(directory, self.site)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(self.to_json(), fh, ensure_ascii=False, separators=(",", ":"))
        os.replace(tmp, path)
        return path


def _root(doc: Any) -> Any:
    body = doc.find("body") if getattr(doc, "tag", None) == "html" else None
    return body if body is not None else doc


def template_dir(settings: Any) -> Path:
    """ARCHIVE_TEMPLATE_DIR, else templates/ beside ARCHIVE_DB."""
    configured = settings.get("ARCHIVE_TEMPLATE_DIR") if settings is not None else None
    if configured:
        return Path(configured)
    db = settings.get("ARCHIVE_DB") if settings is not None else None
    return Path(db or "archive.db").resolve().parent / "templates"
