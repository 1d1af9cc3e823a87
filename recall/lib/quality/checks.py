"""check_text: every quality check over a resource's title and cards.

1. Misspellings: a word is fine if English (the lexicon) or the subject (the vocabulary)
   knows it; otherwise SymSpell finds candidates within two edits, ranked by frequency
   and by how easily the word is mistyped (typos.typo_cost).
2. Inconsistencies: an unknown name with a close variant elsewhere in the same resource.
3. Real-word errors: a known word whose neighbours never occur with it, where a word
   one or two edits away is a pair the subject lists, the published corpus or common
   English (symspellpy's bigrams) attests: "military allowance" -> "alliance".
4. Style: see style.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from editdistpy import damerau_osa

from . import style
from .findings import Confidence, Finding, Kind
from .lexicon import Lexicon, english_lexicon
from .markdown_text import HIDDEN, visible_text
from .typos import typo_cost
from .vocabulary import WORD, Vocabulary

MAX_SUGGESTIONS = 5
# Two plain edits: "Kruschev" is two letters short of "Khrushchev".
NAME_COST = 2.0
CONTRACTION_ENDINGS = frozenset({"s", "t", "re", "ve", "ll", "d", "m"})
# Real-word checks skip function words: their confusions need grammar, not word pairs.
STOPWORDS = frozenset(
    "a about above after again against all also am an and any are as at be been before being "
    "below between both but by can could did do does doing down during each few for from "
    "further had has have having he her here hers him his how i if in into is it its itself "
    "just me more most my no nor not now of off on once only or other our out over own same "
    "she should so some such than that the their them then there these they this those "
    "through to too under until up very was we were what when where which while who whom why "
    "will with would you your".split()
)
# How far (typos.typo_cost) a real-word fix may be from the word typed: one plain edit
# for a pair of common English, one plain edit and one cheap slip for a subject's or the
# corpus's pair. Further than that, a right word too often looks like a wrong one.
GENERAL_PAIR_MAX_COST = 1.0
SUBJECT_PAIR_MAX_COST = 1.6
_FIELD_ORDER = {"title": 0, "heading": 1, "body": 2}
_KIND_ORDER = {Kind.MISSPELLING: 0, Kind.INCONSISTENCY: 0, Kind.REAL_WORD: 1, Kind.STYLE: 2}
_ENDINGS = frozenset(
    "s es d ed ing er ers r ly n al ally ic ics ism ist ists ian ians ation ations ity y".split()
) | {""}


@dataclass
class _Segment:
    card: int | None
    field: str
    stored: str
    visible: str
    tokens: list[_Token] = field(default_factory=list)


@dataclass
class _Token:
    segment: _Segment
    start: int
    end: int
    text: str
    sentence_start: bool
    joined_to_previous: bool  # only spaces (or hidden syntax) since the previous word


@dataclass(frozen=True)
class _Unknown:
    suggestions: tuple[str, ...]
    best_cost: float


def _core(word: str) -> tuple[str, str]:
    """A word without its possessive ending, and that ending ("Stalin's" -> "Stalin", "'s")."""
    for ending in ("'s", "’s", "'S", "’S"):
        if word.endswith(ending) and len(word) > len(ending):
            return word[: -len(ending)], ending
    return word, ""


def _skipped(part: str) -> bool:
    """Too short, an acronym, or capitals inside (McCarthy, ExComm): not spell-checked."""
    letters = [c for c in part if c.isalpha()]
    if len(letters) < 2 or part.isupper():
        return True
    return any(c.isupper() for c in part[1:])


def _inflected(a: str, b: str) -> bool:
    """Both are one stem with grammatical endings: "plane"/"planes", "Democrats"/"-ic"."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 3 and a[common:] in _ENDINGS and b[common:] in _ENDINGS


