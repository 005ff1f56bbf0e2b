"""Furigana for やさしい日本語 (easy Japanese): readings in hiragana over the
kanji of a text, as HTML ``<ruby>漢字<rt>かんじ</rt></ruby>``.

The readings come from MeCab (``fugashi``) with the UniDic dictionary that the
``unidic-lite`` package ships, so nothing is downloaded at run time. Only
tokens that contain kanji get a reading; okurigana stay outside the ruby
(``<ruby>読<rt>よ</rt></ruby>む``). Every piece of the input is HTML-escaped
before it is put into the output, so text typed by anyone (titles,
descriptions) can never become markup. Results are cached per text.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from html import unescape

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]")
_KANJI_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ]+)")
_KATAKANA = re.compile(r"[\u30a1-\u30f6]")

# Elements whose text is left alone by furigana_markup: code and styles, form
# controls that cannot hold markup, and text that already has its reading.
_SKIP_ELEMENTS = frozenset(
    {"script", "style", "textarea", "title", "option", "select", "ruby", "rt", "rp", "svg"}
)
_VOID_ELEMENTS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
_TAG = re.compile(r"(<!--.*?-->|<[^>]*>)", re.DOTALL)
_TAG_NAME = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9-]*)")
_NO_FURIGANA = re.compile(r"\sdata-no-furigana\b|\stranslate\s*=\s*[\"']?no\b", re.IGNORECASE)

# Where the dictionary's first reading is not the everyday one.
_READINGS = {"日本": "にほん"}
# A day of the week in brackets, as dates are written: 12月8日(火).
_WEEKDAYS = {
    "月": "げつ",
    "火": "か",
    "水": "すい",
    "木": "もく",
    "金": "きん",
    "土": "ど",
    "日": "にち",
}
_OPEN, _CLOSE = ("(", "（"), (")", "）")

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tagger():
    import fugashi  # noqa: PLC0415  (loaded on first use: it opens the dictionary)

    return fugashi.Tagger()


def to_hiragana(text: str) -> str:
    return _KATAKANA.sub(lambda m: chr(ord(m.group(0)) - 0x60), text)


def _tokens(text: str) -> list[tuple[str, str]]:
    """(surface, reading in hiragana or "") for each token of the text; the
    surfaces put back together give the text again (spaces included)."""
    with _lock:  # one MeCab tagger, which is not meant for several threads at once
        words = [(w.white_space, w.surface, w.feature.kana) for w in _tagger()(text)]
    tokens: list[tuple[str, str]] = []
    for space, surface, kana in words:
        if space:
            tokens.append((space, ""))
        reading = "" if not kana or kana == "*" else to_hiragana(kana)
        reading = _READINGS.get(surface, reading)
        tokens.append((surface, reading))
    for i in range(1, len(tokens) - 1):
        surface = tokens[i][0]
        if surface in _WEEKDAYS and tokens[i - 1][0] in _OPEN and tokens[i + 1][0] in _CLOSE:
            tokens[i] = (surface, _WEEKDAYS[surface])
    # MeCab drops some white space (a trailing space, line breaks): keep the text whole.
    if "".join(s for s, _ in tokens) != text:
        return _realign(text, tokens)
    return tokens


def _realign(text: str, tokens: list[tuple[str, str]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    for surface, reading in tokens:
        at = text.find(surface, pos) if surface.strip() else -1
        if at < 0:
            continue
        if at > pos:
            out.append((text[pos:at], ""))
        out.append((surface, reading))
        pos = at + len(surface)
    if pos < len(text):
        out.append((text[pos:], ""))
    return out


def _split(surface: str, reading: str) -> list[tuple[str, str]]:
    """Pair the kanji runs of one token with their part of its reading:
    読む/よむ → [(読, よ), (む, "")]. Without a clean match, the whole token
    gets the whole reading."""
    parts = [p for p in _KANJI_RUN.split(surface) if p]
    pattern = "".join(
        "(.+?)" if KANJI.match(part) else f"({re.escape(to_hiragana(part))})" for part in parts
    )
    match = re.fullmatch(pattern, reading)
    if match is None:
        return [(surface, reading)]
    return [(part, match.group(i + 1) if KANJI.match(part) else "") for i, part in enumerate(parts)]


def _ruby(surface: str, reading: str) -> str:
    if not reading or not KANJI.search(surface):
        return escape(surface)
    return "".join(
        f"<ruby>{escape(part)}<rt>{escape(rt)}</rt></ruby>" if rt else escape(part)
        for part, rt in _split(surface, reading)
    )


@lru_cache(maxsize=8192)
def _ruby_cached(text: str) -> str:
    if not KANJI.search(text):
        return str(escape(text))
    return "".join(_ruby(surface, reading) for surface, reading in _tokens(text))


def ruby_html(text: object) -> SafeString:
    """The text, HTML-escaped, with ``<ruby>`` readings over its kanji.
    Whatever the input (even a SafeString), it is treated as plain text."""
    return mark_safe(_ruby_cached(str(text)))  # noqa: S308  (every piece is escaped above)


def furigana_markup(html: str) -> SafeString:
    """Readings over the kanji in the text of already-rendered, trusted HTML
    (a template's output). Tags, attributes and the text of <script>, <style>,
    form fields, <ruby> and elements marked ``data-no-furigana`` or
    ``translate="no"`` stay as they are."""
    out: list[str] = []
    skip_name, skip_depth = "", 0
    for piece in _TAG.split(str(html)):
        if not piece:
            continue
        if piece.startswith("<"):
            out.append(piece)
            name_match = _TAG_NAME.match(piece)
            if name_match is None:
                continue  # a comment or doctype
            closing, name = name_match.group(1) == "/", name_match.group(2).lower()
            self_closing = piece.rstrip().endswith("/>") or name in _VOID_ELEMENTS
            if skip_depth:
                if name == skip_name and not self_closing:
                    skip_depth += -1 if closing else 1
            elif not closing and not self_closing:
                if name in _SKIP_ELEMENTS or _NO_FURIGANA.search(piece):
                    skip_name, skip_depth = name, 1
            continue
        if skip_depth or not KANJI.search(piece):
            out.append(piece)
        else:
            out.append(_ruby_cached(unescape(piece)))
    return mark_safe("".join(out))  # noqa: S308  (tags are the template's; text is escaped)
