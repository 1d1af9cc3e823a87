"""Text for search, pure: folding, words, queries, plain text from Markdown, snippets."""

from __future__ import annotations

import html
import importlib
import importlib.util
import re
import sys
import types
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# nh3 and markdown-it are imported where used: indexing needs them, searching does not.

# Words too common to search on; a query of only these gets a helpful empty result.
STOP_WORDS = frozenset(
    """a an and are as at be but by for from has have he her his i in is it its of on or
    she that the their them they this to was were which who will with you your""".split()
)
MAX_QUERY_WORDS = 12
_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]+)"')
# Private-use characters mark matches inside snippets: they survive escaping untouched.
MARK_START, MARK_END = "\ue000", "\ue001"


def fold(text: str) -> str:
    """Case and accents folded: "Éire" and "eire" are the same word to search."""
    if text.isascii():  # nothing to decompose: the same answer, much faster
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# ASCII characters that are not letters or digits: each separates words.
_ASCII_SEPARATORS = {c: " " for c in range(128) if not chr(c).isalnum()}


def words(text: str) -> list[str]:
    """The folded words of text: runs of letters and digits (_WORD after fold)."""
    if text.isascii():
        # The same list by translate and split, in half the time (a rebuild reads every
        # document's words twice): in ASCII [^\W_] is [A-Za-z0-9] and fold is lower().
        return text.lower().translate(_ASCII_SEPARATORS).split()
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[str, ...] = ()  # every word to match, in order, stop words dropped
    phrases: tuple[tuple[str, ...], ...] = ()  # quoted phrases, as word sequences
    dropped: tuple[str, ...] = field(default=(), compare=False)  # stop words left out
    # Alternatives per term (a term's spelling variants); none given: each term alone.
    groups: tuple[tuple[str, ...], ...] = ()

    @property
    def empty(self) -> bool:
        return not self.terms and not self.phrases

    @property
    def term_groups(self) -> tuple[tuple[str, ...], ...]:
        return self.groups or tuple((term,) for term in self.terms)

    @property
    def stems(self) -> frozenset[str]:
        """Every searched word (spelling variants and phrase words too), stemmed."""
        found = {w for group in self.term_groups for w in group}
        found.update(w for phrase in self.phrases for w in phrase)
        return frozenset(stem(w) for w in found)


def parse_query(query: str) -> ParsedQuery:
    phrases = []
    for match in _PHRASE.finditer(query):
        phrase = tuple(words(match.group(1)))
        if len(phrase) > 1:
            phrases.append(phrase[:MAX_QUERY_WORDS])
    rest = _PHRASE.sub(lambda m: m.group(1) if len(words(m.group(1))) < 2 else " ", query)
    found = words(rest)
    terms = tuple(w for w in found if w not in STOP_WORDS)[:MAX_QUERY_WORDS]
    dropped = tuple(w for w in found if w in STOP_WORDS)
    return ParsedQuery(terms=terms, phrases=tuple(phrases), dropped=dropped)


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


# A card that is only a tight list of plain sentences (letters, spaces, a final full
# stop): Markdown would give each item's text unchanged, so the parser is skipped.
_PLAIN_BULLETS = re.compile(r"- [^\W\d_]+(?: [^\W\d_]+)*\.?(?:\n- [^\W\d_]+(?: [^\W\d_]+)*\.?)*\n?")


def markdown_plain_text(markdown: str) -> str:
    """The words a reader sees in a card, without Markdown syntax or HTML."""
    if _PLAIN_BULLETS.fullmatch(markdown):
        return " ".join(line[2:] for line in markdown.splitlines())
    return rendered_plain_text(markdown)


def rendered_plain_text(markdown: str) -> str:
    """markdown_plain_text the long way, through the Markdown parser, for any input."""
    import nh3

    rendered = _markdown().render(markdown)
    rendered = re.sub(r"</(p|li|h\d|tr|td|th|blockquote|pre)>", " ", rendered)
    text = nh3.clean(rendered, tags=set(), strip_comments=True)
    return " ".join(html.unescape(text).split())


_PORTER_ONLY = "recall_snowball_porter"


