"""Words held compactly: UTF-8 end to end in one bytearray, their offsets in an array, and
an open-addressing hash table of their positions. A read-only set of words by number,
a fraction of a dict's or a list's size. Pure; shared by recall.lib.english and
recall.lib.query_spelling.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable


def numbers_of(count: int) -> str:
    """The array type for numbers below count: 2 bytes each while they fit."""
    return "H" if count <= 2**16 else "I"


class PackedWords:
    """Words (given as UTF-8 bytes) numbered in the order given. ``text`` and ``offsets``
    are public for loops that slice many words themselves."""

    def __init__(self, words: Iterable[bytes]) -> None:
        text = bytearray()
        offsets = array("I", [0])
        for word in words:
            text += word
            offsets.append(len(text))
        self.text, self.offsets = text, offsets
        size = 1 << max(4, (2 * len(self)).bit_length())  # at most half full
        # Word numbers + 1 (0: an empty slot).
        slots, mask = array(numbers_of(len(self) + 1), [0]) * size, size - 1
        for number in range(len(self)):
            slot = hash(self.word(number)) & mask
            while slots[slot]:
                slot = (slot + 1) & mask
            slots[slot] = number + 1
        self.slots = slots

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def nbytes(self) -> int:
        return len(self.text) + sum(a.itemsize * len(a) for a in (self.offsets, self.slots))

    def word(self, number: int) -> str:
        return self.text[self.offsets[number] : self.offsets[number + 1]].decode()

    def find(self, word: str) -> int:
        """The word's number; -1 if it is not among them."""
        slots = self.slots
        mask = len(slots) - 1
        slot = hash(word) & mask
        while found := slots[slot]:
            if self.word(found - 1) == word:
                return found - 1
            slot = (slot + 1) & mask
        return -1
