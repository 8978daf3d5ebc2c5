"""crawler/extract/gazetteer.py (provinces before and after 2025) and crawler/extract/people.py
("đồng chí X"). Pure and fast; run with -s to see the precision and recall."""

from __future__ import annotations

import importlib
import unicodedata
from pathlib import Path

import pytest

from crawler.extract import gazetteer, people

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "tests" / "fixtures" / "seeds"

find_places = gazetteer.find_places
find_people = people.find_people


# ------------------------------------------------------------------ the gazetteer itself

def test_63_provinces_become_34():
    assert len(gazetteer.PROVINCES_OLD) == len(set(gazetteer.PROVINCES_OLD)) == 63
    assert len(gazetteer.PROVINCES_NEW) == 34
    assert sum(len(m) == 1 for m in gazetteer.MERGED_INTO.values()) == 11  # unchanged
    assert sum(len(m) > 1 for m in gazetteer.MERGED_INTO.values()) == 23  # merged
    for new, members in gazetteer.MERGED_INTO.items():
        assert new == members[0] or (new, members) == ("Huế", ("Thừa Thiên Huế",))  # named after a member
    assert set(gazetteer.CITIES_2025) <= set(gazetteer.PROVINCES_NEW)
    assert set(gazetteer.CITIES_OLD) <= set(gazetteer.PROVINCES_OLD)


def test_agrees_with_the_site_registry():
    """The registry's mapping (crawler/sites, formerly crawler/registry.py) is derived from this one."""
    for module in ("crawler.sites", "crawler.registry"):
        try:
            registry = importlib.import_module(module)
            mapping = registry.PROVINCES_2025
            break
        except (ImportError, AttributeError):
            continue
    else:
        pytest.skip("no site registry with PROVINCES_2025 importable here")
    for name, new in mapping.items():
        assert gazetteer.province_2025(name) == new, name
    assert set(gazetteer.PROVINCES_OLD) <= set(mapping)
    assert mapping == {**gazetteer.PROVINCE_2025, **{new: new for new in gazetteer.PROVINCES_NEW}}


@pytest.mark.parametrize(("name", "new"), [
    ("Hà Giang", "Tuyên Quang"), ("Yên Bái", "Lào Cai"), ("Bắc Kạn", "Thái Nguyên"), ("Vĩnh Phúc", "Phú Thọ"),
    ("Hòa Bình", "Phú Thọ"), ("Bắc Giang", "Bắc Ninh"), ("Thái Bình", "Hưng Yên"), ("Hải Dương", "Hải Phòng"),
    ("Hà Nam", "Ninh Bình"), ("Nam Định", "Ninh Bình"), ("Quảng Bình", "Quảng Trị"), ("Quảng Nam", "Đà Nẵng"),
    ("Kon Tum", "Quảng Ngãi"), ("Bình Định", "Gia Lai"), ("Ninh Thuận", "Khánh Hòa"), ("Đắk Nông", "Lâm Đồng"),
    ("Bình Thuận", "Lâm Đồng"), ("Phú Yên", "Đắk Lắk"), ("Bình Dương", "Hồ Chí Minh"),
    ("Bà Rịa - Vũng Tàu", "Hồ Chí Minh"), ("Bình Phước", "Đồng Nai"), ("Long An", "Tây Ninh"),
    ("Sóc Trăng", "Cần Thơ"), ("Hậu Giang", "Cần Thơ"), ("Bến Tre", "Vĩnh Long"), ("Trà Vinh", "Vĩnh Long"),
    ("Tiền Giang", "Đồng Tháp"), ("Bạc Liêu", "Cà Mau"), ("Kiên Giang", "An Giang"), ("Thừa Thiên Huế", "Huế"),
    ("Huế", "Huế"), ("Cao Bằng", "Cao Bằng"), ("Quảng Ninh", "Quảng Ninh"), ("Hà Nội", "Hà Nội"),
    ("TP.HCM", "Hồ Chí Minh"), ("BR-VT", "Hồ Chí Minh"), ("Thanh Hoá", "Thanh Hóa"), ("Vinh Phuc", "Phú Thọ"),
    (unicodedata.normalize("NFD", "Vĩnh Phúc"), "Phú Thọ"), ("Atlantis", None), (None, None),
])
def test_province_2025(name, new):
    assert gazetteer.province_2025(name) == new


