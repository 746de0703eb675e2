"""Did you mean: the known names nearest a misspelt one, for a refusal to suggest."""

from __future__ import annotations

import difflib
import functools


# By value: a file of 200,000 rows with one misspelt arm asks difflib once, not 200,000 times
# (issue 16 #12: a bad roster took 70x as long to refuse as a good one took to plan). Bounded,
# as distinct misspellings come from the input; a name is a few words, its answer as short.
@functools.lru_cache(maxsize=4096)
def closest(word: str, names: tuple[str, ...], n: int = 1) -> tuple[str, ...]:
    """The `names` nearest `word` (at most `n`, best first; none below difflib's 0.6 ratio).

    >>> closest("phase3-rcx", ("phase3-rcp", "phase3-olp", "phase1b-500"))
    ('phase3-rcp',)
    """
    return tuple(difflib.get_close_matches(word, names, n=n))