class _Checker:
    def __init__(self, lexicon: Lexicon, vocabulary: Vocabulary) -> None:
        self.lexicon = lexicon
        self.vocabulary = vocabulary
        self._status: dict[str, _Unknown | None] = {}

    # --- words ----------------------------------------------------------------------

    def is_known(self, word: str) -> bool:
        lower = word.lower().replace("’", "'")
        if lower in self.lexicon or lower in self.vocabulary:
            return True
        if "'" in lower:
            base, _, ending = lower.rpartition("'")
            return ending in CONTRACTION_ENDINGS and (
                base in self.lexicon or base in self.vocabulary or base.endswith("n")
            )
        return False

    def status(self, word: str) -> _Unknown | None:
        """None for a word that is fine; else its suggestions, best first."""
        if word not in self._status:
            self._status[word] = self._check_word(word)
        return self._status[word]

    def _check_word(self, word: str) -> _Unknown | None:
        core, ending = _core(word)
        if core.lower().replace("’", "'") in self.vocabulary:
            return None
        parts = core.split("-")
        if len(parts) == 1:
            if _skipped(core) or self.is_known(core):
                return None
            ranked = self._ranked(core)
            return _Unknown(tuple(s + ending for s, _ in ranked), ranked[0][1] if ranked else 99.0)
        unknown = [part for part in parts if not (_skipped(part) or self.is_known(part))]
        joined = "".join(parts)
        if not unknown or self.is_known(joined):
            return None
        # "co-existance": the joined word's fixes ("coexistence") and each part's fix.
        joined_ranked = self._ranked(joined)
        fixed: list[str] = []
        cost = 0.0
        for part in parts:
            if part in unknown:
                ranked = self._ranked(part)
                if not ranked:
                    fixed = []
                    break
                fixed.append(ranked[0][0])
                cost += ranked[0][1]
            else:
                fixed.append(part)
        options = list(joined_ranked)
        if fixed:
            position = 1 if joined_ranked and joined_ranked[0][1] <= cost else 0
            options.insert(position, ("-".join(fixed), cost))
        suggestions = tuple(dict.fromkeys(text + ending for text, _ in options))[:MAX_SUGGESTIONS]
        return _Unknown(suggestions, min((c for _, c in options), default=99.0))

    def _ranked(self, word: str) -> list[tuple[str, float]]:
        lower = word.lower().replace("’", "'")
        frequencies = {t: self.lexicon.frequency(t) for t in self.lexicon.candidates(lower)}
        subject = self.vocabulary.frequencies(self.lexicon)
        for term in self.vocabulary.candidates(lower, self.lexicon):
            frequencies[term] = subject[term]
        for term in frequencies.keys() & subject.keys():
            frequencies[term] = subject[term]
        ranked = self.lexicon.rank(lower, frequencies)[:MAX_SUGGESTIONS]
        return [(self.cased_like(word, s.term), s.cost) for s in ranked]

    def cased_like(self, typed: str, term: str) -> str:
        canonical = self.vocabulary.cased(term)
        if typed.isupper() and len(typed) > 1:
            return term.upper()
        if canonical:
            return canonical
        if typed[:1].isupper():
            return term[:1].upper() + term[1:]
        return term

    # --- the checks -----------------------------------------------------------------

    def run(self, segments: list[_Segment]) -> list[Finding]:
        for segment in segments:
            segment.tokens = list(_tokens(segment))
        findings = self.spelling(segments)
        findings += self.real_words(segments)
        findings += self.style(segments)
        chosen: dict[tuple, Finding] = {}
        for finding in findings:
            key = (finding.card, finding.field, finding.start, finding.end)
            if key not in chosen or _KIND_ORDER[finding.kind] < _KIND_ORDER[chosen[key].kind]:
                chosen[key] = finding
        return sorted(
            chosen.values(),
            key=lambda f: (-1 if f.card is None else f.card, _FIELD_ORDER[f.field], f.start),
        )

    def spelling(self, segments: list[_Segment]) -> list[Finding]:
        unknown = []
        names: Counter[str] = Counter()
        for segment in segments:
            for token in segment.tokens:
                core = _core(token.text)[0]
                if len(core) >= 4 and core[0].isupper() and core[1:].islower():
                    names[core] += 1
                status = self.status(token.text)
                if status is not None:
                    unknown.append((token, status))
        findings = []
        for token, status in unknown:
            core, ending = _core(token.text)
            variant = self._variant(core, names) if core in names else None
            if variant:
                suggestions = tuple(dict.fromkeys((variant + ending, *status.suggestions)))
                findings.append(
                    _finding(
                        token,
                        Kind.INCONSISTENCY,
                        Confidence.HIGH,
                        suggestions[:MAX_SUGGESTIONS],
                        f"Spelled “{variant}” elsewhere in this resource.",
                        "variant",
                    )
                )
                continue
            name_like = core[:1].isupper() and not token.sentence_start
            if not status.suggestions:
                confidence = Confidence.MEDIUM
                message = "Not a word we know: if it is a name or a term of the subject, ignore it."
            else:
                best = _core(status.suggestions[0])[0].lower()
                sure = not name_like or status.best_cost <= 1.0 or best in self.vocabulary
                if name_like and status.best_cost > NAME_COST:
                    sure = False
                confidence = Confidence.HIGH if sure else Confidence.MEDIUM
                message = "Not a name we know." if name_like else "Not a word we know."
            findings.append(
                _finding(
                    token, Kind.MISSPELLING, confidence, status.suggestions, message, "unknown-word"
                )
            )
        return findings

    def _variant(self, core: str, names: Counter[str]) -> str | None:
        """Another spelling of this unknown name used in the same resource, if any."""
        lower = core.lower()
        best = None
        for other, count in names.items():
            other_lower = other.lower()
            if other == core or other_lower.startswith(lower) or lower.startswith(other_lower):
                continue
            if damerau_osa.distance(lower, other_lower, 2) < 0:
                continue
            known = self.status(other) is None
            if not known and (count, other) <= (names[core], core):
                continue  # both unknown: the rarer spelling is the one to report
            rank = (known, count)
            if best is None or rank > best[0]:
                best = (rank, other)
        return best[1] if best else None

    def real_words(self, segments: list[_Segment]) -> list[Finding]:
        findings = []
        for segment in segments:
            tokens = segment.tokens
            for i, token in enumerate(tokens):
                previous = tokens[i - 1] if i and token.joined_to_previous else None
                following = None
                if i + 1 < len(tokens) and tokens[i + 1].joined_to_previous:
                    following = tokens[i + 1]
                found = self._real_word(token, previous, following)
                if found:
                    findings.append(found)
        return findings

    def _real_word(
        self, token: _Token, previous: _Token | None, following: _Token | None
    ) -> Finding | None:
        word = token.text
        lower = word.lower()
        if (previous is None and following is None) or not word.isalpha() or len(word) < 4:
            return None
        if lower in STOPWORDS or _skipped(word) or self.status(word) is not None:
            return None
        p = previous.text.lower() if previous and previous.text.isalpha() else None
        n = following.text.lower() if following and following.text.isalpha() else None
        vocabulary, lexicon = self.vocabulary, self.lexicon
        for first, second in ((p, lower), (lower, n)):
            if (
                first
                and second
                and (vocabulary.pair_count(first, second) or lexicon.has_pair(first, second))
            ):
                return None  # a pair people write: nothing to say
        name_like = word[0].isupper() and not token.sentence_start
        # (words seen beside the neighbour, the pair to show, from the subject/corpus?)
        sources = []
        # A function word ("had", "the") says too little about its neighbour.
        if previous and p and p not in STOPWORDS:
            sources.append((vocabulary.right.get(p, {}), (previous.text, None), True))
            if not name_like:
                sources.append((lexicon.right.get(p, {}), (previous.text, None), False))
        if following and n and n not in STOPWORDS:
            sources.append((vocabulary.left.get(n, {}), (None, following.text), True))
            if not name_like:
                sources.append((lexicon.left.get(n, {}), (None, following.text), False))
        best = None
        limit = 1 if len(lower) <= 5 else 2
        for pool, pair, subject in sources:
            for candidate, count in pool.items():
                if (
                    candidate[:1] != lower[:1]
                    or len(candidate) < 4
                    or abs(len(candidate) - len(lower)) > 2
                    or candidate in STOPWORDS
                    or _inflected(candidate, lower)
                    or damerau_osa.distance(lower, candidate, limit) < 0
                ):
                    continue
                limit_cost = SUBJECT_PAIR_MAX_COST if subject else GENERAL_PAIR_MAX_COST
                if typo_cost(lower, candidate) > limit_cost:
                    continue
                rank = (subject, count)
                if best is None or rank > best[0]:
                    best = (rank, candidate, pair)
        if best is None:
            return None
        _, candidate, (first, second) = best
        fix = self.cased_like(word, candidate)
        usual = " ".join(w for w in (first, fix, second) if w)
        typed = " ".join(w for w in (first, word, second) if w)
        return _finding(
            token,
            Kind.REAL_WORD,
            Confidence.LOW,
            (fix,),
            f"“{usual}” is a usual pair of words; “{typed}” is not.",
            "word-pair",
        )

    def style(self, segments: list[_Segment]) -> list[Finding]:
        findings = []
        for segment in segments:
            if segment.field != "body":
                continue
            issues = [
                *style.sentence_case(segment.visible),
                *style.spacing(segment.visible),
                *style.balance(segment.stored, segment.visible),
            ]
            for issue in issues:
                findings.append(
                    Finding(
                        card=segment.card,
                        field=segment.field,
                        start=issue.start,
                        end=issue.end,
                        text=segment.stored[issue.start : issue.end],
                        kind=Kind.STYLE,
                        confidence=Confidence.MEDIUM,
                        suggestions=issue.suggestions,
                        message=issue.message,
                        rule=issue.rule,
                        context=_context(segment, issue.start, issue.end),
                    )
                )
        return findings


