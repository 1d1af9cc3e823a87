"""Questions from revision notes: pure, deterministic functions over text, no Django.

Every bullet point (or paragraph) of a card becomes a cloze: its key span is hidden,
"Stalin died in [...]" → 1953. A span is a date or a number (regular expressions), a
name (capitalised words not merely opening a sentence: "Warsaw Pact", "Bay of Pigs") or
a rare term (wordfreq: less than RARE_ZIPF on its Zipf scale, about one use in 30,000
words: "mitosis", "blockade"); failing those, the point's rarest content word (a
"keyword"). Each point keeps up to three candidates, best first. A card with a heading
also yields a heading card ("The Warsaw Pact: what were its key points?"); a resource of
kind "flashcards" yields its cards as written, heading as question, body as answer, and
its points written in Anki's cloze syntax ("Stalin died in {{c1::1953}}") as clozes of
the marked spans, one per cloze number.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

HIDDEN = "[...]"
MAX_CANDIDATES = 3
# Zipf frequency below which a word counts as a rare term (3.6: about 4 uses a million words).
RARE_ZIPF = 3.6

CLOZE, HEADING, QA = "cloze", "heading", "qa"
DATE, NUMBER, NAME, TERM, KEYWORD = "date", "number", "name", "term", "keyword"
MARKED = "marked"  # a span its author marked with Anki's cloze syntax
# Anki's cloze syntax: {{c1::hidden}} or {{c1::hidden::hint}}; the same number hides together.
CLOZE_MARKER = re.compile(r"\{\{c(\d{1,3})::(.+?)(?:::([^{}]*?))?\}\}", re.DOTALL)
# Span kinds a good cloze hides (what bench/cloze_quality.py measures).
KEY_SPAN_KINDS = frozenset({DATE, NUMBER, NAME, TERM})

STOP_WORDS = frozenset(
    """a about above after again against all also although am an and any are as at be
    because been before being below between both but by can could did do does doing down
    during each either even ever every few for from further had has have having he her
    here hers herself him himself his how however i if in into is it its itself just least
    less many may me might more most much must my myself neither no nor not now of off on
    once one only or other our ours ourselves out over own per quite rather same she
    should since so some such than that the their theirs them themselves then there these
    they this those though through thus to too under until up upon us very was we were
    what when where whether which while who whom whose why will with within without would
    yet you your yours yourself yourselves""".split()
)  # fmt: skip
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
_MONTH_NAMES = frozenset(_MONTHS.lower().split("|"))
_ORDINAL = r"(?:st|nd|rd|th)?"
_DATE = re.compile(
    rf"\b(?:\d{{1,2}}{_ORDINAL}\s+(?:of\s+)?(?:{_MONTHS})(?:\s+\d{{3,4}})?"
    rf"|(?:{_MONTHS})\s+\d{{1,2}}{_ORDINAL},?\s+\d{{3,4}}"
    rf"|(?:{_MONTHS})\s+\d{{3,4}}"
    rf"|(?:1[0-9]|20)\d{{2}}s?)\b"
    r"(?:\s*(?:BC|BCE|AD|CE)\b)?"
)
_UNITS = (
    r"%|per\s?cent|percent|million|billion|thousand|hundred|miles?|km|kilometres?|metres?|m|"
    r"cm|mm|kg|g|tonnes?|years?|days?|hours?|minutes?|seconds?|people|men|soldiers|troops|"
    r"°C|degrees|protons?|neutrons?|electrons?|chromosomes?|kJ|J|W|V|Hz"
)
_NUMBER = re.compile(
    rf"(?<![\w.])(?:\d{{1,3}}(?:,\d{{3}})+|\d+(?:\.\d+)?)(?:\s?(?:{_UNITS})\b|%)?(?![\w])"
)
_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ][A-Za-zÀ-ÖØ-öø-ÿ0-9]*(?:[-'’][A-Za-zÀ-ÖØ-öø-ÿ0-9]+)*")
_NAME_JOINERS = frozenset({"of", "de", "von", "van", "der", "la", "le", "du", "da"})
_SENTENCE_END = re.compile(r"[.!?:;]\s+|[\"“(]")
_OPENING_PREPOSITIONS = frozenset({"in", "on", "by", "from", "after", "before", "during"})


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    kind: str  # DATE, NUMBER, NAME, TERM or KEYWORD
    score: float


@dataclass(frozen=True)
class StudyCard:
    """One question a resource yields: a cloze of a point, a heading card or an authored Q&A."""

    kind: str  # CLOZE, HEADING or QA
    prompt: str  # with HIDDEN where a cloze's span was
    answer: str
    card_position: int  # 1-based, the resource card it comes from
    point: str  # the source point (the whole card's points for a heading card)
    span: Span | None = None
    alternatives: tuple[Span, ...] = field(default=())
    occurrence: int = 0  # the same point written again in the resource: 1, 2...

    @property
    def key(self) -> str:
        """Stable across regenerations while the point and its hidden span are unchanged."""
        basis = f"{self.kind}\x1f{self.point}\x1f"
        if self.span is not None:
            basis += f"{self.span.start}:{self.span.text}"
        elif self.kind == HEADING:
            basis = f"{self.kind}\x1f{self.prompt}"
        if self.occurrence:
            basis += f"\x1f{self.occurrence}"
        return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "prompt": self.prompt,
            "answer": self.answer,
            "card": self.card_position,
            "point": self.point,
            "span_kind": self.span.kind if self.span else "",
            "alternatives": [span.text for span in self.alternatives],
            "key": self.key,
        }


# --- points out of Markdown ------------------------------------------------------------

_LIST_ITEM = re.compile(r"^\s{0,3}(?:[-*+]|\d{1,9}[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|_|~~|`)(?=\S)(.+?)(?<=\S)\1")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def plain_text(markdown: str) -> str:
    """A line of Markdown as the reader sees it: links, emphasis and escapes resolved."""
    # Escaped characters are literal: set them aside while emphasis markers are removed.
    escaped: list[str] = []

    def keep(match: re.Match[str]) -> str:
        escaped.append(match.group(1))
        return f"\ue000{len(escaped) - 1}\ue001"

    text = _ESCAPE.sub(keep, markdown.replace("\ue000", "").replace("\ue001", ""))
    text = _LINK.sub(r"\1", text)
    for _ in range(3):  # nested emphasis
        text = _EMPHASIS.sub(r"\2", text)
    text = re.sub("\ue000(\\d+)\ue001", lambda m: escaped[int(m.group(1))], text)
    return re.sub(r"\s+", " ", text).strip()


def card_points(body: str) -> list[str]:
    """The points of a card: each list item, and each paragraph outside a list."""
    points: list[str] = []
    current: list[str] = []
    in_fence = False

    def flush() -> None:
        if current:
            text = plain_text(" ".join(current))
            if text:
                points.append(text)
            current.clear()

    for line in body.split("\n"):
        if _FENCE.match(line):
            flush()
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "|", ">")) or set(stripped) <= set("-*_= "):
            flush()
            continue
        item = _LIST_ITEM.match(line)
        if item:
            flush()
            current.append(item.group(1))
        else:
            current.append(stripped)
    flush()
    return points


# --- spans ---------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def word_zipf(word: str) -> float:
    # wordfreq is imported on the first question made: it costs a process about 13 MB,
    # and a reader's request never makes one.
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en")


def _sentence_starts(text: str) -> set[int]:
    starts = {0}
    for match in _SENTENCE_END.finditer(text):
        starts.add(match.end())
    return starts


def _is_capitalised(word: str) -> bool:
    return word[0].isupper()


def names_in(texts: Iterable[str]) -> frozenset[str]:
    """Words written with a capital inside a sentence: names, whatever opens a sentence."""
    names = set()
    for text in texts:
        starts = _sentence_starts(text)
        for match in _WORD.finditer(text):
            word = match.group()
            if _is_capitalised(word) and match.start() not in starts:
                names.add(_strip_possessive(word))
    return frozenset(names)


def _strip_possessive(word: str) -> str:
    for suffix in ("'s", "’s"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _opening_phrase(text: str, start: int, starts: set[int]) -> bool:
    """Whether a span opens its sentence, or follows an opening "In", "On", "By"..."""
    if start in starts:
        return True
    before = text[:start].rstrip()
    match = re.search(r"(\S+)$", before)
    if match is None:
        return False
    return match.start() in starts and match.group(1).lower() in _OPENING_PREPOSITIONS


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in taken)


def _date_and_number_spans(text: str) -> list[tuple[int, int, str]]:
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for match in _DATE.finditer(text):
        found.append((match.start(), match.end(), DATE))
        taken.append((match.start(), match.end()))
    for match in _NUMBER.finditer(text):
        if not _overlaps((match.start(), match.end()), taken):
            found.append((match.start(), match.end(), NUMBER))
            taken.append((match.start(), match.end()))
    return found


def _name_spans(
    text: str, known_names: frozenset[str], taken: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Runs of capitalised words ("Bay of Pigs"), sentence openers only when known names."""
    starts = _sentence_starts(text)
    words = [m for m in _WORD.finditer(text) if not _overlaps((m.start(), m.end()), taken)]
    spans: list[tuple[int, int]] = []
    run: list[re.Match[str]] = []

    def close() -> None:
        while run and run[-1].group().lower() in _NAME_JOINERS:
            run.pop()
        if run:
            spans.append(
                (run[0].start(), run[-1].start() + len(_strip_possessive(run[-1].group())))
            )
        run.clear()

    for match in words:
        word = match.group()
        lower = word.lower()
        bare = _strip_possessive(word)
        adjacent = run and re.fullmatch(r"[ -]", text[run[-1].end() : match.start()] or "x")
        if run and not adjacent:
            close()
        capital = _is_capitalised(word)
        is_name = (
            capital
            and lower not in _MONTH_NAMES
            and lower not in _WEEKDAYS
            and not (match.start() in starts and bare not in known_names and word_zipf(bare) >= 3)
            and lower not in STOP_WORDS
        )
        if is_name:
            run.append(match)
            if bare != word:  # a possessive ends the name
                close()
        elif run and lower in _NAME_JOINERS and not capital:
            run.append(match)
        else:
            close()
    close()
    return spans