# ------------------------------------------------------------------ places in texts

# (text, the places found as (province_2025, province_old), in order)
PLACE_CASES: list[tuple[str, list[tuple[str, str | None]]]] = [
    ("Ban Tuyên giáo Tỉnh ủy Vĩnh Phúc tổ chức hội nghị", [("Phú Thọ", "Vĩnh Phúc")]),
    ("UBND tỉnh Bắc Giang ban hành kế hoạch", [("Bắc Ninh", "Bắc Giang")]),
    ("Đoàn công tác làm việc tại TP HCM", [("Hồ Chí Minh", "Hồ Chí Minh")]),
    ("Đoàn công tác làm việc tại TP.HCM", [("Hồ Chí Minh", "Hồ Chí Minh")]),
    ("Đại hội Đảng bộ Tp. Hồ Chí Minh", [("Hồ Chí Minh", "Hồ Chí Minh")]),
    ("Thành ủy Thành phố Hồ Chí Minh", [("Hồ Chí Minh", "Hồ Chí Minh")]),
    ("Học viện Chính trị quốc gia Hồ Chí Minh ở HN", [("Hà Nội", "Hà Nội")]),
    ("Công an tỉnh BR-VT", [("Hồ Chí Minh", "Bà Rịa - Vũng Tàu")]),
    ("tỉnh Bà Rịa – Vũng Tàu", [("Hồ Chí Minh", "Bà Rịa - Vũng Tàu")]),
    ("tỉnh Thừa Thiên Huế", [("Huế", "Thừa Thiên Huế")]),
    ("tỉnh Thừa Thiên - Huế", [("Huế", "Thừa Thiên Huế")]),
    ("thành phố Huế trực thuộc Trung ương từ năm 2025", [("Huế", None)]),
    ("Tỉnh ủy Hà Nam", [("Ninh Bình", "Hà Nam")]),
    ("Nam Định hướng tới phát triển công nghiệp", [("Ninh Bình", "Nam Định")]),
    ("tỉnh Long An và tỉnh Tây Ninh", [("Tây Ninh", "Long An"), ("Tây Ninh", "Tây Ninh")]),
    ("Quang Ninh province", [("Quảng Ninh", "Quảng Ninh")]),
    ("Ha Noi, Viet Nam", [("Hà Nội", "Hà Nội")]),
    ("Hanoi Capital", [("Hà Nội", "Hà Nội")]),
    ("QUẢNG NINH: TIẾP TỤC THỰC HIỆN", [("Quảng Ninh", "Quảng Ninh")]),
    ("tỉnh Thanh Hoá", [("Thanh Hóa", "Thanh Hóa")]),
    ("tỉnh Khánh Hoà", [("Khánh Hòa", "Khánh Hòa")]),
    ("tỉnh Hoà Bình", [("Phú Thọ", "Hòa Bình")]),
    ("Đắc Lắc, Đăk Lăk và Daklak", [("Đắk Lắk", "Đắk Lắk")]),
    ("tỉnh Bắc Cạn", [("Thái Nguyên", "Bắc Kạn")]),
    ("Kontum", [("Quảng Ngãi", "Kon Tum")]),
    ("thành phố Thái Bình, tỉnh Thái Bình", [("Hưng Yên", "Thái Bình")]),
    ("Về Quảng Ninh, đoàn đã làm việc", [("Quảng Ninh", "Quảng Ninh")]),
    ("Báo Quảng Ninh đưa tin", [("Quảng Ninh", "Quảng Ninh")]),
    ("Thủ đô Hà Nội", [("Hà Nội", "Hà Nội")]),
    ("thành phố Phổ Yên, Thái Nguyên", [("Thái Nguyên", "Thái Nguyên")]),
    ("TT-Huế", [("Huế", "Thừa Thiên Huế")]),
    ("Tp Cần Thơ và tỉnh Hậu Giang", [("Cần Thơ", "Cần Thơ"), ("Cần Thơ", "Hậu Giang")]),
    ("tỉnh Hà Nam Ninh (1976-1991)", [("Ninh Bình", None)]),
    ("tỉnh Hà Tây cũ", [("Hà Nội", None)]),
    ("Ho Chi Minh City", [("Hồ Chí Minh", "Hồ Chí Minh")]),
    ("Thua Thien Hue", [("Huế", "Thừa Thiên Huế")]),
    ("Bình Định, Gia Lai", [("Gia Lai", "Bình Định"), ("Gia Lai", "Gia Lai")]),
    ("Trưởng ban Tuyên giáo Tỉnh ủy Quảng Ninh Vi Ngọc Bích", [("Quảng Ninh", "Quảng Ninh")]),
    ("Chủ tịch UBND cấp huyện. Vĩnh Phúc có 2 tập thể", [("Phú Thọ", "Vĩnh Phúc")]),  # not "huyện Vĩnh Phúc"
    (unicodedata.normalize("NFD", "Tỉnh ủy Vĩnh Phúc"), [("Phú Thọ", "Vĩnh Phúc")]),
]

