"""Page metadata, read before anything is removed: titles, dates and authors from <meta>, itemprop and JSON-LD."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from crawler.extract.page import _clean, _el_text


@dataclass
class PageMeta:
    titles: list[str] = field(default_factory=list)  # og:title, twitter:title, <title>
    dates: list[str] = field(default_factory=list)  # raw publication dates from metadata, best first
    authors: list[str] = field(default_factory=list)
    site_names: list[str] = field(default_factory=list)


_META_DATES = (("property", "article:published_time"), ("itemprop", "datepublished"),
               ("property", "og:published_time"), ("name", "pubdate"), ("name", "publishdate"),
               ("name", "publish-date"), ("name", "dc.date.issued"), ("name", "date"), ("name", "created"))


_DATE_PUBLISHED = etree.XPath("//*[@itemprop='datePublished' and not(self::meta)]")
_JSON_LD = etree.XPath("//script[@type='application/ld+json']")


def read_metadata(doc: Any) -> PageMeta:
    meta = PageMeta()
    by_key: dict[tuple[str, str], str] = {}
    for el in doc.iter("meta"):
        content = el.get("content")
        if content:
            for attr in ("property", "name", "itemprop"):
                key = el.get(attr)
                if key:
                    by_key.setdefault((attr, key.lower()), content)
    for key in (("property", "og:title"), ("name", "twitter:title")):
        if value := by_key.get(key):
            meta.titles.append(_clean(value))
    title_el = doc.find(".//title")
    if title_el is not None and (text := _el_text(title_el)):
        meta.titles.append(text)
    for key in _META_DATES:
        if value := by_key.get(key):
            meta.dates.append(value)
    for el in _DATE_PUBLISHED(doc):
        if value := (el.get("datetime") or el.get("content") or _el_text(el)):
            meta.dates.append(value)
    for key in (("name", "author"), ("property", "article:author"), ("name", "dc.creator")):
        if value := by_key.get(key):
            meta.authors.append(_clean(value))
    for key in (("property", "og:site_name"), ("name", "application-name")):
        if value := by_key.get(key):
            meta.site_names.append(_clean(value))
    for script in _JSON_LD(doc):
        _read_json_ld(script.text or "", meta)
    return meta


def _read_json_ld(text: str, meta: PageMeta) -> None:
    try:
        data = json.loads(text)
    except ValueError:
        return
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if isinstance(item.get("@graph"), list):
                stack.extend(item["@graph"])
            kind = str(item.get("@type", ""))
            if "Article" in kind or "Posting" in kind:
                if isinstance(item.get("datePublished"), str):
                    meta.dates.append(item["datePublished"])
                author = item.get("author")
                for person in author if isinstance(author, list) else [author]:
                    name = person.get("name") if isinstance(person, dict) else person
                    if isinstance(name, str):
                        meta.authors.append(_clean(name))
