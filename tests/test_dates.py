"""parse_vietnamese_date: every date form in the dossier (sites.md §2, §4, §7), day-first, +07:00."""

import unicodedata

import pytest

from crawler.dates import parse_vietnamese_date


@pytest.mark.parametrize("text, expected", [
    # tuyengiao.vn: weekday, unpadded day/month/hour/minute, apostrophe, (GMT+7)
    ("Thứ Năm, 11/8/2022 14:2'(GMT+7)", "2022-08-11T14:02:00+07:00"),
    ("Thứ Sáu, 24/1/2020 9:1'(GMT+7)", "2020-01-24T09:01:00+07:00"),
    ("Thứ Năm, 8/6/2023 14:46'(GMT+7)", "2023-06-08T14:46:00+07:00"),
    ("Chủ Nhật, 3/9/2023 7:30'(GMT+7)", "2023-09-03T07:30:00+07:00"),
    (unicodedata.normalize("NFD", "Thứ Năm, 11/8/2022 14:2'(GMT+7)"), "2022-08-11T14:02:00+07:00"),
    # NukeViet detail line, list and tag forms, related lists
    ("Thứ hai - 04/07/2022 04:34", "2022-07-04T04:34:00+07:00"),
    ("Thứ tư - 28/09/2022 21:45   Đã xem: 254   Phản hồi: 0", "2022-09-28T21:45:00+07:00"),
    ("04/07/2022 04:34:00", "2022-07-04T04:34:00+07:00"),
    ("04:35 15/03/2016", "2016-03-15T04:35:00+07:00"),
    ("20:35 19/11/2024", "2024-11-19T20:35:00+07:00"),
    ("(19/11/2021)", "2021-11-19T00:00:00+07:00"),
    # NukeViet metadata, including the ICT forms
    ("2022-07-04T04:34:00+07:00", "2022-07-04T04:34:00+07:00"),
    ("2022-07-04T04:34:00", "2022-07-04T04:34:00+07:00"),
    ("2022-07-04 04:34:00", "2022-07-04T04:34:00+07:00"),
    ("2022-07-03T21:34:00Z", "2022-07-04T04:34:00+07:00"),
    ("2022-07-04T04:34:00ICT", "2022-07-04T04:34:00+07:00"),
    ("Mon, 04 Jul 2022 04:34:00 ICT", "2022-07-04T04:34:00+07:00"),
    ("Sun, 03 Jul 2022 21:34:00 +0000", "2022-07-04T04:34:00+07:00"),
    ("04/07/2022 04:34 ICT", "2022-07-04T04:34:00+07:00"),
    # provincial portals and newspapers
    ("25/03/2023", "2023-03-25T00:00:00+07:00"),
    ("08:05 21/10/2020", "2020-10-21T08:05:00+07:00"),
    ("08/04/2025 07:26", "2025-04-08T07:26:00+07:00"),
    ("Cập nhật lúc: 18:00 |22/05/2022", "2022-05-22T18:00:00+07:00"),
    ("Thứ tư, 08 Tháng 9 2021 15:09", "2021-09-08T15:09:00+07:00"),
    ("ngày 09 tháng 8 năm 2021", "2021-08-09T00:00:00+07:00"),
    ("27/12/2024 lúc 00:02 (GMT+7)", "2024-12-27T00:02:00+07:00"),
    ("Ngày post: 20-11-2024", "2024-11-20T00:00:00+07:00"),
    ("Ngày cập nhật : 07/01/2016", "2016-01-07T00:00:00+07:00"),
    ("Ngày đăng: 10/01/2023 08:15", "2023-01-10T08:15:00+07:00"),
    ("Thứ hai, 05/01/2026 - 08:27", "2026-01-05T08:27:00+07:00"),
    ("Thứ tư 11/02/2026 23:43", "2026-02-11T23:43:00+07:00"),
    ("22.05.2022", "2022-05-22T00:00:00+07:00"),
    ("10/01/2023 8:15 PM", "2023-01-10T20:15:00+07:00"),
    ("10/01/2023 8:15 SA", "2023-01-10T08:15:00+07:00"),
    ("Ngày\u00a025/03/2023\u00a0lúc 7h30", "2023-03-25T07:30:00+07:00"),
    # day-first always: 04/07 is 4 July
    ("04/07/2022", "2022-07-04T00:00:00+07:00"),
])
def test_parses(text, expected):
    assert parse_vietnamese_date(text).isoformat() == expected


@pytest.mark.parametrize("text", [
    None, "", "   ", "abc", "Thống kê truy cập", "Đang online: 17", "Lượt xem: 6783", "17 - ĐA/TU",
    "Đề án số 17", "32/13/2022", "31/02/2022", "29/02/2023", "12/12/1850", "01/01/2300",
    "\x00\xff\ufffd garbage \u202e",
])
def test_garbage_gives_none(text):
    assert parse_vietnamese_date(text) is None


def test_an_invalid_time_keeps_the_date():
    assert parse_vietnamese_date("25:61 01/01/2022").isoformat() == "2022-01-01T00:00:00+07:00"


def test_the_first_valid_date_wins():
    assert parse_vietnamese_date("99/99/2022 hoặc 02/03/2022").isoformat() == "2022-03-02T00:00:00+07:00"


def test_huge_input_is_cut_to_a_date_line():
    assert parse_vietnamese_date("1/" * 5_000_000) is None
    assert parse_vietnamese_date("x" * 10_000_000 + " 11/8/2022") is None  # beyond any date line