# Texts naming no province.
PLACE_TRAPS = [
    "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh", "Bảo tàng Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh",
    "chị Huế, đồng chí Huế", "long an, hà nam, quảng ninh viết thường", "ha noi", "nam định hướng phát triển",
    "xã Quảng Ninh", "huyện Hòa Bình", "phường Thái Bình",
    "sông Đồng Nai", "đường Hà Nội", "Xa lộ Hà Nội", "ông Trần Thái Bình", "chị Nguyễn Hà Giang", "Lê Quảng Bình",
    "Thái Bình Dương", "Hiệp định CPTPP xuyên Thái Bình Dương", "vùng Đồng Tháp Mười", "Giải Nobel Hòa Bình",
    "Trường THPT Chuyên Bắc Ninh", "tỉnh Sông Bé cũ", "tỉnh Nghĩa Bình", "Hue", "hòa bình thế giới", "định hướng",
    "vinh phuc", "cao bằng", "thôn Lào Cai", "ấp Long An", "chợ Bến Tre", "cầu Cần Thơ",
]


def place_pairs(text: str) -> list[tuple[str, str | None]]:
    return [(p.province_2025, p.province_old) for p in find_places(text)]


def test_places_precision_and_recall():
    tp = fp = fn = 0
    problems = []
    for text, expected in PLACE_CASES:
        got = place_pairs(text)
        tp += len(set(got) & set(expected))
        fp += len(set(got) - set(expected))
        fn += len(set(expected) - set(got))
        if got != expected:
            problems.append((text, expected, got))
    trap_hits = {text: place_pairs(text) for text in PLACE_TRAPS if place_pairs(text)}
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"\nplaces: {len(PLACE_CASES)} cases, precision {precision:.3f}, recall {recall:.3f}; "
          f"{len(PLACE_TRAPS)} traps, {len(trap_hits)} with a false positive")
    assert len(PLACE_CASES) >= 30 and len(PLACE_TRAPS) >= 30
    assert problems == []
    assert trap_hits == {}


def test_place_evidence_and_counts():
    text = "Vĩnh Phúc: Chú trọng tham mưu\nBan Tuyên giáo Tỉnh ủy Vĩnh Phúc ... tỉnh Vĩnh Phúc và TP.HCM"
    places = find_places(text, title="Vĩnh Phúc: Chú trọng tham mưu", site_province="Vĩnh Phúc")
    assert [(p.province_2025, p.province_old, p.evidence, p.count, p.first) for p in places] == [
        ("Phú Thọ", "Vĩnh Phúc", ("title_prefix", "site", "mention"), 3, 0),  # title not counted twice
        ("Hồ Chí Minh", "Hồ Chí Minh", ("mention",), 1, text.index("TP.HCM")),
    ]


