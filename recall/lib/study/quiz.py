"""Quizzes over study items: pure, deterministic (given a seed) functions, no Django.

Multiple choice: the right answer and up to three distractors of the same type (a date for
a date, a number for a number, a name for a name), taken from the same topic's material
first, then the same subject's; dates and numbers nearest in value are preferred, and
when the material has too few, dates and numbers get made-up neighbours (1953 → 1951,
1956...). Typed answers: `check_typed` folds case, accents and punctuation and forgives a
small edit distance relative to the answer's length, but never a different digit: "1935"
is not "1953".
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .cloze import _DATE, _NUMBER, DATE, KEYWORD, NAME, NUMBER, RARE_ZIPF, TERM, word_zipf

TEXT = "text"  # a free answer: none of the span kinds
CHOICES = 4  # the right answer and three distractors
MAX_QUIZ_ANSWER = 80  # longer answers (heading cards, long flashcards) are not quizzed
EXACT, CLOSE, WRONG = "exact", "close", "wrong"

_ARTICLES = re.compile(r"^(?:the|a|an) ")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_PUNCTUATION = re.compile(r"(?:(?!(?<=\d)\.(?=\d))[\W_])+")


# --- answer types -------------------------------------------------------------------------


def answer_type(answer: str, span_kind: str = "") -> str:
    """The type distractors must share: DATE, NUMBER, NAME, TERM (rare terms and keywords)
    or TEXT; a generated cloze says its span kind, other answers are classified."""
    if span_kind in (DATE, NUMBER, NAME, TERM):
        return span_kind
    if span_kind == KEYWORD:
        return TERM
    text = answer.strip()
    if not text or len(text) > MAX_QUIZ_ANSWER:
        return TEXT
    if _DATE.fullmatch(text):
        return DATE
    if _NUMBER.fullmatch(text):
        return NUMBER
    words = text.split()
    if len(words) <= 5 and all(word[0].isupper() or word in ("of", "de", "von") for word in words):
        return NAME
    if len(words) == 1 and word_zipf(text) < RARE_ZIPF:
        return TERM
    return TEXT


# --- typed answers ------------------------------------------------------------------------


def fold(text: str) -> str:
    """Case, accents, punctuation and a leading article folded away: "The Warsaw-Pact!" →
    "warsaw pact", "1950's" → "1950s", "2,000" → "2000"."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = _THOUSANDS.sub("", text.casefold())
    text = re.sub(r"['’`]", "", text)
    text = _PUNCTUATION.sub(" ", text).strip()  # decimal points stay: "2.7"
    return _ARTICLES.sub("", text)


