"""parse_vietnamese_date: every date form seen on Party sites, day-first, +07:00."""

import os
import unicodedata

import pytest

from crawler.extract.dates import VN_TZ, has_time, parse_vietnamese_date


def nfd(text: str) -> str:
    """Decomposed tone marks, as some legacy editors and copy-pastes produce."""
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize("text, expected", [
    # tuyengiao.vn A1: weekday, unpadded day/month/hour/minute, apostrophe, (GMT+7) with no space
    ("Thứ Năm, 11/8/2022 14:2'(GMT+7)", "2022-08-11T14:02:00+07:00"),
    ("Thứ Sáu, 24/1/2020 9:1'(GMT+7)", "2020-01-24T09:01:00+07:00"),
    ("Thứ Bảy, 8/6/2023 14:46'(GMT+7)", "2023-06-08T14:46:00+07:00"),
    ("Chủ Nhật, 3/9/2023 7:30'(GMT+7)", "2023-09-03T07:30:00+07:00"),
    ("Chủ nhật - 3/9/2023 7:30'", "2023-09-03T07:30:00+07:00"),
    ("CN 3/9/2023 7:5'(GMT+7)", "2023-09-03T07:05:00+07:00"),
    ("Thứ Năm, 11/8/2022 14:2’(GMT+7)", "2022-08-11T14:02:00+07:00"),  # typographic apostrophe
    (nfd("Thứ Năm, 11/8/2022 14:2'(GMT+7)"), "2022-08-11T14:02:00+07:00"),
    # NukeViet: detail header (lower-case weekday), category lists, tag lists (time first), related lists
    ("Thứ hai - 04/07/2022 04:34", "2022-07-04T04:34:00+07:00"),
    ("Thứ tư - 28/09/2022 21:45   Đã xem: 254   Phản hồi: 0", "2022-09-28T21:45:00+07:00"),
    ("Thứ hai - 04/07/2022 04:34 288 0", "2022-07-04T04:34:00+07:00"),
    ("04/07/2022 04:34:00", "2022-07-04T04:34:00+07:00"),
    ("04:35 15/03/2016", "2016-03-15T04:35:00+07:00"),
    ("20:35 19/11/2024", "2024-11-19T20:35:00+07:00"),
    ("(19/11/2021)", "2021-11-19T00:00:00+07:00"),
    # NukeViet metadata (article:published_time, itemprop=datePublished) and the ICT / RSS forms
    ("2022-07-04T04:34:00+07:00", "2022-07-04T04:34:00+07:00"),
    ("2022-07-04T04:34:00", "2022-07-04T04:34:00+07:00"),
    ("2022-07-04 04:34:00", "2022-07-04T04:34:00+07:00"),
    ("2022-07-04", "2022-07-04T00:00:00+07:00"),
    ("2022-07-04T04:34:00ICT", "2022-07-04T04:34:00+07:00"),
    ("Mon, 04 Jul 2022 04:34:00 ICT", "2022-07-04T04:34:00+07:00"),
    ("04/07/2022 04:34 ICT", "2022-07-04T04:34:00+07:00"),
    # explicit zones are honoured, then converted to Asia/Ho_Chi_Minh
    ("2022-07-03T21:34:00Z", "2022-07-04T04:34:00+07:00"),
    ("2022-07-03T21:34:00.000Z", "2022-07-04T04:34:00+07:00"),
    ("2022-07-03T16:34:00-05:00", "2022-07-04T04:34:00+07:00"),
    ("Sun, 03 Jul 2022 21:34:00 +0000", "2022-07-04T04:34:00+07:00"),
    ("Sun, 03 Jul 2022 21:34:00 GMT", "2022-07-04T04:34:00+07:00"),
    ("04/07/2022 02:34 GMT+5", "2022-07-04T04:34:00+07:00"),
    # Site B lists, baotravinh, baonamdinh
    ("25/03/2023", "2023-03-25T00:00:00+07:00"),
    ("08:05 21/10/2020", "2020-10-21T08:05:00+07:00"),
    ("08/04/2025 07:26", "2025-04-08T07:26:00+07:00"),
    ("Cập nhật lúc: 18:00 |22/05/2022", "2022-05-22T18:00:00+07:00"),
    # lyluanchinhtri: month written as a word
    ("Thứ tư, 08 Tháng 9 2021 15:09", "2021-09-08T15:09:00+07:00"),
    ("08 tháng 9 năm 2021", "2021-09-08T00:00:00+07:00"),
    ("ngày 09 tháng 8 năm 2021", "2021-08-09T00:00:00+07:00"),
    (nfd("Ngày 09 tháng 08, năm 2021"), "2021-08-09T00:00:00+07:00"),
    # labelled forms from other Party and state sites
    ("27/12/2024 lúc 00:02 (GMT+7)", "2024-12-27T00:02:00+07:00"),
    ("Ngày post: 20-11-2024", "2024-11-20T00:00:00+07:00"),
    ("Ngày cập nhật : 07/01/2016", "2016-01-07T00:00:00+07:00"),
    ("Ngày đăng: 10/01/2023 08:15", "2023-01-10T08:15:00+07:00"),
    ("Thứ hai, 05/01/2026 - 08:27", "2026-01-05T08:27:00+07:00"),
    ("Thứ tư 11/02/2026 23:43", "2026-02-11T23:43:00+07:00"),
    ("22.05.2022", "2022-05-22T00:00:00+07:00"),
    ("14g30 ngày 25/03/2023", "2023-03-25T14:30:00+07:00"),
    ("Ngày 25/03/2023 vào lúc 7h30", "2023-03-25T07:30:00+07:00"),
    # 12-hour clocks: AM/PM and Vietnamese SA (sáng, morning) / CH (chiều, afternoon)
    ("10/01/2023 8:15 AM", "2023-01-10T08:15:00+07:00"),
    ("10/01/2023 8:15 PM", "2023-01-10T20:15:00+07:00"),
    ("10/01/2023 12:05 AM", "2023-01-10T00:05:00+07:00"),
    ("10/01/2023 8:15 SA", "2023-01-10T08:15:00+07:00"),
    ("10/01/2023 8:15 CH", "2023-01-10T20:15:00+07:00"),
    # odd spaces and dashes from real pages
    ("Ngày\u00a025/03/2023\u00a0lúc\u202f7:30", "2023-03-25T07:30:00+07:00"),
    ("11/8/2022\u200b14:02", "2022-08-11T14:02:00+07:00"),
    ("Ngày post: 20\u201111\u20112024", "2024-11-20T00:00:00+07:00"),
    ("Thứ hai \u2013 04/07/2022 04:34", "2022-07-04T04:34:00+07:00"),
    # day-first always: 04/07 is 4 July, 12/01 is 12 January
    ("04/07/2022", "2022-07-04T00:00:00+07:00"),
    ("12/01/2023", "2023-01-12T00:00:00+07:00"),
    # found anywhere inside longer text
    ("Kế hoạch số 34-KH/ĐUK, ngày 20/10/2021 của Đảng ủy Khối", "2021-10-20T00:00:00+07:00"),
    ("  \n\t Lượt xem: 6783 | Ngày đăng: 10/01/2023 08:15 \n", "2023-01-10T08:15:00+07:00"),
])
def test_parses(text, expected):
    assert parse_vietnamese_date(text).isoformat() == expected


