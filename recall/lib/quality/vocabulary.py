"""The words of the subject: names and terms that no English dictionary knows.

A ``Vocabulary`` gathers the shipped subject word lists (one word or phrase a line, names
with their capitals) and what the published corpus teaches: words used in several
resources, and the word pairs those resources use (so "military alliance" in one
resource tells a check that "military allowance" in another is probably a slip).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from symspellpy import SymSpell

from .lexicon import MAX_EDIT_DISTANCE, PREFIX_LENGTH, Lexicon
from .markdown_text import HIDDEN, visible_text

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*(?:-[^\W\d_]+(?:['’][^\W\d_]+)*)*")
# Subject words rank as if at least this common (a Zipf value of 4: 10 per million).
SUBJECT_FREQUENCY = 1e-5


def words_of(text: str) -> list[str]:
    return WORD.findall(text)


def read_word_list(path: Path | str) -> list[str]:
    """The entries of a word list file: one a line, ``#`` starts a comment."""
    entries = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        entry = " ".join(line.split("#", 1)[0].split())
        if entry:
            entries.append(entry)
    return entries


class Vocabulary:
    """Known words (lower case) with their usual capitals, and attested word pairs."""

    def __init__(
        self,
        entries: Iterable[str] = (),
        *,
        corpus_words: Iterable[str] = (),
        corpus_pairs: Iterable[tuple[str, str]] = (),
    ) -> None:
        self.words: set[str] = set()
        self.canonical: dict[str, str] = {}  # "khrushchev" -> "Khrushchev"
        self.right: dict[str, dict[str, int]] = {}
        self.left: dict[str, dict[str, int]] = {}
        self.phrases: set[str] = set()
        self._plain: set[str] = set()
        for entry in entries:
            self.add(entry)
        self.words.update(word.lower() for word in corpus_words)
        for first, second in corpus_pairs:
            self._add_pair(first.lower(), second.lower())
        self._symspell: SymSpell | None = None
        self._frequencies: dict[str, float] | None = None

    def add(self, entry: str) -> None:
        tokens = words_of(entry)
        for token in tokens:
            self._add_word(token)
            for part in token.split("-") if "-" in token else ():
                self._add_word(part)
        if len(tokens) > 1:
            self.phrases.add(" ".join(token.lower() for token in tokens))
        for first, second in zip(tokens, tokens[1:], strict=False):
            self._add_pair(first.lower(), second.lower())

    def _add_word(self, word: str) -> None:
        form = word.replace("’", "'")
        lower = form.lower()
        self.words.add(lower)
        if form == lower:
            # Written in lower case somewhere, so not only a name: no capitals to keep.
            self._plain.add(lower)
            self.canonical.pop(lower, None)
        elif lower not in self._plain and not form.isupper():
            self.canonical.setdefault(lower, form)

    def _add_pair(self, first: str, second: str) -> None:
        self.right.setdefault(first, {})[second] = self.right.get(first, {}).get(second, 0) + 1
        self.left.setdefault(second, {})[first] = self.left.get(second, {}).get(first, 0) + 1

    def __contains__(self, lower: str) -> bool:
        if lower in self.words:
            return True
        # Regular plurals of subject terms ("decomposer" lists "decomposers" too).
        return (lower.endswith("s") and lower[:-1] in self.words) or (
            lower.endswith("es") and lower[:-2] in self.words
        )

    def pair_count(self, first: str, second: str) -> int:
        return self.right.get(first, {}).get(second, 0)

    def cased(self, lower: str) -> str | None:
        return self.canonical.get(lower)

    def frequencies(self, lexicon: Lexicon) -> dict[str, float]:
        if self._frequencies is None:
            self._frequencies = {
                word: max(lexicon.frequency(word), SUBJECT_FREQUENCY) for word in self.words
            }
        return self._frequencies

    def candidates(self, word: str, lexicon: Lexicon) -> list[str]:
        """Subject words within two edits of ``word`` (those English doesn't have)."""
        # Imported here: only the quality checks look words up (a reading worker never does).
        from symspellpy import SymSpell, Verbosity

        if self._symspell is None:
            self._symspell = SymSpell(
                max_dictionary_edit_distance=MAX_EDIT_DISTANCE, prefix_length=PREFIX_LENGTH
            )
            for known in self.words:
                if "-" not in known and "'" not in known:
                    self._symspell.create_dictionary_entry(known, 1)
        if len(word) > 40:
            return []
        found = self._symspell.lookup(word, Verbosity.ALL, max_edit_distance=MAX_EDIT_DISTANCE)
        return [item.term for item in found if item.term != word]


def corpus_vocabulary(
    entries: Iterable[str],
    document_words: Mapping[str, int],
    document_pairs: Mapping[tuple[str, str], int],
    *,
    min_documents: int = 2,
) -> Vocabulary:
    """The word lists plus what ``min_documents`` or more published resources agree on.

    ``document_words``/``document_pairs`` count in how many resources each (lower-case)
    word or pair appears; the resource being checked must not be among them, or its own
    misspellings would vouch for themselves.
    """
    return Vocabulary(
        entries,
        corpus_words=[word for word, n in document_words.items() if n >= min_documents],
        corpus_pairs=[pair for pair, n in document_pairs.items() if n >= 1],
    )


def document_terms(
    title: str, cards: Iterable[tuple[str, str]]
) -> tuple[set[str], set[tuple[str, str]]]:
    """The distinct words (lower case) and adjacent word pairs a resource's reader sees."""
    words: set[str] = set()
    pairs: set[tuple[str, str]] = set()
    texts = [title]
    for heading, body in cards:
        texts += [heading, visible_text(body)]
    for text in texts:
        text_terms(text, words, pairs)
    return words, pairs


def text_terms(text: str, words: set[str], pairs: set[tuple[str, str]]) -> None:
    """Add one visible text's words (lower case) and adjacent pairs: words are adjacent
    when only spaces or hidden Markdown lie between them."""
    previous: tuple[str, int] | None = None
    for match in WORD.finditer(text):
        word = match.group().lower().replace("’", "'")
        words.add(word)
        if previous and not text[previous[1] : match.start()].strip(f" \t{HIDDEN}"):
            pairs.add((previous[0], word))
        previous = (word, match.end())
