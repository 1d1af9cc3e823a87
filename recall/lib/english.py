"""How common an English word is, from a compact table shared by the search corrector and
the quality checks. Pure.

wordfreq's English list holds 321,000 words: loaded whole (what ``zipf_frequency`` does)
it costs a process about 35 MB, and wordfreq keeps it for the life of the process. Recall
only ever asks whether a word is at least ``MIN_ZIPF`` common (once per million words) or
how common such a word is, so ``common_words`` keeps the 29,000 words at or above it
(about 3 MB), read straight from wordfreq's data file. Below ``MIN_ZIPF`` every word reads as 0.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import sys
from functools import lru_cache
from pathlib import Path

import msgpack

MIN_ZIPF = 3.0
WORDLIST = "large_en.msgpack.gz"


def _bucket_frequency(index: int) -> float:
    return 10 ** (-index / 100)  # wordfreq's buckets are centibels apart


def _wordlist_path() -> Path:
    # Found without importing wordfreq, which loads a good deal (langcodes, regex, ftfy).
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("wordfreq is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / WORDLIST


@lru_cache(maxsize=1)
def common_words() -> dict[str, float]:
    """Every word of wordfreq's large English list at least MIN_ZIPF common, with its
    frequency as a share of all words.

    Read as a stream (the file is one msgpack array: a header, then one list of words per
    centibel of frequency, most common first) and stopped at MIN_ZIPF, so the 290,000
    rarer words are never in memory, even for a moment.
    """
    floor = 10 ** (MIN_ZIPF - 9)
    table: dict[str, float] = {}
    with gzip.open(_wordlist_path(), "rb") as packed:
        unpacker = msgpack.Unpacker(packed, raw=False)
        buckets = unpacker.read_array_header() - 1
        unpacker.skip()  # the header
        for index in range(buckets):
            frequency = _bucket_frequency(index)
            if frequency < floor:
                break
            for word in unpacker.unpack():
                table[sys.intern(word)] = frequency
    return table


def frequency(word: str) -> float:
    """A share of all English words: 0.0 below MIN_ZIPF."""
    return common_words().get(word, 0.0)


def zipf(word: str) -> float:
    """wordfreq's Zipf value (log10 of uses per billion words) for a lower-case word at
    least MIN_ZIPF common; 0.0 for rarer words, which callers treat as rare."""
    found = common_words().get(word)
    return round(math.log10(found) + 9, 2) if found else 0.0