@lru_cache(maxsize=1)
def _stemmer():
    """snowballstemmer's Porter stemmer (the stemmer of SQLite's FTS5 tokenizer), loaded
    alone. The package's __init__ imports all of its 36 stemmers, to offer them by name:
    3 MB in every process that searches, where this one module takes 0.1 MB. Its modules
    are loaded from the package's folder under a package name of our own, so that the
    __init__ never runs (porter_stemmer imports its two helpers relatively)."""
    package = sys.modules.get(_PORTER_ONLY)
    if package is None:
        spec = importlib.util.find_spec("snowballstemmer")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("snowballstemmer is not installed")
        package = types.ModuleType(_PORTER_ONLY)
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules[_PORTER_ONLY] = package
    return importlib.import_module(f"{_PORTER_ONLY}.porter_stemmer").PorterStemmer()


# Words recur within a page and between searches. Keeping 100,000 (as before) let a
# worker grow by up to 12 MB (some 120 bytes a word); 1,500 searches were no faster
# than with 2,048 kept (0.25 MB).
@lru_cache(maxsize=2048)
def stem(word: str) -> str:
    """A folded word's stem: "purges" and "purge" both give "purg"."""
    return _stemmer().stemWord(word)


def _matches(token: str, stems: frozenset[str]) -> bool:
    return stem(fold(token)) in stems


def _mark(stems: frozenset[str]):
    def mark(m: re.Match) -> str:
        word = m.group()
        return f"{MARK_START}{word}{MARK_END}" if _matches(word, stems) else word

    return mark


def highlight(text: str, stems: frozenset[str]) -> str:
    """The whole text, each word that matches the query between MARK_START and MARK_END."""
    if not stems:
        return text
    if not text.isascii():
        return _WORD.sub(_mark(stems), text)
    parts, done = [], 0
    for start, end in _matching_words(text, stems):
        parts += [text[done:start], MARK_START, text[start:end], MARK_END]
        done = end
    parts.append(text[done:])
    return "".join(parts)


@lru_cache(maxsize=256)
def _candidates(stems: frozenset[str]) -> re.Pattern:
    """Where a word that matches may be in lower-case ASCII text: a stem less its last
    letter (stemming changes only the ending: "happy" gives "happi", "eyed" "ei"), to the
    end of the word. A plain pattern, which the regex engine scans for quickly."""
    prefixes = {s[: max(1, len(s) - 1)] for s in stems}
    if "" in prefixes:  # "s" gives "": every word is a candidate
        return _WORD
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    return re.compile(rf"(?:{alternatives})[^\W_]*")


def _matching_words(text: str, stems: frozenset[str]):
    """(start, end) of each word of an ASCII text that matches: only the candidates that
    start a word are stemmed."""
    lowered = text.lower()
    for m in _candidates(stems).finditer(lowered):
        start = m.start()
        if (start == 0 or not lowered[start - 1].isalnum()) and _matches(m.group(), stems):
            yield start, m.end()


def _first_match(text: str, stems: frozenset[str]) -> int | None:
    if not stems:
        return None
    if not text.isascii():
        return next((m.start() for m in _WORD.finditer(text) if _matches(m.group(), stems)), None)
    return next((start for start, _ in _matching_words(text, stems)), None)


def snippet(text: str, stems: frozenset[str], words: int = 24) -> str:
    """About `words` words of the text around its first word that matches the query,
    matches marked as in highlight(), "…" where the text was cut. Without a match, the
    text's opening words.

    Fast on long texts: only words that start as a stem does, less its last letter
    (stemming changes only endings), are stemmed; texts with accents are read word by
    word (folding may change any letter)."""
    first = _first_match(text, stems)
    if first is None:
        first = 0
    # A few words of context before the match, then the rest of the window after it.
    before = list(_WORD.finditer(text, max(0, first - 80), first))[-5:]
    start = before[0].start() if before else first
    window = []
    for m in _WORD.finditer(text, start):
        window.append(m)
        if len(window) == words:
            break
    if not window:
        return ""
    end = window[-1].end()
    more = _WORD.search(text, end) is not None
    if not more:
        end = len(text)  # the closing punctuation too
    return ("…" if start > 0 else "") + highlight(text[start:end], stems) + ("…" if more else "")


def snippet_html(marked: str) -> str:
    """Escape a snippet whose matches are wrapped in MARK_START/MARK_END, then <mark> them."""
    escaped = html.escape(marked, quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
