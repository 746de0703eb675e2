"""Every problem of a protocol file, each with its TOML key path and a line of the file.

What `mil62sched protocol validate` lists, and what every command that reads a protocol file
refuses it for (the first one): the file's format, the JSON Schema (`schema.json`), the loader's
own rules, the `[design]` table, what no schema can say about the site (its IANA time zone, its
country's public holidays), and control characters in its text.

tomllib gives no positions, so each problem's line is found by searching the file's text, in an
index of its table headers and keys built in one pass (see `TomlLines`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from mil62sched.errors import Mil62schedError, ProtocolError
from mil62sched.model.protocol import Protocol
from mil62sched.protocol.loader import SCHEMA, Problem, build, check_format

# Text that may span lines: a schedule's or journey's citation of the registry, a criterion's
# text ([[design.criteria]]), a time-bound rule's quoted condition and exemption. Any other text
# is one line.
PROSE = frozenset({"cites", "text", "check", "exempt"})


class Finding(NamedTuple):
    """One problem: the line of the file it is on (from 1; None when it cannot be found), its
    key path (`schedules[2].visits[3]`, lists counted from 0; "" for the file itself) and what
    is wrong."""

    line: int | None
    path: str
    message: str

    def where(self, file: str) -> str:
        """`FILE line N`, or `FILE` when the line is not known."""
        return f"{file} line {self.line}" if self.line else file

    def what(self) -> str:
        """`key.path: message`, as `protocol validate` prints it after the file and line."""
        return f"{self.path or '(top level)'}: {self.message}"


class Checked(NamedTuple):
    """A parsed file's protocol (None when it has a problem) and its problems, in line order."""

    trial: Protocol | None
    findings: list[Finding]


def check(text: str, table: dict[str, Any]) -> Checked:
    """Every problem of the protocol file whose text is `text` and parsed table `table`."""
    lines = TomlLines(text)
    version = check_format(table)
    if version is not None:  # another format's file cannot be checked against this one's rules
        return Checked(None, [lines.finding(_segments(version.path), version.message)])
    found, broken = _schema_findings(table, lines)
    problems: list[Problem] = []
    trial = build(table, problems)
    for problem in problems:
        if _entry(problem.path) not in broken:  # the schema's own message says it already
            found.append(lines.finding(_segments(problem.path), problem.message))
    if trial is not None and "design" in table and not any(b.startswith("design") for b in broken):
        found.extend(_design_findings(table["design"], trial, lines))
    if "eligibility" in table:  # screen's time-bound criteria: what the schema did not refuse
        said = {_element(finding.path) for finding in found}
        if "eligibility" not in said:
            found.extend(
                finding
                for finding in _eligibility_findings(table, trial, lines)
                if _element(finding.path) not in said
            )
    found.extend(_site_findings(table.get("protocol"), lines))
    found.extend(lines.finding(path, message) for path, message in control_characters(table))
    found.sort(key=lambda finding: finding.line or 0)
    return Checked(None if found else trial, found)


def _schema_findings(table: dict[str, Any], lines: TomlLines) -> tuple[list[Finding], set[str]]:
    """The JSON Schema's problems, and the entries they are in (`schedules[2]`, `protocol`)."""
    import json

    from jsonschema import Draft202012Validator  # only when a file is checked

    rules = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = Draft202012Validator(rules)
    found: list[Finding] = []
    broken: set[str] = set()
    for error in (leaf for top in validator.iter_errors(table) for leaf in _leaves(top)):
        segments: list[str | int] = list(error.absolute_path)
        broken.add(_entry(_key_path(segments)))
        hint = error.instance if isinstance(error.instance, str | int) else None
        message = _wording(error, rules["$defs"]["code"]["pattern"])
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = [key for key in error.instance if key not in known]
            if extra:  # point at the first key that should not be there
                segments.append(extra[0])
                hint = None
            if known:
                message += f"; accepted: {', '.join(known)}"
        found.append(lines.finding(segments, message, hint))
    return found, broken


def _design_findings(body: object, trial: Protocol, lines: TomlLines) -> list[Finding]:
    """What the schema cannot say about the [design] table (the SDTM trial design): that the
    arms, schedules and periods it names are the file's, codes unique, criteria numbered."""
    from mil62sched.protocol.design import check_design

    try:
        check_design(body, trial)
    except ProtocolError as exc:
        return [lines.finding(["design"], exc.line())]
    return []


def _eligibility_findings(
    table: Mapping[str, Any], trial: Protocol | None, lines: TomlLines
) -> list[Finding]:
    """What the schema cannot say about the [eligibility] table (protocol.criteria): classes,
    phases and arms that exist, the keys each kind of rule needs, quotes of the criteria."""
    from mil62sched.protocol.criteria import check_eligibility

    return [lines.finding(found.path, found.message) for found in check_eligibility(table, trial)]


def _site_findings(head: object, lines: TomlLines) -> list[Finding]:
    """The default site's time zone must be an IANA zone (every plan reads the date there) and
    its country one whose public holidays the holidays package knows."""
    from mil62sched.errors import UsageError
    from mil62sched.parse import check_timezone

    if not isinstance(head, Mapping):
        return []
    found: list[Finding] = []
    zone = head.get("timezone")
    if isinstance(zone, str) and zone.strip():
        try:
            check_timezone(zone)
        except UsageError as exc:
            found.append(lines.finding(["protocol", "timezone"], exc.line(), zone))
    country = head.get("country")
    if isinstance(country, str) and country.strip() and not _has_holidays(country):
        found.append(
            lines.finding(
                ["protocol", "country"],
                f"unknown country {country!r}: use an ISO 3166-1 alpha-2 code supported by the "
                "holidays package, e.g. CN or DE",
                country,
            )
        )
    return found


