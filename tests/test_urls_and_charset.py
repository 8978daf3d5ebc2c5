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
