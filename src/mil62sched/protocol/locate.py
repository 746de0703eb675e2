"""Where a key path is in a TOML text: the line (from 1) of `schedules[2].visits[3]`.

tomllib keeps no positions, so the line is found by searching the text: the table headers along
the key path (`[protocol]`, the n-th `[[schedules]]`), then the `key =` line inside that table,
then the value itself when it is known. `protocol validate` names each problem's line with it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence


def key_path(segments: Sequence[str | int]) -> str:
    """`schedules[2].visits[3]` from ["schedules", 2, "visits", 3].

    >>> key_path(["schedules", 2, "visits", 3])
    'schedules[2].visits[3]'
    """
    text = ""
    for segment in segments:
        text += f"[{segment}]" if isinstance(segment, int) else f".{segment}" if text else segment
    return text


def segments(path: str) -> list[str | int]:
    """The inverse of `key_path`.

    >>> segments("schedules[2].visits[3]")
    ['schedules', 2, 'visits', 3]
    """
    return [
        int(index) if index else name for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path)
    ]


_HEADER = re.compile(r"\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
# A line that gives a key: `name =`, `"name" =` or `'name' =` (the name as written, unquoted).
_KEY = re.compile(r"""\s*(?:"([^"]*)"|'([^']*)'|([^\s="'\[]+))\s*=""")


class TomlLines:
    """The lines of a TOML text, with its table headers (`[protocol]`, `[[schedules]]`) and the
    lines that give each key (`name =`) indexed in one pass, so that finding the line of a key
    path costs about the same however many problems a file has.

    Nothing is parsed again: a path written in an unusual way (dotted keys, a key repeated in an
    inline table) is found at the nearest line before it, which is still the right table.
    """

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.headers: list[int] = []  # every header's line, in order (from 0)
        self.arrays: dict[str, list[int]] = {}  # the lines of each [[name]]
        self.tables: dict[str, list[int]] = {}  # the lines of each [name]
        self.last_named: dict[str, int] = {}  # the last header of exactly this name
        self.last_below: dict[str, int] = {}  # the last header of a table below it (name.x)
        self.keys: dict[str, list[int]] = {}  # the lines that begin by giving this key
        for number, line in enumerate(self.lines):
            header = _HEADER.match(line)
            if header is not None:
                name = header[2]
                self.headers.append(number)
                (self.arrays if header[1] == "[[" else self.tables).setdefault(name, []).append(
                    number
                )
                self.last_named[name] = number
                parts = name.split(".")
                for end in range(1, len(parts)):
                    self.last_below[".".join(parts[:end])] = number
                continue
            key = _KEY.match(line)
            if key is not None:
                given = next(part for part in key.groups() if part is not None)
                self.keys.setdefault(given, []).append(number)

    def locate(self, segments: Sequence[str | int], hint: object = None) -> int | None:
        """The line (from 1) where the key path `segments` can be found, or None.

        The table headers along the path (`[protocol]`, the n-th `[[schedules]]`), then the first
        `key =` line of the next key inside that table, then, when the value is known (`hint`),
        the first line from there that holds it.

        >>> text = 'format = 1\\n[[s]]\\nv = ["W1D1"]\\n[[s]]\\nv = [\\n  "W2D9",\\n]\\n'
        >>> TomlLines(text).locate(["s", 1, "v", 0], "W2D9")
        6
        """
        low, high = 0, len(self.lines)
        found: int | None = None
        table: list[str] = []  # the dotted name of the table we are in
        index = 0
        inside_value = False  # past a `key =`: further names are inline-table keys
        while index < len(segments):
            segment = segments[index]
            following = segments[index + 1] if index + 1 < len(segments) else None
            if isinstance(segment, int):
                index += 1  # an element of an inline array: found by its value, if known
                continue
            name = ".".join([*table, segment])
            if not inside_value:
                if (
                    self.last_below.get(name, -1) >= low and self.last_named.get(name, -1) < low
                ):  # only sub-tables are written out: [treatments.drug]
                    table = [*table, segment]
                    index += 1
                    continue
                # Searched to the end: `[[design.arms]]` follows other tables of [design].
                many = self.arrays.get(name, [])
                first = bisect.bisect_left(many, low)
                if isinstance(following, int) and first + following < len(many):
                    found = many[first + following]
                    low, high = found + 1, self._next_header(found + 1)
                    table = [*table, segment]
                    index += 2
                    continue
                one = _first(self.tables.get(name, []), low)
                if one is not None:
                    found = one
                    low, high = found + 1, self._next_header(found + 1)
                    table = [*table, segment]
                    index += 1
                    continue
                hit = _first(self.keys.get(segment, []), low)
                hit = hit if hit is not None and hit < high else None
            else:
                key = re.compile(
                    rf"(?:^|[{{,\s])(?:\"{re.escape(segment)}\"|'{re.escape(segment)}'|"
                    rf"{re.escape(segment)})\s*="
                )
                hit = next((n for n in range(low, high) if key.search(self.lines[n])), None)
            if hit is None:
                break
            found, low = hit, hit
            inside_value = True
            index += 1
        if found is not None and hint is not None and not isinstance(hint, bool):
            literal = f'"{hint}"' if isinstance(hint, str) else str(hint)
            hit = next((n for n in range(found, high) if literal in self.lines[n]), None)
            if hit is not None:
                found = hit
        return None if found is None else found + 1

    def _next_header(self, start: int) -> int:
        """The line of the first header from `start` on: where the table before it ends."""
        found = _first(self.headers, start)
        return len(self.lines) if found is None else found


def _first(numbers: list[int], start: int) -> int | None:
    """The first of the sorted line `numbers` from `start` on, or None."""
    at = bisect.bisect_left(numbers, start)
    return numbers[at] if at < len(numbers) else None


def locate(text: str, segments: Sequence[str | int], hint: object = None) -> int | None:
    """The line (from 1) where the key path `segments` can be found in the TOML `text`, or None
    (see `TomlLines.locate`; build one `TomlLines` to look up many paths).

    >>> locate('[protocol]\\nid = "X"\\n', ["protocol", "id"])
    2
    """
    return TomlLines(text).locate(segments, hint)