def _has_holidays(country: str) -> bool:
    """Whether the holidays package knows the alpha-2 code `country` (as a plan would read it:
    "cn" is CN). Loads the package and all its countries: only when a file is checked."""
    code = country.strip().upper()
    if not (len(code) == 2 and code.isascii() and code.isalpha()):
        return False
    import holidays

    return code in holidays.list_supported_countries(include_aliases=False)


def control_characters(table: Mapping[str, Any]) -> Iterator[tuple[list[str | int], str]]:
    """The key path and problem of each key or text of the file that holds a control character
    (ESC or BEL would reach the terminal raw in tables, the month view, `arms` and `show`).
    Line breaks and tabs are allowed only in prose (PROSE: citations, criteria)."""
    from mil62sched.parse import control_character

    def problem(text: str, prose: bool) -> str | None:
        found = control_character(text, line_breaks=prose)
        if found is None:
            return None
        kept = " (line breaks only in cites and criteria text)" if not prose else ""
        return f"contains a control character (U+{ord(found):04X}): use plain text{kept}"

    # Iteratively, in no particular order (the findings are sorted by line).
    pending: list[tuple[object, list[str | int], bool]] = [(table, [], False)]
    while pending:
        value, path, prose = pending.pop()
        if isinstance(value, str):
            said = problem(value, prose)
            if said is not None:
                yield path, said
        elif isinstance(value, Mapping):
            for key, item in value.items():
                said = problem(str(key), False)
                if said is not None:
                    yield [*path, key], f"the key {said}"
                pending.append((item, [*path, key], key in PROSE))
        elif isinstance(value, list):
            pending.extend((item, [*path, n], prose) for n, item in enumerate(value))


def _leaves(error: Any) -> list[Any]:
    """For an error of `oneOf` or `anyOf` (a visit is a code or a table), the errors of the
    alternative that was meant: not one refusing the value's type outright, and of those the one
    that went deepest into the value, naming the keys at fault."""
    if not error.context or all(e.validator == "required" for e in error.context):
        return [error]  # e.g. "one of through, for_weeks, count": worded by `_wording`
    branches: dict[object, list[Any]] = {}
    for found in error.context:
        branches.setdefault(found.relative_schema_path[0], []).append(found)
    meant = [
        found
        for found in branches.values()
        if not any(e.validator == "type" and not e.relative_path for e in found)
    ] or list(branches.values())
    best = max(meant, key=lambda found: max(len(e.absolute_path) for e in found))
    return [leaf for found in best for leaf in _leaves(found)]


def _wording(error: Any, code_pattern: str) -> str:
    """The schema's message, or for a malformed visit code the message `plan` gives, or the
    schema's own description of a rule (`not`) that the default message would not explain."""
    from mil62sched.model.codes import VisitCode

    def about_codes(found: Any) -> bool:
        schema = found.schema if isinstance(found.schema, dict) else {}
        return schema.get("pattern") == code_pattern or any(map(about_codes, found.context or ()))

    if isinstance(error.instance, str) and about_codes(error):
        try:
            VisitCode.parse(error.instance)
        except Mil62schedError as exc:
            return exc.line()
    if error.context and all(e.validator == "required" for e in error.context):
        names = [str(name) for e in error.context for name in e.validator_value]
        return f"needs one of {', '.join(names)}"
    if error.validator == "not" and isinstance(error.schema, dict) and error.schema.get("title"):
        return str(error.schema["title"])
    return str(error.message)


def _key_path(segments: Sequence[str | int]) -> str:
    """`schedules[2].visits[3]` from ["schedules", 2, "visits", 3].

    >>> _key_path(["schedules", 2, "visits", 3])
    'schedules[2].visits[3]'
    """
    text = ""
    for segment in segments:
        text += f"[{segment}]" if isinstance(segment, int) else f".{segment}" if text else segment
    return text


def _segments(key_path: str) -> list[str | int]:
    """The inverse of `_key_path`.

    >>> _segments("schedules[2].visits[3]")
    ['schedules', 2, 'visits', 3]
    """
    return [
        int(index) if index else name
        for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", key_path)
    ]


def _element(key_path: str) -> str:
    """The entry of a top-level table a key path is in: `eligibility.rules[2]`.

    >>> _element("eligibility.rules[2].period"), _element("eligibility")
    ('eligibility.rules[2]', 'eligibility')
    """
    found = re.match(r"[^.\[]*(\[\d+\])?(\.[^.\[]*(\[\d+\])?)?", key_path)
    return found[0] if found else key_path


def _entry(key_path: str) -> str:
    """The top-level entry a key path is in: `schedules[2]`, `protocol`, `treatments`."""
    found = re.match(r"[^.\[]*(\[\d+\])?", key_path)
    return found[0] if found else key_path


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

    def finding(self, segments: Sequence[str | int], message: str, hint: object = None) -> Finding:
        """The problem `message` at the key path `segments`, with its line; a control character
        that a key or a message quotes from the file is shown escaped (`\\x1b`), never sent."""
        from mil62sched.parse import escape_controls

        path = escape_controls(_key_path(segments))
        return Finding(self.locate(segments, hint), path, escape_controls(message))

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