def test_site_and_title_only():
    places = find_places("Hội nghị tổng kết công tác năm 2023.", title="Quảng Ninh - Hội nghị tổng kết",
                         site_province="Trà Vinh")
    assert [(p.province_2025, p.province_old, p.evidence, p.count, p.first) for p in places] == [
        ("Quảng Ninh", "Quảng Ninh", ("title_prefix", "mention"), 1, None),
        ("Vĩnh Long", "Trà Vinh", ("site",), 0, None),
    ]
    assert find_places("", site_province="Huế")[0].province_old is None
    assert find_places("", title="Một bài ở Quảng Ninh: không mở đầu bằng tên tỉnh")[0].evidence == ("mention",)
    with pytest.raises(ValueError):
        find_places("", site_province="Atlantis")


def test_offsets_index_the_input_even_in_nfd():
    nfd = unicodedata.normalize("NFD", "Đoàn công tác của tỉnh Vĩnh Phúc")
    (place,) = find_places(nfd)
    assert place.first == nfd.index(unicodedata.normalize("NFD", "Vĩnh Phúc"))


@pytest.mark.parametrize(("seed", "expected"), [
    ("000", [("Phú Thọ", "Vĩnh Phúc")]),
    ("001", [("Vĩnh Long", "Trà Vinh")]),
    ("002", [("Thái Nguyên", "Thái Nguyên")]),
    ("003", [("Lào Cai", "Lào Cai")]),
    ("004", [("Quảng Ninh", "Quảng Ninh")]),
])
def test_seed_places(seed, expected):
    text = (SEEDS / f"{seed}.txt").read_text(encoding="utf-8")
    assert place_pairs(text) == expected


# ------------------------------------------------------------------ people

