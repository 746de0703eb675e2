"""The participant IDs a roster has named so far, kept compactly: a roster streams, and these
are what it keeps of every row (issue 21 #2: peak memory at 100,000 participants)."""

from __future__ import annotations

from array import array
from collections.abc import Callable

# Python's own hash of bytes (seeded per process: the table lives in one run); the tests
# replace it with one where every ID collides.
_hash: Callable[[bytes], int] = hash
_LOW = 0xFFFFFFFF  # the bits of a hash kept: enough to tell most IDs apart before comparing
_EMPTY = -1


class Participants:
    """The participant IDs seen so far in a roster, compared ignoring case (P1 and p1 would clash
    as file names on Windows and macOS): each casefolded ID with the line and spelling of the
    first row that named it. The usual spelling, in capitals (CT303-0042), is the casefolded
    ID's upper case and is not kept.

    A dict of the IDs took about 130 bytes a participant (the string, the entry and the line's
    int): 12.5 MiB at 100,000. Here each ID is its UTF-8 bytes in one buffer, and its end, line
    and hash numbers in arrays, found through an open-addressing table of their positions (kept
    at most half full, linear probing): about 45 bytes a participant. A lookup compares the ID
    itself, never only its hash.

    >>> seen = Participants()
    >>> seen.add("CT303-0042", 2), seen.add("p7", 3), seen.add("ct303-0042", 9)
    (None, None, (2, 'CT303-0042'))
    >>> seen.first("ct303-0042"), seen.first("P7"), seen.first("CT303-0043")
    ((2, 'CT303-0042'), (3, 'p7'), None)
    """

    def __init__(self) -> None:
        # 32 bits where memory would run out long before they do (2**31 IDs, 4 GiB of them);
        # a line number may be any.
        self._text = bytearray()  # every casefolded ID in UTF-8, one after the other
        self._ends = array("I")  # where each ID ends in _text, in the order first named
        self._lines = array("Q")  # the line of the row that first named each
        self._hashes = array("I")  # each ID's hash, its low 32 bits
        self._slots = array("i", [_EMPTY]) * 8  # an ID's position, or _EMPTY; a power of 2
        # casefolded ID -> the ID as its first row spelt it, when not the casefolded ID's upper
        # case (rare)
        self._spellings: dict[str, str] = {}

    def add(self, participant: str, line: int) -> tuple[int, str] | None:
        """Remember a participant named on `line`, unless an earlier row named them already:
        then that row's line and spelling (as `first` gives them), and nothing changes."""
        key = participant.casefold()
        encoded = key.encode()
        hashed = _hash(encoded) & _LOW
        slot, found = self._find(encoded, hashed)
        if found != _EMPTY:
            return self._first(key, found)
        self._slots[slot] = len(self._lines)
        self._text += encoded
        self._ends.append(len(self._text))
        self._lines.append(line)
        self._hashes.append(hashed)
        if participant != key.upper():
            self._spellings[key] = participant
        if 2 * len(self._lines) > len(self._slots):
            self._grow()
        return None

    def first(self, participant: str) -> tuple[int, str] | None:
        """The line and spelling of the first row naming `participant`, if any."""
        key = participant.casefold()
        encoded = key.encode()
        _, found = self._find(encoded, _hash(encoded) & _LOW)
        return None if found == _EMPTY else self._first(key, found)

    def _first(self, key: str, found: int) -> tuple[int, str]:
        """The line and spelling of the ID `key` (casefolded), at position `found`."""
        return self._lines[found], self._spellings.get(key) or key.upper()

    def __contains__(self, participant: object) -> bool:
        return isinstance(participant, str) and self.first(participant) is not None

    def _find(self, encoded: bytes, hashed: int) -> tuple[int, int]:
        """The slot of the ID `encoded` (hash `hashed`) and its position; _EMPTY as its position
        when it is not there, with the free slot where it would go."""
        slots, mask = self._slots, len(self._slots) - 1
        slot = hashed & mask
        while (found := slots[slot]) != _EMPTY:
            if self._hashes[found] == hashed:
                start = self._ends[found - 1] if found else 0
                if self._text[start : self._ends[found]] == encoded:
                    return slot, found
            slot = (slot + 1) & mask
        return slot, _EMPTY

    def _grow(self) -> None:
        """Twice as many slots, each ID put back where its hash leads."""
        slots = array("i", [_EMPTY]) * (2 * len(self._slots))
        mask = len(slots) - 1
        for position, hashed in enumerate(self._hashes):
            slot = hashed & mask
            while slots[slot] != _EMPTY:
                slot = (slot + 1) & mask
            slots[slot] = position
        self._slots = slots