def _tokens(segment: _Segment):
    visible = segment.visible
    previous_end = None
    for match in WORD.finditer(visible):
        start, end = match.span()
        line_start = visible.rfind("\n", 0, start) + 1
        before = visible[line_start:start].rstrip(f" \t{HIDDEN}\"'“‘([")
        sentence_start = not before or before[-1] in ".!?:"
        joined = previous_end is not None and not visible[previous_end:start].strip(f" \t{HIDDEN}")
        previous_end = end
        yield _Token(segment, start, end, match.group(), sentence_start, joined)


def _context(segment: _Segment, start: int, end: int) -> str:
    return segment.visible[max(0, start - 24) : end + 24].replace(HIDDEN, "")


def _finding(
    token: _Token,
    kind: Kind,
    confidence: Confidence,
    suggestions: tuple[str, ...],
    message: str,
    rule: str,
) -> Finding:
    segment = token.segment
    return Finding(
        card=segment.card,
        field=segment.field,
        start=token.start,
        end=token.end,
        text=token.text,
        kind=kind,
        confidence=confidence,
        suggestions=tuple(s for s in suggestions if s != token.text),
        message=message,
        rule=rule,
        context=_context(segment, token.start, token.end),
    )


def check_text(
    cards: Sequence[tuple[str, str]],
    vocabulary: Vocabulary | None = None,
    *,
    title: str = "",
    lexicon: Lexicon | None = None,
) -> list[Finding]:
    """Every finding in a resource: cards are (heading, Markdown body) pairs.

    Findings come in reading order: the title, then each card's heading and body.
    """
    segments = []
    if title:
        segments.append(_Segment(None, "title", title, title))
    for index, (heading, body) in enumerate(cards):
        if heading:
            segments.append(_Segment(index, "heading", heading, heading))
        if body:
            segments.append(_Segment(index, "body", body, visible_text(body)))
    checker = _Checker(lexicon or english_lexicon(), vocabulary or Vocabulary())
    return checker.run(segments)