def point_spans(text: str, known_names: frozenset[str] = frozenset()) -> list[Span]:
    """Candidate spans of one point, best first, never overlapping, at most MAX_CANDIDATES."""
    starts = _sentence_starts(text)
    candidates: list[tuple[int, int, str, float]] = []
    taken: list[tuple[int, int]] = []
    for start, end, kind in _date_and_number_spans(text):
        candidates.append((start, end, kind, 5.0 if kind == DATE else 4.0))
        taken.append((start, end))
    for start, end in _name_spans(text, known_names, taken):
        words = text[start:end].split()
        candidates.append((start, end, NAME, 4.0 + 0.5 * min(len(words) - 1, 2)))
        taken.append((start, end))
    content = [
        m
        for m in _WORD.finditer(text)
        if not _overlaps((m.start(), m.end()), taken)
        and len(m.group()) >= 4
        and m.group().lower() not in STOP_WORDS
        and not _is_capitalised(m.group())
    ]
    rare = [m for m in content if word_zipf(m.group()) < RARE_ZIPF]
    for match in rare:
        zipf = word_zipf(match.group())
        candidates.append((match.start(), match.end(), TERM, 3.0 + (RARE_ZIPF - zipf) / 2))
    if not candidates and content:
        rarest = min(content, key=lambda m: (word_zipf(m.group()), -len(m.group()), m.start()))
        candidates.append((rarest.start(), rarest.end(), KEYWORD, 1.0))

    whole = _normalised(text)
    spans = []
    for start, end, kind, score in candidates:
        span_text = text[start:end]
        if _normalised(span_text) == whole or span_text.lower() in STOP_WORDS:
            continue
        if _opening_phrase(text, start, starts):
            score -= 2.0 if kind in (DATE, NUMBER) else 1.5
        spans.append(Span(start, end, span_text, kind, round(score, 3)))
    spans.sort(key=lambda s: (-s.score, -(s.end - s.start), s.start))
    return spans[:MAX_CANDIDATES]


