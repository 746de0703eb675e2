"""Every problem of a protocol file, each with its TOML key path and a line of the file.

What `mil62sched protocol validate` lists, and what every command that reads a protocol file
refuses it for (the first one). Each rule is made in one place: the file's format
(`loader.check_format`); its structure (types, required keys, enums, patterns, unknown keys) by
the JSON Schema (`schema.json`), worded for people here (`SENTENCES`, `PATTERNS`); what needs the
file's meaning (references between tables, order, blinding, journeys, repeat arithmetic) by the
loader (`loader.build`), on the entries the schema found well formed; the `[design]` table's
meaning (`design`); what no schema can say about the site (its IANA time zone, its country's
public holidays); and control characters in its text. No problem is found by two of them.

tomllib gives no positions, so each problem's line is found by searching the file's text
(`locate`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from mil62sched.errors import Mil62schedError, ProtocolError
from mil62sched.model.protocol import Protocol
from mil62sched.protocol.loader import ENTRIES, SCHEMA, Problem, build, check_format
from mil62sched.protocol.locate import TomlLines, key_path, segments

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
        return Checked(None, [_finding(lines, segments(version.path), version.message)])
    found, malformed = _schema_findings(table, lines)
    problems: list[Problem] = []
    trial = build(table, problems, malformed)  # None when an entry was not built
    found.extend(_finding(lines, segments(problem.path), problem.message) for problem in problems)
    if trial is not None and "design" in table and "design" not in malformed:
        found.extend(_design_findings(table["design"], trial, lines))
    if "eligibility" in table:
        found.extend(_eligibility_findings(table, trial, lines, malformed))
    found.extend(_site_findings(table.get("protocol"), lines))
    found.extend(_finding(lines, path, message) for path, message in control_characters(table))
    found.sort(key=lambda finding: finding.line or 0)
    return Checked(None if found else trial, found)


def _finding(
    lines: TomlLines, at: Sequence[str | int], message: str, hint: object = None
) -> Finding:
    """The problem `message` at the key path `at`, with its line; a control character that a
    key or a message quotes from the file is shown escaped (`\\x1b`), never sent."""
    from mil62sched.parse import escape_controls

    return Finding(lines.locate(at, hint), escape_controls(key_path(at)), escape_controls(message))


def _schema_findings(table: dict[str, Any], lines: TomlLines) -> tuple[list[Finding], set[str]]:
    """The JSON Schema's problems, and the entries they are in (`protocol`, `schedules[2]`,
    `treatments.placebo`, `design`; a whole table such as `schedules` when the problem is the
    table's): those the loader does not build."""
    validator = _validator()
    found: list[Finding] = []
    malformed: set[str] = set()
    for error in (leaf for top in validator.iter_errors(table) for leaf in _leaves(top)):
        at: list[str | int] = list(error.absolute_path)
        malformed.add(_entry(at))
        hint = error.instance if isinstance(error.instance, str | int) else None
        message = _wording(error, validator.schema["$defs"]["code"]["pattern"])
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = [key for key in error.instance if key not in known]
            if extra:  # point at the first key that should not be there
                at.append(extra[0])
                hint = None
            if known:
                message += f"; accepted: {', '.join(known)}"
        found.append(_finding(lines, at, message, hint))
    return found, malformed


@functools.cache
def _validator() -> Any:
    """The schema's validator (draft 2020-12), whose integer is TOML's: TOML tells 2 from 2.0,
    JSON Schema does not (2.0 is an integer there), and a whole number of days, weeks, mg or
    chairs may not be written 2.0."""
    import json

    from jsonschema import Draft202012Validator, validators  # only when a file is checked

    toml_integer = Draft202012Validator.TYPE_CHECKER.redefine(
        "integer", lambda _, value: isinstance(value, int) and not isinstance(value, bool)
    )
    validator = validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, type_checker=toml_integer
    )
    return validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def _entry(at: Sequence[str | int]) -> str:
    """The entry the loader builds that the key path `at` is in: `protocol`, `schedules[2]`,
    `treatments.placebo` (an entry of the tables in `loader.ENTRIES`), or the whole table.

    >>> _entry(["schedules", 2, "visits", 0]), _entry(["treatments"]), _entry([])
    ('schedules[2]', 'treatments', '')
    """
    if at and at[0] == "eligibility":  # its rules, one by one: eligibility.rules[2]
        return key_path(at[:3])
    return key_path(at[: 2 if at and at[0] in ENTRIES else 1])


