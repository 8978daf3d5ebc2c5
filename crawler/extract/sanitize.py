"""The stored `body_html`: structure kept, everything that could run removed (nh3, the Rust ammonia sanitiser)."""

import nh3

SANITIZE_TAGS = {"p", "br", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "u", "sup",
                 "sub", "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tfoot", "tr",
                 "th", "td", "caption", "figure", "figcaption", "img", "a", "span", "div", "pre"}
SANITIZE_ATTRIBUTES = {"img": {"src", "alt", "title"}, "a": {"href", "title"},
                       "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitize_html(fragment: str) -> str:
    """Keep structure, drop everything that could run (scripts, handlers, javascript: URLs)."""
    return nh3.clean(fragment, tags=SANITIZE_TAGS, attributes=SANITIZE_ATTRIBUTES,
                     url_schemes={"http", "https"}, link_rel="noopener noreferrer nofollow")