def _normalised(text: str) -> str:
    return re.sub(r"[\W_]+", " ", text).strip().lower()


def cloze_prompt(point: str, span: Span) -> str:
    return point[: span.start] + HIDDEN + point[span.end :]


# --- a resource's cards ------------------------------------------------------------------


def heading_prompt(heading: str) -> str:
    return f"{heading.strip().rstrip(':.?!-– ').strip()}: what were its key points?"


def study_cards(cards: Sequence[tuple[str, str]], *, kind: str = "notes") -> list[StudyCard]:
    """Every question a resource's cards (heading, Markdown body) yield, in reading order."""
    points_per_card = [card_points(body) for _, body in cards]
    if kind == "flashcards":
        cards_made = []
        for number, ((heading, _), points) in enumerate(
            zip(cards, points_per_card, strict=True), 1
        ):
            marked = [point for point in points if CLOZE_MARKER.search(point)]
            if marked:
                for point in marked:
                    cards_made.extend(marked_clozes(point, number))
            elif heading and points:
                cards_made.append(StudyCard(QA, heading, "\n".join(points), number, heading))
        return _number_repeats(cards_made)
    known_names = names_in(point for points in points_per_card for point in points)
    result: list[StudyCard] = []
    for number, ((heading, _), points) in enumerate(
        zip(cards, points_per_card, strict=True), start=1
    ):
        if heading and points:
            answer = "\n".join(points)
            result.append(StudyCard(HEADING, heading_prompt(heading), answer, number, answer))
        for point in points:
            spans = point_spans(point, known_names)
            if not spans or len(point.split()) < 3:
                continue
            best = spans[0]
            result.append(
                StudyCard(
                    CLOZE,
                    cloze_prompt(point, best),
                    best.text,
                    number,
                    point,
                    span=best,
                    alternatives=tuple(spans[1:]),
                )
            )
    return _number_repeats(result)