# (text, the people as (name, title), in order)
PEOPLE_CASES: list[tuple[str, list[tuple[str, str | None]]]] = [
    ("đồng chí Nguyễn Văn An, Bí thư Tỉnh ủy phát biểu", [("Nguyễn Văn An", "Bí thư Tỉnh ủy")]),
    ("Đồng chí Trần Văn Bình phát biểu", [("Trần Văn Bình", None)]),
    ("đ/c Lê Văn Cường, Chủ tịch UBND tỉnh", [("Lê Văn Cường", "Chủ tịch UBND tỉnh")]),
    ("Đ/c Phạm Thị Dung", [("Phạm Thị Dung", None)]),
    ("các đồng chí: Nguyễn Văn An, Trần Thị Bích và Lê Văn Cường",
     [("Nguyễn Văn An", None), ("Trần Thị Bích", None), ("Lê Văn Cường", None)]),
    ("các đồng chí Nguyễn Văn An, Bí thư Tỉnh ủy; Trần Văn Bình, Chủ tịch UBND tỉnh và Lê Văn Cường, Phó Chủ tịch "
     "HĐND tỉnh dự hội nghị",
     [("Nguyễn Văn An", "Bí thư Tỉnh ủy"), ("Trần Văn Bình", "Chủ tịch UBND tỉnh"),
      ("Lê Văn Cường", "Phó Chủ tịch HĐND tỉnh")]),
    ("Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy, đồng chí Nguyễn Văn An phát biểu",
     [("Nguyễn Văn An", "Ủy viên Trung ương Đảng, Bí thư Tỉnh ủy")]),
    ("Thay mặt lãnh đạo tỉnh, Phó Bí thư Thường trực Tỉnh ủy, đồng chí Nguyễn Văn An chủ trì",
     [("Nguyễn Văn An", "Phó Bí thư Thường trực Tỉnh ủy")]),
    ("Tham dự có Bí thư Tỉnh ủy đồng chí Nguyễn Văn An.", [("Nguyễn Văn An", "Bí thư Tỉnh ủy")]),
    ("đồng chí Bí thư Tỉnh ủy Quảng Ninh Nguyễn Xuân Ký phát biểu", [("Nguyễn Xuân Ký", "Bí thư Tỉnh ủy Quảng Ninh")]),
    ("đồng chí Phó Chủ tịch UBND tỉnh Hà Nam Lê Văn Sơn", [("Lê Văn Sơn", "Phó Chủ tịch UBND tỉnh Hà Nam")]),
    ("đồng chí Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam Đỗ Văn Chiến",
     [("Đỗ Văn Chiến", "Chủ tịch Ủy ban Mặt trận Tổ quốc Việt Nam")]),
    ("Bài phát biểu của đồng chí Tổng Bí thư Nguyễn Phú Trọng tại Hội nghị", [("Nguyễn Phú Trọng", "Tổng Bí thư")]),
    ("đồng chí Hầu A Lềnh, Ủy viên Trung ương Đảng", [("Hầu A Lềnh", "Ủy viên Trung ương Đảng")]),
    ("đồng chí Nguyễn Văn An (Bí thư Tỉnh ủy) dự", [("Nguyễn Văn An", "Bí thư Tỉnh ủy")]),
    ("đồng chí Nguyễn Văn An - Bí thư Tỉnh ủy", [("Nguyễn Văn An", "Bí thư Tỉnh ủy")]),
    ("đồng chí Nguyễn Văn An, nguyên Bí thư Tỉnh ủy", [("Nguyễn Văn An", "nguyên Bí thư Tỉnh ủy")]),
    ("đồng chí Nguyễn Văn An, Ủy viên dự khuyết Trung ương Đảng, Bí thư Tỉnh ủy",
     [("Nguyễn Văn An", "Ủy viên dự khuyết Trung ương Đảng, Bí thư Tỉnh ủy")]),
    ("đồng chí Thiếu tướng Nguyễn Văn An, Giám đốc Công an tỉnh",
     [("Nguyễn Văn An", "Thiếu tướng, Giám đốc Công an tỉnh")]),
    ("đồng chí GS.TS Nguyễn Xuân Thắng", [("Nguyễn Xuân Thắng", "GS.TS")]),
    ("đồng chí Nguyễn Văn An, Giám đốc Quỹ Đầu tư phát triển tỉnh cho biết",
     [("Nguyễn Văn An", "Giám đốc Quỹ Đầu tư phát triển tỉnh")]),
    ("Đồng chí Đoàn Hùng Vũ Hưng,", [("Đoàn Hùng Vũ Hưng", None)]),
    ("đồng chí Nguyễn Văn An, Bí thư Tỉnh ủy và đồng chí Trần Văn Bình",
     [("Nguyễn Văn An", "Bí thư Tỉnh ủy"), ("Trần Văn Bình", None)]),
    ("Đồng chí Nguyễn Văn An. Bí thư Tỉnh ủy", [("Nguyễn Văn An", None)]),
    ("đồng chí Vũ Huy Hoàng, Ủy viên Ban Thường vụ, Trưởng ban Tuyên giáo Tỉnh ủy Thái Nguyên; đồng chí Bùi Văn Lương",
     [("Vũ Huy Hoàng", "Ủy viên Ban Thường vụ, Trưởng ban Tuyên giáo Tỉnh ủy Thái Nguyên"), ("Bùi Văn Lương", None)]),
    ("đồng chí Nguyễn Xuân Trường, Phó Bí thư thường trực Thành ủy Phổ Yên cho biết",
     [("Nguyễn Xuân Trường", "Phó Bí thư thường trực Thành ủy Phổ Yên")]),
    ("Đồng chí Trần Đoàn Hưng, Phó Vụ trưởng, Phó Chánh văn phòng BCĐ 35 Trung ương trao đổi",
     [("Trần Đoàn Hưng", "Phó Vụ trưởng, Phó Chánh văn phòng BCĐ 35 Trung ương")]),
    ("đồng chí Vi Ngọc Bích, Trưởng ban Tuyên giáo Tỉnh ủy Quảng Ninh cho biết",
     [("Vi Ngọc Bích", "Trưởng ban Tuyên giáo Tỉnh ủy Quảng Ninh")]),
    ("đồng chí Ngô Hoàng Ngân, Phó Bí thư Thường trực Tỉnh ủy Quảng Ninh, Trưởng đoàn đại biểu Quốc hội, đại diện",
     [("Ngô Hoàng Ngân", "Phó Bí thư Thường trực Tỉnh ủy Quảng Ninh, Trưởng đoàn đại biểu Quốc hội")]),
    ("Đồng chí Lại Xuân Môn phát biểu kết luận tại buổi làm việc", [("Lại Xuân Môn", None)]),
    ("đồng chí Nguyễn Văn An Bí thư Tỉnh ủy phát biểu", [("Nguyễn Văn An", "Bí thư Tỉnh ủy")]),
    ("do đồng chí Lò Văn Pao, Bí thư Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh làm trưởng đoàn",
     [("Lò Văn Pao", "Bí thư Đảng ủy Khối các cơ quan và doanh nghiệp tỉnh")]),
    ("đồng chí Nguyễn Văn An, Giám đốc Sở Giáo dục và Đào tạo và đồng chí Lê Văn Cường",
     [("Nguyễn Văn An", "Giám đốc Sở Giáo dục và Đào tạo"), ("Lê Văn Cường", None)]),
    ("đồng chí Trần Thị Thu Hằng, Chủ tịch Hội Liên hiệp Phụ nữ tỉnh",
     [("Trần Thị Thu Hằng", "Chủ tịch Hội Liên hiệp Phụ nữ tỉnh")]),
    (unicodedata.normalize("NFD", "đồng chí Nguyễn Văn An, Bí thư Tỉnh ủy"), [("Nguyễn Văn An", "Bí thư Tỉnh ủy")]),
]