def test_result_is_aware_and_in_vietnam_time():
    parsed = parse_vietnamese_date("2022-07-03T21:34:00Z")
    assert parsed.tzinfo is VN_TZ
    assert str(VN_TZ) == "Asia/Ho_Chi_Minh"


@pytest.mark.parametrize("text, expected", [
    ("Thứ hai - 04/07/2022 04:34", True),
    ("04:35 15/03/2016", True),
    ("2022-07-04T04:34:00+07:00", True),
    ("(19/11/2021)", False),
    ("2022-07-04", False),
    ("Ngày post: 20-11-2024", False),
    ("01/01/2022 25:61", False),
    ("abc", False),
    (None, False),
])
def test_has_time_tells_a_real_midnight_from_no_time(text, expected):
    assert has_time(text) is expected


@pytest.mark.parametrize("text", [
    None, "", "   ", "abc", "Thống kê truy cập", "Đang online: 17", "Lượt xem: 6783", "17 - ĐA/TU",
    "Đề án số 17 - ĐA/TU", "08-CTr/TU", "Số 12/2021/NĐ-CP", "Tổng lượt truy cập: 8,877", "14:02", "tháng 9/2021",
    "1.2.2021.5", "\x00\xff\ufffd garbage \u202e",
    os.urandom(4096).decode("latin-1"), os.urandom(4096).decode("utf-8", "surrogateescape"),
    b"04/07/2022", 20220704,  # wrong types are rejected, not raised on
])
def test_garbage_gives_none(text):
    assert parse_vietnamese_date(text) is None