def marked_clozes(point: str, card_position: int) -> list[StudyCard]:
    """A point in Anki's cloze syntax: a cloze per number, the others' spans shown.

    "{{c1::Stalin}} died in {{c2::1953}}" asks "[...] died in 1953" (Stalin), then
    "Stalin died in [...]" (1953); a hint shows in the gap: {{c1::1953::year}} → "[year]".
    """
    matches = list(CLOZE_MARKER.finditer(point))
    result = []
    for number in sorted({int(match.group(1)) for match in matches}):
        parts: list[str] = []
        answers: list[str] = []
        first: re.Match[str] | None = None
        position = 0
        for match in matches:
            parts.append(point[position : match.start()])
            if int(match.group(1)) == number:
                hint = (match.group(3) or "").strip()
                parts.append(f"[{hint}]" if hint else HIDDEN)
                answers.append(match.group(2).strip())
                first = first or match
            else:
                parts.append(match.group(2))
            position = match.end()
        parts.append(point[position:])
        if first is None:  # never: the number comes from the matches
            continue
        answer = "; ".join(answers)
        span = Span(first.start(), first.end(), answer, MARKED, 5.0)
        result.append(StudyCard(CLOZE, "".join(parts), answer, card_position, point, span=span))
    return result


def cloze_text(text: str) -> str:
    """Text in Anki's cloze syntax as a reader sees it: "{{c1::1953::year}}" → "1953"."""
    return CLOZE_MARKER.sub(lambda match: match.group(2), text)


def quoted_text(body: str) -> str:
    """A card's quoted lines ("> ..."), the back extra of an authored cloze, as text."""
    lines = [line.strip()[1:].strip() for line in body.split("\n") if line.strip().startswith(">")]
    return "\n".join(plain_text(line) for line in lines if line)


def _number_repeats(cards: list[StudyCard]) -> list[StudyCard]:
    """Give a repeated question an occurrence number, so that every key is unique."""
    seen: dict[str, int] = {}
    numbered = []
    for card in cards:
        count = seen.get(card.key, 0)
        seen[card.key] = count + 1
        numbered.append(replace(card, occurrence=count) if count else card)
    return numbered