# Texts introducing nobody (or nobody with a full name).
PEOPLE_TRAPS = [
    "Các đồng chí chủ trì buổi làm việc.", "kết quả triển khai được 452 cuộc có 8.842 đồng chí dự",
    "đồng chí Bí thư phát biểu", "các đồng chí lãnh đạo tỉnh", "Bí thư Tỉnh ủy Nguyễn Văn An phát biểu",
    "Nguyễn Văn An và Trần Văn Bình", "đồng chí Hưng cho biết", "đồng chí Nguyễn Văn An Lê Thị Bích Trần Cường",
    "ĐỒNG CHÍ NGUYỄN VĂN AN", "đồng chí Bí thư Tỉnh ủy Hà Nam phát biểu", "đồng chí Bí thư Huyện ủy Lập Thạch",
    "Thượng tá Nguyễn Trung Kiên - Phó Bí thư chi bộ", "Thầy giáo Đào Chí Mạnh - Hiệu trưởng",
    "ông Trương Minh Chân - Trưởng thôn", "Chủ tịch Hồ Chí Minh", "đồng chí ấy", "đồng chí: ",
    "các đồng chí thành viên",
    "đồng chí Tỉnh ủy viên", "đồng chí Ban Thường vụ Tỉnh ủy", "tình đồng chí, đồng đội", "đồng chí Quảng Ninh",
    "Đồng chí Tổng Bí thư nhấn mạnh", "cán bộ, đồng chí, đồng nghiệp", "đồng chí Y Thanh Hà Niê Kđăm",
    "mỗi đồng chí đảng viên", "hai đồng chí được khen thưởng", "đồng chí được giao",
    "Bí thư Thành ủy Phổ Yên Bùi Văn Lương",
    "các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy",
]


def people_pairs(text: str) -> list[tuple[str, str | None]]:
    return [(p.name, p.title) for p in find_people(text)]


def test_people_precision_and_recall():
    tp = fp = fn = 0
    problems = []
    name_tp = name_fp = name_fn = 0
    for text, expected in PEOPLE_CASES:
        got = people_pairs(text)
        tp += len(set(got) & set(expected))
        fp += len(set(got) - set(expected))
        fn += len(set(expected) - set(got))
        got_names, want_names = {n for n, _ in got}, {n for n, _ in expected}
        name_tp += len(got_names & want_names)
        name_fp += len(got_names - want_names)
        name_fn += len(want_names - got_names)
        if got != expected:
            problems.append((text, expected, got))
    trap_hits = {text: people_pairs(text) for text in PEOPLE_TRAPS if people_pairs(text)}
    print(f"\npeople: {len(PEOPLE_CASES)} cases; names precision {name_tp / (name_tp + name_fp):.3f} recall "
          f"{name_tp / (name_tp + name_fn):.3f}; name+title precision {tp / (tp + fp):.3f} recall "
          f"{tp / (tp + fn):.3f}; {len(PEOPLE_TRAPS)} traps, {len(trap_hits)} with a false positive")
    assert len(PEOPLE_CASES) >= 30 and len(PEOPLE_TRAPS) >= 30
    assert problems == []
    assert trap_hits == {}


