"""The text a reader sees in a card's Markdown, at the same offsets as the Markdown.

``visible_text`` returns a string exactly as long as its input in which every character
that is Markdown syntax (list and heading markers, emphasis, link targets, code, URLs,
escapes, entities, indentation) is replaced by ``HIDDEN``. Checks read the visible
words and report their offsets, which are then offsets in the stored Markdown too, so
a suggestion can replace exactly that range.
"""

from __future__ import annotations

import re

HIDDEN = "\x00"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLOCK_PREFIX = re.compile(
    r"^[ \t]*(?:>[ \t]?)*[ \t]*"  # indentation and blockquote markers
    r"(?:(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)[ \t]*)?"  # a list marker
    r"(?:\[[ xX]\][ \t]+)?"  # a task-list box
    r"(?:#{1,6}(?=[ \t]|$)[ \t]*)?"  # an ATX heading marker
)
_THEMATIC_OR_SETEXT = re.compile(r"^[ \t]*(?:(?:[-*_=][ \t]*){3,}|=+|-+)[ \t]*$")
_TABLE_DELIMITER = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S+.*$")
_CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")

_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_AUTOLINK = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*|[^\s<>@]+@[^\s<>]+)>")
_URL = re.compile(
    r"(?:\b[a-zA-Z][a-zA-Z0-9+.-]{1,31}://|\bwww\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'\"]"
)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_LINK_TARGET = re.compile(
    r"\]\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)"
)
_REFERENCE = re.compile(r"\]\[[^\]]*\]")
_IMAGE_OPEN = re.compile(r"!\[")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ESCAPE = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_EMPHASIS = re.compile(r"\*+|~~+|(?<![^\W_])_+|_+(?![^\W_])")
# A link's opening bracket, once its "](target)" or "][label]" has been hidden.
_LINK_BRACKETS = re.compile(r"\[(?=[^\[\]\x00\n]*\x00)")


def _hide(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = HIDDEN


def visible_text(markdown: str) -> str:
    """``markdown`` with its syntax replaced by HIDDEN, offsets unchanged."""
    chars = list(markdown)
    offset = 0
    fence: str | None = None
    for line in markdown.split("\n"):
        end = offset + len(line)
        opener = _FENCE.match(line)
        if line.endswith("\r"):
            _hide(chars, end - 1, end)  # a Windows line ending, as browsers post textareas
        if fence is not None:
            _hide(chars, offset, end)
            if line.strip().startswith(fence):
                fence = None
        elif opener:
            fence = opener.group(1)[0] * 3
            _hide(chars, offset, end)
        elif (
            _THEMATIC_OR_SETEXT.match(line)
            or _TABLE_DELIMITER.match(line)
            and "-" in line
            and "|" in line
            or _LINK_DEFINITION.match(line)
        ):
            _hide(chars, offset, end)
        else:
            prefix = _BLOCK_PREFIX.match(line)
            _hide(chars, offset, offset + prefix.end())
            closing = _CLOSING_HASHES.search(line)
            if closing and line.lstrip(" >").startswith("#"):
                _hide(chars, offset + closing.start(), end)
            # Trailing spaces (a hard line break) are layout, not text.
            stripped = len(line.rstrip(" \t\r"))
            _hide(chars, offset + stripped, end)
        offset = end + 1
    text = "".join(chars)
    # Inline syntax, most specific first; each pass sees what earlier ones left.
    for pattern in (_CODE_SPAN, _AUTOLINK, _URL, _EMAIL, _LINK_TARGET, _REFERENCE, _ENTITY):
        text = _hide_matches(text, pattern)
    for pattern in (_IMAGE_OPEN, _ESCAPE, _EMPHASIS, _LINK_BRACKETS):
        text = _hide_matches(text, pattern)
    if "|" in text and _looks_like_table(markdown):
        text = text.replace("|", HIDDEN)  # table cell borders
    return text


def _hide_matches(text: str, pattern: re.Pattern[str]) -> str:
    chars: list[str] | None = None
    for match in pattern.finditer(text):
        if HIDDEN in match.group() and pattern is not _CODE_SPAN:
            continue  # overlaps something already hidden (a URL inside code, say)
        if chars is None:
            chars = list(text)
        _hide(chars, match.start(), match.end())
    return text if chars is None else "".join(chars)


def _looks_like_table(markdown: str) -> bool:
    return any(
        _TABLE_DELIMITER.match(line) for line in markdown.split("\n") if "-" in line and "|" in line
    )
