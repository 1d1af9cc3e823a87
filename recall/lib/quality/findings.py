"""What a check finds: a range of the stored text, what is wrong with it, and fixes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    MISSPELLING = "misspelling"  # not a word of English or of the subject
    INCONSISTENCY = "inconsistency"  # a name spelled two ways in one resource
    REAL_WORD = "real-word"  # a real word that its neighbours say is the wrong one
    STYLE = "style"  # sentence case, spaces, quotes and brackets


class Confidence(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return {"high": 0, "medium": 1, "low": 2}[self.value]


FIELDS = ("title", "heading", "body")


@dataclass(frozen=True)
class Finding:
    """One thing to look at.

    ``card`` is the 0-based card index (None for the resource's title); ``field`` is
    "title", "heading" or "body"; ``start``/``end`` index the stored text of that field
    (Markdown for a body), so ``text == stored[start:end]``. ``suggestions`` are
    replacements for that range, best first (possibly none).
    """

    card: int | None
    field: str
    start: int
    end: int
    text: str
    kind: Kind
    confidence: Confidence
    suggestions: tuple[str, ...] = ()
    message: str = ""
    rule: str = ""  # which check: "unknown-word", "sentence-case", "phrase", ...
    context: str = field(default="", compare=False)  # nearby text, for the fingerprint

    @property
    def fingerprint(self) -> str:
        """Stable across edits elsewhere: what was found and (for style) its surroundings.

        An ignored misspelling stays ignored wherever the word appears in the resource;
        an ignored style finding only where the same words surround it.
        """
        parts = [self.kind.value, self.rule, self.text]
        if self.kind in (Kind.STYLE, Kind.REAL_WORD):
            parts.append(" ".join(self.context.split()))
        digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:20]

    @property
    def location(self) -> str:
        """Where, as a person counts: "title", "card 2 heading", "card 2"."""
        if self.card is None:
            return "title"
        return f"card {self.card + 1}" + (" heading" if self.field == "heading" else "")

    def to_dict(self) -> dict:
        return {
            "id": self.fingerprint,
            "card": self.card,
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "kind": self.kind.value,
            "rule": self.rule,
            "confidence": self.confidence.value,
            "suggestions": list(self.suggestions),
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict) -> Finding:
        return cls(
            card=data["card"],
            field=data["field"],
            start=data["start"],
            end=data["end"],
            text=data["text"],
            kind=Kind(data["kind"]),
            confidence=Confidence(data["confidence"]),
            suggestions=tuple(data.get("suggestions", ())),
            message=data.get("message", ""),
            rule=data.get("rule", ""),
        )


class StaleRange(ValueError):
    """The text at a finding's range is no longer what the check found there."""


def replace_range(text: str, start: int, end: int, expected: str, replacement: str) -> str:
    """``text`` with ``text[start:end]`` (which must still be ``expected``) replaced."""
    if not (0 <= start <= end <= len(text)) or text[start:end] != expected:
        raise StaleRange(f"the text at {start}-{end} is no longer {expected!r}")
    return text[:start] + replacement + text[end:]
