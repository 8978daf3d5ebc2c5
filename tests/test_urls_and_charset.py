"""Canonical URLs and page decoding."""

import unicodedata

import pytest

from crawler.extract.charset import decode_html
from crawler.urls import canonicalize_url, rebase_url
from tests.conftest import encode_cp1258


@pytest.mark.parametrize("url, canonical", [
    ("https://tuyengiao.vn:443/a-130334", "https://tuyengiao.vn/a-130334"),
    ("http://Tuyengiao.VN:80/a-130334#comment", "http://tuyengiao.vn/a-130334"),
    ("https://tuyengiao.vn/a-1?utm_source=facebook&utm_medium=social", "https://tuyengiao.vn/a-1"),
    ("https://x.vn/a?fbclid=IwAR0&page=2&zarsrc=30", "https://x.vn/a?page=2"),
    ("http://127.0.0.1:8123/nhip-cau?page=2", "http://127.0.0.1:8123/nhip-cau?page=2"),
    ("https://x.vn", "https://x.vn/"),
    # Liferay: where to go back to never selects content; the portlet and its page do
    ("https://btg.x.vn/web/btg/tin/-/asset_publisher/Ab12/content/bai?redirect=https%3A%2F%2Fbtg.x.vn%2Fweb%2Fbtg"
     "&inheritRedirect=true", "https://btg.x.vn/web/btg/tin/-/asset_publisher/Ab12/content/bai"),
    ("https://x.vn/web/guest/tin?p_p_id=101_INSTANCE_Ab12&_101_INSTANCE_Ab12_redirect=%2Fweb&_101_INSTANCE_Ab12_cur=2",
     "https://x.vn/web/guest/tin?p_p_id=101_INSTANCE_Ab12&_101_INSTANCE_Ab12_cur=2"),
    ("https://x.vn/web/guest/a?_com_liferay_AP_backURL=%2Fweb&p_p_lifecycle=0",
     "https://x.vn/web/guest/a?p_p_lifecycle=0"),
    # SharePoint and ASP.NET: return pages, cookie probes and cookieless session ids
    ("https://angiang.dcs.vn/tin-tuc/Pages/Bai.aspx?Source=%2Ftin-tuc%2FPages%2Fdefault%2Easpx&InitialTabId=Ribbon",
     "https://angiang.dcs.vn/tin-tuc/Pages/Bai.aspx"),
    ("https://x.dcs.vn/(S(kz3xhf55oq))/DetailView/12/tin/Bai.html?AspxAutoDetectCookieSupport=1",
     "https://x.dcs.vn/DetailView/12/tin/Bai.html"),
    ("https://x.vn/Account/Login.aspx?ReturnUrl=%2Fa", "https://x.vn/Account/Login.aspx"),
    # trackers of every kind; content-selecting parameters stay, in their order
    ("https://x.vn/tin-tuc/?page=2&utm_campaign=a&gclid=1&zalo_source=b&NewsId=7",
     "https://x.vn/tin-tuc/?page=2&NewsId=7"),
    ("https://x.vn/tabid/96/Default.aspx?ArticleID=3668&mid=515", "https://x.vn/tabid/96/Default.aspx?ArticleID=3668&mid=515"),
])
def test_canonicalize_url(url, canonical):
    assert canonicalize_url(url) == canonical


def test_rebase_url_only_touches_the_sites_live_hosts():
    hosts = {"tuyengiao.vn", "www.tuyengiao.vn"}
    assert rebase_url("https://www.tuyengiao.vn/a-1?page=2", hosts, "http://127.0.0.1:9") == "http://127.0.0.1:9/a-1?page=2"
    assert rebase_url("https://facebook.com/share", hosts, "http://127.0.0.1:9") == "https://facebook.com/share"


VIETNAMESE = "Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh Trà Vinh"

def test_utf8_wins_over_a_wrong_label():
    assert decode_html(VIETNAMESE.encode("utf-8"), "windows-1258") == (VIETNAMESE, "utf-8")


def test_windows_1258_from_the_http_header_or_meta():
    raw = encode_cp1258(f'<meta charset="windows-1258"><p>{VIETNAMESE}</p>')
    text, codec = decode_html(raw)
    assert codec == "cp1258"
    assert VIETNAMESE in unicodedata.normalize("NFC", text)
    text, codec = decode_html(raw.replace(b'<meta charset="windows-1258">', b""), "windows-1258")
    assert codec == "cp1258"


def test_unlabelled_legacy_bytes_fall_back_to_windows_1258():
    raw = "Ban Tuyên giáo".encode("cp1258")
    text, codec = decode_html(raw)
    assert codec == "cp1258" and text == "Ban Tuyên giáo"
