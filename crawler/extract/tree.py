"""Element helpers for plain lxml trees (what lxml.html's element classes offer, for any element),
and CSS selectors compiled once."""

from __future__ import annotations

from functools import cache
from typing import Any

from cssselect import ExpressionError, GenericTranslator
from lxml import etree
from lxml.cssselect import CSSSelector, LxmlHTMLTranslator

_STRING = etree.XPath("string()")


def _string(el: Any) -> str:
    """All the text of an element (lxml.html's text_content(), for any lxml element)."""
    return str(_STRING(el))


def drop_tree(el: Any) -> None:
    """Remove an element, keeping its tail text (lxml.html's drop_tree(), for any lxml element)."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        previous = el.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


# `:contains()` is case-insensitive in lxml through an XPath extension function that only
# lxml.html's element classes resolve; on plain trees the same is done with translate().
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZĐÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_LOWER = _UPPER.lower()


class _Translator(LxmlHTMLTranslator):
    def xpath_contains_function(self, xpath: Any, function: Any) -> Any:
        if function.argument_types() not in (["STRING"], ["IDENT"]):
            raise ExpressionError(f"Expected a single string or ident for :contains(), got {function.arguments!r}")
        value = function.arguments[0].value.lower()
        return xpath.add_condition(
            f"contains(translate(string(.), {GenericTranslator.xpath_literal(_UPPER)}, "
            f"{GenericTranslator.xpath_literal(_LOWER)}), {GenericTranslator.xpath_literal(value)})")


_TRANSLATOR = _Translator()


@cache
def css(selector: str) -> CSSSelector:
    """A compiled CSS selector (HTML rules: case-insensitive tags and :contains()), cached per selector."""
    return CSSSelector(selector, translator=_TRANSLATOR)


HEADLINE_MIN_CHARS = 30  # an anchor this long is a headline ("Hội nghị quán triệt …"), not an inline link


def _has_headline_link(el: Any) -> bool:
    return any(len(" ".join(_string(a).split())) >= HEADLINE_MIN_CHARS for a in el.iter("a"))


def count_headline_links(node: Any, levels: int = 3) -> int:
    """The links of `node` whose text is as long as a headline (a listing's teasers); when `node` (or one
    of its `levels` nearest ancestors) is one of a run of alike siblings each holding such a link, the
    run's length: `node` is then one teaser of a listing."""
    found = sum(1 for a in node.iter("a") if len(" ".join(_string(a).split())) >= HEADLINE_MIN_CHARS)
    if found == 0:
        return 0
    level = node
    for _ in range(levels):
        parent = level.getparent()
        if parent is None:
            break
        alike = [sib for sib in parent if sib.tag == level.tag and sib.get("class") == level.get("class")]
        found = max(found, sum(1 for sib in alike if _has_headline_link(sib)))
        level = parent
    return found


def opens_with_link(node: Any) -> bool:
    """Whether the first text of `node` is a headline-long link: a teaser (headline, then its summary),
    never an article's first paragraph."""
    for el in node.iter():
        if not isinstance(el.tag, str):
            continue
        if el.text and el.text.strip():
            anchor = el if el.tag == "a" else next((a for a in el.iterancestors("a")), None)
            return anchor is not None and len(" ".join(_string(anchor).split())) >= HEADLINE_MIN_CHARS
    return False