def test_counts_and_first_offsets():
    text = ("Bí thư Thành ủy Phổ Yên Bùi Văn Lương phát biểu. Tại buổi làm việc, đồng chí Bùi Văn Lương, Bí thư "
            "Thành ủy, cho biết. Đồng chí Bùi Văn Lương nhấn mạnh; ông Trần Bùi Văn Lương không phải là người đó.")
    (person,) = find_people(text)
    assert (person.name, person.title, person.count, person.first) == (
        "Bùi Văn Lương", "Bí thư Thành ủy", 3, text.index("Bùi Văn Lương"))


def test_nfd_offsets():
    nfd = unicodedata.normalize("NFD", "Phát biểu, đồng chí Lại Xuân Môn nhấn mạnh")
    (person,) = find_people(nfd)
    assert person.name == "Lại Xuân Môn"
    assert person.first == nfd.index(unicodedata.normalize("NFD", "Lại Xuân Môn"))


def test_seed_people():
    found = {p.name: p.title for p in find_people((SEEDS / "002.txt").read_text(encoding="utf-8"))}
    assert found == {
        "Vũ Huy Hoàng": "Ủy viên Ban Thường vụ, Trưởng ban Tuyên giáo Tỉnh ủy Thái Nguyên",
        "Bùi Văn Lương": "Ủy viên Ban Thường vụ, Bí thư Thành ủy Phổ Yên",
        "Nguyễn Xuân Trường": "Phó Bí thư thường trực Thành ủy Phổ Yên",
        "Nguyễn Phú Trọng": "Tổng Bí thư",
        "Đoàn Hùng Vũ Hưng": None,
        "Trần Đoàn Hưng": "Phó Vụ trưởng, Phó Chánh văn phòng BCĐ 35 Trung ương",
        "Lại Xuân Môn": None,
    }
    found = {p.name: p.title for p in find_people((SEEDS / "004.txt").read_text(encoding="utf-8"))}
    assert found == {
        "Ngô Hoàng Ngân": "Phó Bí thư Thường trực Tỉnh ủy Quảng Ninh, Trưởng đoàn đại biểu Quốc hội",
        "Vi Ngọc Bích": "Trưởng ban Tuyên giáo Tỉnh ủy Quảng Ninh",
        "Lại Xuân Môn": None,
    }
    # 000, 001 and 003 introduce nobody as "đồng chí" (000 names people, as "Thầy giáo", "Thượng tá", "ông")
    for seed in ("000", "001", "003"):
        assert find_people((SEEDS / f"{seed}.txt").read_text(encoding="utf-8")) == []


def test_people_places_cover_the_gazetteer():
    """people.py takes the province names from the gazetteer, and the family names from names.py."""
    assert set(gazetteer.PROVINCES_OLD) | set(gazetteer.PROVINCES_NEW) <= people.PLACES
    assert {"Thanh Hoá", "Bắc Cạn", "Đăk Lăk", "Hồ Chí Minh", "Bà Rịa", "Vũng Tàu"} <= people.PLACES
    assert not {"Minh Hải", "HN", "Quang Ninh", "QUẢNG NINH"} & people.PLACES  # no former province, no plain forms


def test_one_name_vocabulary():
    from crawler.extract import names

    assert people.SURNAMES is names.SURNAMES
    assert gazetteer._NAME_SYLLABLES == names.SURNAMES | names.MIDDLE_NAMES
    # a family or middle name right before a province makes a person's name, from the shared list
    assert [p.province_2025 for p in find_places("ông Trần Thái Bình và tỉnh Thái Bình")] == ["Hưng Yên"]
