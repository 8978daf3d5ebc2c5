"""What a spider yields besides articles: the outcome of revisiting a known article."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class PageGone:
    """A known article now answers 404/410 or redirects off the article (e.g. to the home page)."""

    url: str
    status: int


@dataclass
class PageNotModified:
    """A known article answered 304 to a conditional revisit."""

    url: str