def edit_distance(first: str, second: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions and
    transpositions of neighbours each cost one."""
    if first == second:
        return 0
    previous2: list[int] = []
    previous = list(range(len(second) + 1))
    for i, a in enumerate(first, 1):
        current = [i] + [0] * len(second)
        for j, b in enumerate(second, 1):
            cost = 0 if a == b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def allowed_typos(length: int) -> int:
    """Edits forgiven in an answer of this many characters: none up to 3, then about one
    in six (1 up to 7, 2 up to 14, at most 3)."""
    if length <= 3:
        return 0
    if length <= 7:
        return 1
    if length <= 14:
        return 2
    return 3


def check_typed(given: str, expected: str) -> str:
    """EXACT (the same once folded), CLOSE (a small typo, accepted) or WRONG. The numbers
    in an answer must be exactly those expected: a typo in a year is a different year."""
    typed, right = fold(given), fold(expected)
    if not typed:
        return WRONG
    if typed == right:
        return EXACT
    if _DIGITS.findall(typed) != _DIGITS.findall(right):
        return WRONG
    letters_typed, letters_right = _DIGITS.sub("#", typed), _DIGITS.sub("#", right)
    distance = edit_distance(letters_typed, letters_right)
    return CLOSE if distance <= allowed_typos(len(letters_right)) else WRONG


# --- multiple choice ----------------------------------------------------------------------


@dataclass(frozen=True)
class Material:
    """One answer of the material distractors come from."""

    answer: str
    type: str  # answer_type()
    topic_id: int
    subject_id: int


@dataclass(frozen=True)
class QuizItem:
    id: int
    prompt: str
    answer: str
    type: str
    topic_id: int
    subject_id: int


@dataclass(frozen=True)
class Question:
    item_id: int
    prompt: str
    answer: str
    type: str
    choices: tuple[str, ...]  # shuffled, the answer among them; empty when typed

    @property
    def is_choice(self) -> bool:
        return len(self.choices) >= 2


def _value(text: str) -> float | None:
    match = _DIGITS.search(fold(text))
    return float(match.group()) if match else None


def _made_up_numbers(answer: str, rng: random.Random, wanted: int) -> list[str]:
    """Neighbours of a date or number, written like it: 1953 → 1951, 1956; 1950s → 1960s."""
    match = re.search(r"\d+(?:\.\d+)?", answer)
    if match is None:
        return []
    digits = match.group()
    if "." in digits:
        value = float(digits)
        decimals = len(digits.split(".")[1])
        options = [round(value * factor, decimals) for factor in (0.5, 0.8, 1.2, 1.5, 2)]
        texts = [f"{option:.{decimals}f}" for option in options if option > 0]
    else:
        value = int(digits)
        year_like = len(digits) == 4 and 1000 <= value <= 2100
        if year_like and answer[match.end() : match.end() + 1] == "s":
            steps = [-20, -10, 10, 20]  # decades
        elif year_like:
            steps = [-10, -5, -3, -2, -1, 1, 2, 3, 5, 10]
        elif value < 10:
            steps = [-3, -2, -1, 1, 2, 3, 4]
        else:
            steps = [round(value * f) - value for f in (-0.5, -0.25, -0.1, 0.1, 0.25, 0.5, 1)]
        texts = [str(value + step) for step in steps if value + step > 0 and step]
    rng.shuffle(texts)
    made = []
    for text in texts:
        made.append(answer[: match.start()] + text + answer[match.end() :])
        if len(made) == wanted:
            break
    return made


def distractors(
    item: QuizItem, material: Sequence[Material], rng: random.Random, count: int = CHOICES - 1
) -> list[str]:
    """Up to count wrong answers of the item's type: the same topic's first, then the
    same subject's, then (dates and numbers) made-up neighbours."""
    right = fold(item.answer)
    prompt = f" {fold(item.prompt)} "
    seen = {right}
    chosen: list[str] = []

    def usable(answer: str) -> bool:
        folded = fold(answer)
        if not folded or folded in seen or f" {folded} " in prompt:
            return False
        if item.type in (DATE, NUMBER) and _DIGITS.findall(folded) == _DIGITS.findall(right):
            return False
        return True

    for same_topic in (True, False):
        if len(chosen) >= count:
            break
        pool = sorted(
            {
                entry.answer
                for entry in material
                if entry.type == item.type
                and (entry.topic_id == item.topic_id) == same_topic
                and (same_topic or entry.subject_id == item.subject_id)
            }
        )
        rng.shuffle(pool)
        target = _value(item.answer)
        if item.type in (DATE, NUMBER) and target is not None:
            # The nearest values are the plausible ones: pick among twice as many as needed.
            pool.sort(key=lambda answer: abs((_value(answer) or 0.0) - target))
            pool = pool[: 2 * (count - len(chosen))]
            rng.shuffle(pool)
        for answer in pool:
            if len(chosen) >= count:
                break
            if usable(answer):
                chosen.append(answer)
                seen.add(fold(answer))
    if len(chosen) < count and item.type in (DATE, NUMBER):
        for answer in _made_up_numbers(item.answer, rng, 2 * count):
            if len(chosen) >= count:
                break
            if usable(answer):
                chosen.append(answer)
                seen.add(fold(answer))
    return chosen


def build_quiz(
    items: Sequence[QuizItem],
    material: Sequence[Material],
    *,
    seed: int,
    length: int = 10,
    choice: bool = True,
) -> list[Question]:
    """Up to `length` questions from items in an order set by the seed; with choice, each
    has the answer and its distractors shuffled (a question with no distractor is typed)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible quiz, not a secret
    quizzable = sorted(
        (item for item in items if 0 < len(item.answer) <= MAX_QUIZ_ANSWER),
        key=lambda item: item.id,
    )
    rng.shuffle(quizzable)
    questions = []
    for item in quizzable[:length]:
        options: tuple[str, ...] = ()
        if choice:
            wrong = distractors(item, material, rng)
            if wrong:
                shuffled = [item.answer, *wrong]
                rng.shuffle(shuffled)
                options = tuple(shuffled)
        questions.append(Question(item.id, item.prompt, item.answer, item.type, options))
    return questions


def is_right_choice(chosen: str, question: Question) -> bool:
    return fold(chosen) == fold(question.answer) and bool(chosen.strip())
