"""The output of extraction: one article, as every path (site rules, platforms, generic) returns it."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from crawler import EXTRACTOR_VERSION
from crawler.extract.cleaning import collapse_captions


@dataclass
class Article:
    url: str
    title: str | None = None
    lead: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    body_html: str = ""
    author: str | None = None
    credit: str | None = None
    published_at: str | None = None
    published_raw: str | None = None
    category: str | None = None
    images: list[dict[str, str | None]] = field(default_factory=list)
    extractor_version: str = EXTRACTOR_VERSION
    used_generic: list[str] = field(default_factory=list)
    # which strategy found the body: "site-rules", "generic", "generic-tags" (the second reading)
    extraction_method: str | None = None
    # links with headline-long text left in the body: a listing's teasers, not an article (validate.py)
    headline_links: int = 0
    opens_with_link: bool = False  # the text starts with a headline-long link: a listing's teaser
    # HTTP validators for conditional revisits (not content)
    etag: str | None = None
    last_modified: str | None = None
    # the `captures` row (WARC record) the page was extracted from (crawler/capture/)
    capture_id: int | None = None

    @property
    def body_text(self) -> str:
        return "\n\n".join(self.paragraphs)

    @property
    def captions(self) -> list[str]:
        return collapse_captions([img["caption"] for img in self.images if img.get("caption")])

    def as_json(self) -> str:
        """The JSON `python -m crawler extract` prints."""
        data: dict[str, Any] = {
            "url": self.url, "title": self.title, "published": self.published_at,
            "published_raw": self.published_raw, "author": self.author, "credit": self.credit,
            "category": self.category, "lead": self.lead, "body": self.body_text,
            "captions": self.captions, "images": self.images,
            "extractor_version": self.extractor_version, "extraction_method": self.extraction_method,
            "generic_fields": self.used_generic,
        }
        return json.dumps(data, ensure_ascii=False, indent=2)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["body_text"] = self.body_text
        return data
