"""Diacritics-insensitive search keys for Vietnamese.

FTS5's `unicode61 remove_diacritics 2` folds case and every tone and vowel
mark, but not đ/Đ (no Unicode decomposition). The archive feeds the index
`vn_fold(text)` and folds queries the same way, so `dang uy` finds "Đảng ủy".
"""

from __future__ import annotations

import unicodedata

# đ and its look-alikes in legacy-converted text (Icelandic eth, African D).
_D_FOLD = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "ɖ": "d", "Ɖ": "D"})


def vn_fold(text: str | None) -> str:
    """NFC text with đ folded to d; everything else is left to the FTS tokenizer.

    >>> vn_fold("Đảng ủy Khối")
    'Dảng ủy Khối'
    """
    if not text:
        return ""
    return unicodedata.normalize("NFC", text).translate(_D_FOLD)
