"""Quality checks for authors: spelling, names, real-word errors and style, in pure Python.

``check_text`` takes a resource's title and cards (heading, Markdown body) and a
``Vocabulary`` (the subject word lists and the words of the published corpus) and returns
``Finding``s, each with its place in the stored text so that a fix can replace exactly
that range. The English dictionaries (symspellpy's frequency lists and wordfreq) are
loaded once per process by ``english_lexicon``.
"""

from .checks import check_text
from .findings import Confidence, Finding, Kind, replace_range
from .lexicon import Lexicon, english_lexicon
from .vocabulary import Vocabulary, read_word_list

__all__ = [
    "Confidence",
    "Finding",
    "Kind",
    "Lexicon",
    "Vocabulary",
    "check_text",
    "english_lexicon",
    "read_word_list",
    "replace_range",
]
