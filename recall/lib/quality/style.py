"""Style checks on a card's visible text: sentence case, spaces, quotes and brackets.

Each function takes the stored text and its visible text (same offsets, Markdown syntax
hidden; see markdown_text) and yields ``StyleIssue``s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .markdown_text import HIDDEN

ABBREVIATIONS = frozenset(
    "al approx c ca cf cent co dept dr ed eds eg esp est etc fig figs ie inc incl jr ltd mr "
    "mrs ms mt no nos op p pp prof sr st vol vols vs viz".split()
)
_WORD_BEFORE = re.compile(r"([^\W\d_]+)\.$")
_DOUBLE_SPACE = re.compile(r"(?<=\S) {2,}(?=\S)")
_SPACE_BEFORE_PUNCTUATION = re.compile(
    r"(?<=[^\W_]|[)\]\"”’]) +(?=(?:[,;:!?]|\.(?!\.))(?:[\s\x00\"”’)\]]|$))"
)
_BLOCK_START = re.compile(r"^[ \t]*(?:>|[-*+][ \t]|\d{1,9}[.)][ \t]|#{1,6}[ \t]|$)")
_ENUMERATION = re.compile(r"(?:^|[\s\x00(])(?:[A-Za-z]|\d{1,2}|[ivxIVX]{1,4})$")
_OPENERS = {"(": ")", "[": "]", "{": "}", "“": "”"}
_CLOSERS = {closer: opener for opener, closer in _OPENERS.items()}


@dataclass(frozen=True)
class StyleIssue:
    start: int
    end: int
    rule: str
    message: str
    suggestions: tuple[str, ...] = ()


def sentence_case(visible: str) -> Iterator[StyleIssue]:
    """A word in lower case right after a full stop, "!" or "?" on the same line."""
    for match in re.finditer(r"(?<![^\W\d_])[a-z][^\W\d_]*", visible):
        word = match.group()
        if any(char.isupper() for char in word):
            continue  # "pH", "iPhone", "mRNA": lower case on purpose
        before = visible[: match.start()]
        gap = len(before) - len(before.rstrip(f" \t{HIDDEN}\"'“‘(["))
        if gap == 0 or " " not in before[len(before) - gap :]:
            continue
        ending = before[: len(before) - gap].rstrip(HIDDEN + "\"'”’)]")
        if not ending or ending[-1] not in ".!?":
            continue
        if ending.endswith("..") or ending.endswith("…"):
            continue  # an ellipsis may run on in lower case
        previous = _WORD_BEFORE.search(ending)
        if ending[-1] == "." and previous:
            word_before = previous.group(1)
            if len(word_before) == 1 or word_before.lower() in ABBREVIATIONS:
                continue  # "e.g. the", "approx. three", an initial
        yield StyleIssue(
            match.start(),
            match.end(),
            "sentence-case",
            "A sentence starts in lower case.",
            (word[0].upper() + word[1:],),
        )


def spacing(visible: str) -> Iterator[StyleIssue]:
    """Two or more spaces between words, and a space before a comma or full stop."""
    for match in _DOUBLE_SPACE.finditer(visible):
        yield StyleIssue(match.start(), match.end(), "double-space", "More than one space.", (" ",))
    for match in _SPACE_BEFORE_PUNCTUATION.finditer(visible):
        mark = visible[match.end()]
        yield StyleIssue(
            match.start(),
            match.end(),
            "space-before-punctuation",
            f"A space before “{mark}”.",
            ("",),
        )


def _blocks(stored: str, visible: str) -> Iterator[tuple[int, str]]:
    """Paragraphs and list items: (offset, visible text), split where a new block starts."""
    offset = 0
    start = 0
    lines = stored.split("\n")
    for number, line in enumerate(lines):
        if number and _BLOCK_START.match(line):
            yield start, visible[start : offset - 1]
            start = offset
        offset += len(line) + 1
    yield start, visible[start:]


def balance(stored: str, visible: str) -> Iterator[StyleIssue]:
    """Brackets and quotation marks opened and not closed (or closed and not opened)."""
    for offset, block in _blocks(stored, visible):
        stack: list[tuple[str, int]] = []
        straight: list[int] = []
        for i, char in enumerate(block):
            if char in _OPENERS:
                stack.append((char, i))
            elif char in _CLOSERS:
                if stack and stack[-1][0] == _CLOSERS[char]:
                    stack.pop()
                elif char == ")" and (_ENUMERATION.search(block[:i]) or block[i - 1 : i] in ":;"):
                    continue  # "a) first b) second", a smiley
                elif any(opener == _CLOSERS[char] for opener, _ in stack):
                    while stack and stack[-1][0] != _CLOSERS[char]:
                        yield _unclosed(offset, *stack.pop())
                    stack.pop()
                else:
                    yield StyleIssue(
                        offset + i,
                        offset + i + 1,
                        "unbalanced",
                        f"“{char}” closes nothing: its opening “{_CLOSERS[char]}” is missing.",
                    )
            elif char == '"':
                straight.append(i)
        for opener, i in stack:
            yield _unclosed(offset, opener, i)
        if len(straight) % 2:
            i = straight[-1]
            yield StyleIssue(
                offset + i, offset + i + 1, "unbalanced", "A quotation mark is not closed."
            )


def _unclosed(offset: int, opener: str, i: int) -> StyleIssue:
    return StyleIssue(
        offset + i,
        offset + i + 1,
        "unbalanced",
        f"“{opener}” is not closed by “{_OPENERS[opener]}” in this paragraph.",
    )
