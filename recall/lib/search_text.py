"""Text for search, pure: folding, words, queries, plain text from Markdown, snippets."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

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
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
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
    return MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])


def markdown_plain_text(markdown: str) -> str:
    """The words a reader sees in a card, without Markdown syntax or HTML."""
    rendered = _markdown().render(markdown)
    rendered = re.sub(r"</(p|li|h\d|tr|td|th|blockquote|pre)>", " ", rendered)
    text = nh3.clean(rendered, tags=set(), strip_comments=True)
    return " ".join(html.unescape(text).split())


def snippet_html(marked: str) -> str:
    """Escape a snippet whose matches are wrapped in MARK_START/MARK_END, then <mark> them."""
    escaped = html.escape(marked, quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