@pytest.mark.parametrize("text", [
    "32/13/2022", "31/02/2022", "29/02/2023", "00/01/2022", "12/12/1850", "01/01/2101",
    "2022-13-01", "32 tháng 1 năm 2022", "2022-07-04T25:61:00",
])
def test_invalid_values_are_rejected(text):
    assert parse_vietnamese_date(text) is None


def test_leap_day_is_valid():
    assert parse_vietnamese_date("29/02/2024").isoformat() == "2024-02-29T00:00:00+07:00"


@pytest.mark.parametrize("text, expected", [
    ("99/99/2022 hoặc 02/03/2022", "2022-03-02T00:00:00+07:00"),
    ("01/01/1850, 05/07/2022 10:00", "2022-07-05T10:00:00+07:00"),
    ("2022-07-04T25:61:00 hoặc 05/07/2022", "2022-07-05T00:00:00+07:00"),
])
def test_an_invalid_date_gives_way_to_the_next(text, expected):
    assert parse_vietnamese_date(text).isoformat() == expected


@pytest.mark.parametrize("text", ["01/01/2022 25:61", "25:61 01/01/2022", "01/01/2022 10:75"])
def test_an_invalid_time_is_dropped_but_the_date_kept(text):
    assert parse_vietnamese_date(text).isoformat() == "2022-01-01T00:00:00+07:00"


def test_the_first_date_wins():
    # tuyengiao pages open with today's date; callers must hand over the publication element.
    header = "Thứ Năm, 18/4/2024 Ban Tuyên giáo Trung ương Thứ Năm, 11/8/2022 14:2'(GMT+7)"
    assert parse_vietnamese_date(header).isoformat() == "2024-04-18T00:00:00+07:00"


def test_a_time_between_two_dates_goes_with_its_own_date():
    tag_list = "04:35 15/03/2016 04:36 16/03/2016"  # NukeViet tag rows: time first
    assert parse_vietnamese_date(tag_list).isoformat() == "2016-03-15T04:35:00+07:00"
    category_list = "08/04/2025 07:26 09/04/2025 08:00"  # date first
    assert parse_vietnamese_date(category_list).isoformat() == "2025-04-08T07:26:00+07:00"


@pytest.mark.parametrize("text", [
    "x" * 10_000_000,
    "1/" * 5_000_000,
    "1" * 10_000_000,
    "1:1 " * 2_500_000,
    "11/11/" * 1_700_000,
    "12 tháng " * 1_100_000,
    "01/01/1800 12:00 " * 600_000,
    "2022-13-01T25:00 " * 600_000,
    "\u00a0" * 10_000_000,
])
def test_long_adversarial_input_is_none(text):
    assert parse_vietnamese_date(text) is None


def test_long_input_is_read_from_its_start_only():
    assert parse_vietnamese_date("Ngày đăng: 10/01/2023 " + "x" * 10_000_000).isoformat() == "2023-01-10T00:00:00+07:00"
    assert parse_vietnamese_date("x" * 10_000_000 + " 11/8/2022") is None  # no date element is that long
