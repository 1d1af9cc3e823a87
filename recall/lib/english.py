"""How common an English word is, from a compact table shared by the search corrector and
the quality checks. Pure.

wordfreq's English list holds 321,000 words: loaded whole (what ``zipf_frequency`` does)
it costs a process about 35 MB, and wordfreq keeps it for the life of the process. Recall
only ever asks whether a word is at least ``MIN_ZIPF`` common (once per million words) or
how common such a word is, so only the 29,000 words at or above it are read, straight
from wordfreq's data file. Below ``MIN_ZIPF`` every word reads as 0.

``zipf`` and ``frequency`` (the search corrector, in every web worker) read them from a
compact table: the words end to end in one UTF-8 bytearray, in the file's order (most
common first), with a hash table of their positions, 0.45 MB where a dictionary of them
took 4.3 MB. ``common_words`` makes that dictionary, for the quality checks' lexicon.
"""

from __future__ import annotations

import gzip
import importlib.util
import math
import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import msgpack

from recall.lib.packed_words import PackedWords

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


class _Table:
    """Words in order of frequency (PackedWords), with where each bucket of frequency
    starts."""

    def __init__(self, words: Iterable[bytes], firsts: array) -> None:
        self.words = PackedWords(words)
        self.firsts = firsts  # the position of the first word of each bucket

    def __len__(self) -> int:
        return len(self.words)

    def word(self, number: int) -> str:
        return self.words.word(number)

    def frequency(self, word: str) -> float:
        number = self.words.find(word)
        if number < 0:
            return 0.0
        return _bucket_frequency(bisect_right(self.firsts, number) - 1)

    def items(self) -> Iterator[tuple[str, float]]:
        for bucket, first in enumerate(self.firsts):
            end = self.firsts[bucket + 1] if bucket + 1 < len(self.firsts) else len(self)
            frequency = _bucket_frequency(bucket)
            for number in range(first, end):
                yield self.word(number), frequency


@lru_cache(maxsize=1)
def _table() -> _Table:
    """Every word of wordfreq's large English list at least MIN_ZIPF common.

    Read as a stream (the file is one msgpack array: a header, then one list of words per
    centibel of frequency, most common first) and stopped at MIN_ZIPF, so the 290,000
    rarer words are never in memory, even for a moment; the words stay UTF-8 bytes.
    """
    floor = 10 ** (MIN_ZIPF - 9)
    firsts = array("I")

    def words() -> Iterator[bytes]:
        with gzip.open(_wordlist_path(), "rb") as packed:
            unpacker = msgpack.Unpacker(packed, raw=True, read_size=16 * 1024)
            buckets = unpacker.read_array_header() - 1
            unpacker.skip()  # the header
            count = 0
            for index in range(buckets):
                if _bucket_frequency(index) < floor:
                    break
                firsts.append(count)
                bucket = unpacker.unpack()
                count += len(bucket)
                yield from bucket

    return _Table(words(), firsts)


@lru_cache(maxsize=1)
def common_words() -> dict[str, float]:
    """Every word of wordfreq's large English list at least MIN_ZIPF common, with its
    frequency as a share of all words, most common first (a dictionary of 4 MB: the
    quality checks' lexicon builds on it; ``frequency`` and ``zipf`` read the table)."""
    return {sys.intern(word): frequency for word, frequency in _table().items()}


def frequency(word: str) -> float:
    """A share of all English words: 0.0 below MIN_ZIPF."""
    return _table().frequency(word)


def zipf(word: str) -> float:
    """wordfreq's Zipf value (log10 of uses per billion words) for a lower-case word at
    least MIN_ZIPF common; 0.0 for rarer words, which callers treat as rare."""
    found = _table().frequency(word)
    return round(math.log10(found) + 9, 2) if found else 0.0
