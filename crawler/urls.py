"""URL canonicalisation: one article, one key.

>>> canonicalize_url("https://tuyengiao.vn:443/a-1?utm_source=fb&page=2#top")
'https://tuyengiao.vn/a-1?page=2'
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that say where a reader came from, never what they read.
TRACKING_PARAM = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|zarsrc|zalo_[a-z_]+|_ga|_gl|mc_cid|mc_eid|"
    r"igshid|ref_src|gidzl)$",
    re.IGNORECASE,
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonicalize_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports, tracking parameters and the fragment."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = host
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAM.match(k)
    ]
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def origin_of(url: str) -> str:
    """`scheme://host[:port]` of a URL, canonicalised."""
    parts = urlsplit(canonicalize_url(url))
    return f"{parts.scheme}://{parts.netloc}"


def rebase_url(url: str, live_hosts: set[str], origin: str) -> str:
    """Point a link on one of the site's live hosts at `origin` (a mirror), keeping the path.

    >>> rebase_url("https://tuyengiao.vn/a-1", {"tuyengiao.vn"}, "http://127.0.0.1:8000")
    'http://127.0.0.1:8000/a-1'
    """
    parts = urlsplit(url)
    if (parts.hostname or "").lower() not in live_hosts:
        return url
    o = urlsplit(origin)
    return urlunsplit((o.scheme, o.netloc, parts.path, parts.query, parts.fragment))
