"""URL canonicalisation: one article, one key.

>>> canonicalize_url("https://tuyengiao.vn:443/a-1?utm_source=fb&page=2#top")
'https://tuyengiao.vn/a-1?page=2'
>>> canonicalize_url("https://btg.x.vn/web/btg/-/asset_publisher/A1/content/bai-viet?redirect=%2Fweb%2Fbtg&inheritRedirect=true")
'https://btg.x.vn/web/btg/-/asset_publisher/A1/content/bai-viet'
>>> canonicalize_url("https://x.dcs.vn/(S(kz3xhf55))/DetailView/12/tin/Bai-viet.html?AspxAutoDetectCookieSupport=1")
'https://x.dcs.vn/DetailView/12/tin/Bai-viet.html'

Parameters that select content stay (`page`, `id`, `p_p_id`, `_…_cur`); only the ones that say where a
reader came from or where to go back to are dropped.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Parameters that say where a reader came from or where to go back to, never what they read:
# campaign trackers; Liferay's return address (`redirect`, `inheritRedirect`, `_<portlet>_redirect`,
# `backURL`); SharePoint's and ASP.NET's return pages and cookie probes.
TRACKING_PARAM = re.compile(
    r"^(utm_[a-z_]+|fbclid|gclid|dclid|msclkid|zarsrc|zalo_[a-z_]+|_ga|_gl|mc_cid|mc_eid|"
    r"igshid|ref_src|gidzl|redirect|inheritRedirect|_\w+_redirect|backURL|_\w+_backURL|"
    r"Source|ReturnUrl|AspxAutoDetectCookieSupport|InitialTabId|VisibilityContext)$",
    re.IGNORECASE,
)
# ASP.NET cookieless sessions put the session id into the path: /(S(kz3xhf55))/page.aspx
COOKIELESS_SESSION = re.compile(r"/\((?:[A-Z]\([^)/]*\))+\)(?=/)")
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
    path = COOKIELESS_SESSION.sub("", parts.path) or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


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