def _design_findings(body: object, trial: Protocol, lines: TomlLines) -> list[Finding]:
    """What the schema cannot say about the [design] table (the SDTM trial design): that the
    arms, schedules and periods it names are the file's, codes unique, criteria numbered."""
    from mil62sched.protocol.design import check_design

    try:
        check_design(body, trial)
    except ProtocolError as exc:
        return [_finding(lines, ["design"], exc.line())]
    return []


def _eligibility_findings(
    table: Mapping[str, Any], trial: Protocol | None, lines: TomlLines, malformed: set[str]
) -> list[Finding]:
    """What the schema cannot say about the [eligibility] table (protocol.criteria): classes,
    phases and arms that exist, the keys each kind of rule needs, quotes of the criteria. Not
    said of a rule the schema refused, nor at all when the classes or phases the rules name
    are malformed."""
    from mil62sched.protocol.criteria import check_eligibility

    if any(
        entry == "eligibility" or entry.startswith(("eligibility.classes", "eligibility.phases"))
        for entry in malformed
    ):
        return []
    return [
        _finding(lines, found.path, found.message)
        for found in check_eligibility(table, trial)
        if key_path(found.path[:3]) not in malformed
    ]


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
            found.append(_finding(lines, ["protocol", "timezone"], exc.line(), zone))
    country = head.get("country")
    if isinstance(country, str) and country.strip() and not _has_holidays(country):
        found.append(
            _finding(
                lines,
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
    alternative that was meant: not one refusing the value outright (its type, or the one value
    it takes), and of those the one that went deepest into the value, naming the keys at fault.
    When none was meant, the error itself, worded by the forms the value may take."""
    if not error.context or all(e.validator == "required" for e in error.context):
        return [error]  # e.g. "one of through, for_weeks, count": worded by `_wording`
    branches: dict[object, list[Any]] = {}
    for found in error.context:
        branches.setdefault(found.relative_schema_path[0], []).append(found)
    meant = [found for found in branches.values() if not any(map(_outright, found))]
    if not meant:
        return [error]
    best = max(meant, key=lambda found: max(len(e.absolute_path) for e in found))
    return [leaf for found in best for leaf in _leaves(found)]


def _outright(error: Any) -> bool:
    """Whether the error refuses the value as a whole, for its type or as not the one value
    allowed (a window is a list, or "none")."""
    return error.validator in ("type", "const") and not error.relative_path


# What a person reads for each kind of schema problem, by the schema's keyword, in one place:
# `error.instance` is the value, `error.validator_value` the rule's. A keyword not here keeps
# the validator's own words, which read well: `'100' is not of type 'integer'`, `'open' is not
# one of [...]`, `'unblinds' is a required property`, `0 is less than the minimum of 1`.
Sentence = Callable[[Any], str]


def _pattern(error: Any) -> str:
    said = PATTERNS.get(error.validator_value)
    return str(error.message) if said is None else said.format(value=error.instance)


def _fewer(error: Any) -> str:
    least = error.validator_value
    return "must list at least one" if least == 1 else f"must list at least {least}"


def _more(error: Any) -> str:
    most = len(error.schema.get("prefixItems", ())) if isinstance(error.schema, dict) else 0
    return f"must list at most {most}, not {len(error.instance)}"


def _few_entries(error: Any) -> str:
    least = error.validator_value
    return "must have at least one entry" if least == 1 else f"must have at least {least} entries"


def _short(error: Any) -> str:
    least = error.validator_value
    if least == 1:
        return "must be non-empty text"
    return f"{error.instance!r} is too short: at least {least} characters"


def _none_of(error: Any) -> str:
    """A value that is none of the forms a rule allows (`oneOf`, `anyOf`): of which types, or
    which one value (a window is a list or "none", a repeat rule a table or a list of them)."""
    outright = [found for found in error.context if _outright(found)]
    types = [repr(found.validator_value) for found in outright if found.validator == "type"]
    values = [repr(found.validator_value) for found in outright if found.validator == "const"]
    said = f"{error.instance!r} is not"
    if types:
        said += f" of type {' or '.join(types)}" + (" nor" if values else "")
    return f"{said} {' or '.join(values)}".rstrip()


def _one_of(error: Any) -> str:
    """A rule that takes one key of several (a repeat rule's end: through, for_weeks, count)."""
    names = [str(name) for rule in error.validator_value for name in rule.get("required", ())]
    given = [name for name in names if isinstance(error.instance, dict) and name in error.instance]
    if not given:
        return f"needs one of {', '.join(names)}"
    return f"needs only one of {', '.join(names)}, not {' and '.join(given)}"


def _needs(error: Any) -> str:
    """A key that needs others beside it (`amends` needs `version`)."""
    for key, others in error.validator_value.items():
        missing = [
            other for other in others if key in error.instance and other not in error.instance
        ]
        if missing:
            return f"{key} needs {' and '.join(missing)} beside it"
    return str(error.message)


SENTENCES: dict[str, Sentence] = {
    "pattern": _pattern,
    "minLength": _short,
    "maxLength": lambda e: f"{e.instance!r} is too long: at most {e.validator_value} characters",
    "minItems": _fewer,
    "items": _more,  # past a fixed list (`prefixItems`): a window is [before, after]
    "minProperties": _few_entries,
    "const": lambda e: f"must be {e.validator_value!r}",
    "dependentRequired": _needs,
    # A rule the schema explains in its own title (a blinded treatment states no dose).
    "not": lambda e: str(e.schema.get("title") or e.message),
}
# What each pattern of the schema means, said with the value (`{value!r}`). The visit code's is
# said by VisitCode itself, as `plan` says it; a test checks that every pattern is here.
PATTERNS: dict[str, str] = {
    r"\S": "must be non-empty text",
    "^[a-z0-9][a-z0-9-]*$": (
        "{value!r} is not a name: use lower-case letters, digits and '-', starting with a "
        "letter or digit"
    ),
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "{value!r} is not a date: use YYYY-MM-DD, e.g. 2022-08-18",
    "^([Ww][1-9][0-9]{0,5}[Dd][1-7]|[Dd]-?[1-9][0-9]{0,5})$": (
        "{value!r} is not a visit code: use WnDm (e.g. W3D1) or Dn (e.g. D15)"
    ),
    "^[A-Z][A-Z0-9]{0,7}$": (
        "{value!r} is not a TSPARMCD: use A-Z and 0-9, at most 8, starting with a letter"
    ),
    "^P(?=[0-9])([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?$": (
        "{value!r} is not an ISO 8601 duration: use e.g. P28D, P4W or P1Y6M"
    ),
    "^[1-9][0-9]{0,3} (day|days|week|weeks|month|months|year|years|half-life|half-lives)$": (
        "{value!r} is not a period: use a whole number and days, weeks, months, years or "
        "half-lives, e.g. 28 days, 3 months, 5 half-lives"
    ),
    "^[a-z0-9][a-z0-9.+-]*$": (
        "{value!r} is not a drug name as a class lists it: use lower-case letters, digits and "
        "'-', '.' or '+', starting with a letter or digit"
    ),
}


def _wording(error: Any, code_pattern: str) -> str:
    """What a person reads for a schema problem: for a malformed visit code the message `plan`
    gives, for a choice of keys (`oneOf` of `required`) the keys, else the keyword's sentence."""
    from mil62sched.model.codes import VisitCode

    def about_codes(found: Any) -> bool:
        schema = found.schema if isinstance(found.schema, dict) else {}
        return schema.get("pattern") == code_pattern or any(map(about_codes, found.context or ()))

    if isinstance(error.instance, str) and about_codes(error):
        try:
            VisitCode.parse(error.instance)
        except Mil62schedError as exc:
            return exc.line()
    if error.validator in ("oneOf", "anyOf") and all(
        set(rule) == {"required"} for rule in error.validator_value
    ):
        return _one_of(error)
    if error.validator in ("oneOf", "anyOf") and error.context:
        return _none_of(error)  # no alternative was meant (`_leaves`)
    said = SENTENCES.get(error.validator)
    return str(error.message) if said is None else said(error)
