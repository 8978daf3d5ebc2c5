"""Vietnamese person names: the vocabulary bylines, people and places agree on.

`SURNAMES` are family names (Kinh and the commonest of ethnic minorities); `NAME_SYLLABLES` every
syllable common in names (family, middle and given), for telling an upper-case byline ("BÍCH
PHƯƠNG", "XUÂN HIẾU - XUÂN THỊNH") from an upper-case heading ("NHIỆM VỤ TRỌNG TÂM"); `TITLES`
the degrees, ranks and titles written before a name ("ThS.", "PGS.TS", "Đại tá").

    >>> strip_titles("PGS.TS. Nguyễn Văn Hùng"), strip_titles("Đại tá, ThS. Hà Văn Quyết")
    ('Nguyễn Văn Hùng', 'Hà Văn Quyết')
    >>> is_name_syllable("Phương"), is_name_syllable("Nhiệm")
    (True, False)
"""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


SURNAMES = _words(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Vương Trịnh Trương Đinh "
    "Lâm Phùng Mai Tô Tạ Hà Lương Lưu Quách Cao Thái Triệu Chu Châu Hứa Khúc Kiều Lại Lục Mạc Nghiêm Ông Tăng "
    "Tôn Từ Nông Bế Hầu Giàng Sùng Mùa Thào Vàng Lò Lường Vi Vy Điêu Cầm Quàng Lừ Sầm Tòng Ma Âu Bạch Bành "
    "Cù Diệp Doãn Dư Đàm Đậu Giáp Hàn Khổng Khương Kim La Lã Lạc Lữ Mạch Ninh Phí Phương Quan Quản Tiêu Thạch "
    "Thân Thiều Tống Trang Trình Uông Ứng Viên Nịnh Đường Hán Kha Khuất Lèo Lô Lộc Mã Nhữ Phù Sái Tiết Trà "
    "Cấn Lầu Sình Chẩu Bàn Ksor Siu Nay Rơ Y Đồng Giang Văn Hồng")
_MIDDLE_AND_GIVEN = _words(
    "Văn Thị Hữu Đức Công Quang Minh Ngọc Xuân Thu Thanh Kim Bảo Gia Hồng Thế Duy Tiến Trọng Đình Quốc Anh "
    "An Ân Bách Bằng Bích Bình Cảnh Chi Chiến Chinh Chính Cúc Cường Dân Diệu Diễm Dũng Dung Duyên Đạt Đăng Đông "
    "Điệp Định Đông Giao Hạ Hải Hạnh Hân Hằng Hậu Hiền Hiển Hiếu Hiệp Hiền Hòa Hoà Hoài Hoan Hoàn Hóa Hội Huân "
    "Huấn Huệ Hùng Hưng Hương Hường Hữu Huy Huyền Khang Khanh Khánh Khải Khiêm Khoa Khôi Khuê Kiên Kiệt Lan Liên "
    "Liễu Linh Loan Lợi Long Luân Luận Lực Ly Mạnh Mẫn Mến My Mỹ Nam Năng Nga Ngà Ngân Nghĩa Nghị Ngọc Nguyên "
    "Nguyệt Nhàn Nhân Nhật Nhi Nhung Như Oanh Phát Phong Phú Phúc Phụng Phước Phượng Phương Quân Quế Quý Quyên "
    "Quyết Quỳnh Sang Sáng Sơn Sương Tài Tâm Tân Tấn Thạch Thái Thắm Thắng Thành Thảo Thắng Thi Thiện Thịnh "
    "Thông Thơ Thơm Thuận Thư Thuỷ Thủy Thúy Thùy Thụy Thương Thường Tiên Tín Toàn Toản Trâm Trang Trí Triều "
    "Trinh Trung Truyền Tú Tuấn Tùng Tuyết Tuyền Tư Uyên Vân Việt Vinh Vĩnh Vượng Xuyến Yên Yến Ánh Âu Bắc "
    "Cát Chánh Chương Dương Điền Đoan Giang Hà Hào Hậu Hiệu Hoa Hợp Khoa Lâm Lễ Lệ Liêm Lộc Luyến Lương Lý Mai "
    "Minh Nhạn Nhẫn Phấn Quảng Sinh Tình Tịnh Tường Vũ Xuân Yên Châu Ngư Hằng Hiên Thiêm Thoa Thục Tiệp Tuệ "
    "Vỹ Vy Định Biên Khải Lành Lệ Mừng Nhiên Pao Ngân Phan Sỹ Sĩ Tạo Thạc Thể Thuần Tiến Trà Trọng Trường Tú "
    "Đào Dịu Duẩn Giáp Hiếu Huỳnh Kha Kỳ Lài Luật Nương Quang Sen Thuý Tố Trúc Tuyên Tửu Uẩn Vĩ Vui Xinh "
    # Khmer and other names of the Mekong provinces, and given names often written in capitals
    "Danh Chau Sơn Sóc Néang Neáng Huynh Khiết Lực Nhựt Nhơn Phước Thạnh Thiện Trí Út Xuân")
NAME_SYLLABLES = SURNAMES | _MIDDLE_AND_GIVEN
# The commonest middle names (tên đệm): with the family names, what a capitalised syllable right before
# a province's name must not be for that name to be the province (crawler/extract/gazetteer.py).
MIDDLE_NAMES = _words("Văn Thị Hữu Đức Công Quang Minh Ngọc Xuân Thu Thanh Kim Bảo Gia Hồng Thế Duy Tiến Trọng "
                      "Đình Quốc Anh")
_NAME_SYLLABLES_FOLDED = frozenset(s.casefold() for s in NAME_SYLLABLES)

# Degrees, academic titles, military and police ranks, and honorifics written before a name.
TITLES = re.compile(
    r"^(?:(?:GS|PGS|TS|TSKH|ThS|Ths|NCS|CN|KS|BS|LS|Luật sư|Nhà báo|Thạc sĩ|Tiến sĩ|Giáo sư|Phó Giáo sư|Đại tá|"
    r"Thượng tá|Trung tá|Thiếu tá|Đại úy|Đại uý|Thượng úy|Trung úy|Thiếu úy|Thiếu tướng|Trung tướng|"
    r"Thượng tướng|Đại tướng|NSND|NSƯT|NGND|NGƯT)(?![\w])\.?[\s,.]*)+", re.IGNORECASE)


def strip_titles(name: str) -> str:
    """The name without the degrees, ranks and titles written before it."""
    return TITLES.sub("", name.strip()).strip()


def is_name_syllable(word: str) -> bool:
    return word.casefold() in _NAME_SYLLABLES_FOLDED
