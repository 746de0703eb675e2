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

from mil62sched.errors import FILE_LINE, Mil62schedError, ProtocolError
from mil62sched.messages import (
    LITERAL,
    N_,
    Keyword,
    Listing,
    Localized,
    Message,
    Text,
    keywords,
    literal,
    msg,
)
from mil62sched.model.protocol import Protocol
from mil62sched.parse import CONTROL_CHARACTER, UNKNOWN_COUNTRY
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
    message: Text

    def where(self, file: str) -> Text:
        """`FILE line N`, or `FILE` when the line is not known."""
        return msg(FILE_LINE, file=file, line=self.line) if self.line else file

    def what(self) -> Message:
        """`key.path: message`, as `protocol validate` prints it after the file and line."""
        path = Keyword(self.path) if self.path else msg(N_("(top level)"))
        return msg(N_("{path}: {problem}"), path=path, problem=self.message)


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
    lines: TomlLines, at: Sequence[str | int], message: Text, hint: object = None
) -> Finding:
    """The problem `message` at the key path `at`, with its line; a control character that a
    key or a message quotes from the file is shown escaped (`\\x1b`), never sent."""
    from mil62sched.parse import escape_controls, escaped

    return Finding(lines.locate(at, hint), escape_controls(key_path(at)), escaped(message))


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
        message: Message = _wording(error, validator.schema["$defs"]["code"]["pattern"])
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
            extra = [key for key in error.instance if key not in known]
            if extra:  # point at the first key that should not be there
                at.append(extra[0])
                hint = None
            if known:
                message = msg(
                    N_("{problem}; accepted: {names}"), problem=message, names=keywords(known)
                )
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
        return [_finding(lines, ["design"], exc.message())]
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
            found.append(_finding(lines, ["protocol", "timezone"], exc.message(), zone))
    country = head.get("country")
    if isinstance(country, str) and country.strip() and not _has_holidays(country):
        found.append(
            _finding(
                lines,
                ["protocol", "country"],
                msg(UNKNOWN_COUNTRY, value=country),
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


def control_characters(table: Mapping[str, Any]) -> Iterator[tuple[list[str | int], Message]]:
    """The key path and problem of each key or text of the file that holds a control character
    (ESC or BEL would reach the terminal raw in tables, the month view, `arms` and `show`).
    Line breaks and tabs are allowed only in prose (PROSE: citations, criteria)."""
    from mil62sched.parse import control_character

    def problem(text: str, prose: bool) -> Message | None:
        found = control_character(text, line_breaks=prose)
        if found is None:
            return None
        if prose:
            return msg(CONTROL_CHARACTER, code=f"U+{ord(found):04X}")
        return msg(
            N_(
                "contains a control character ({code}): use plain text (line breaks only in "
                "cites and criteria text)"
            ),
            code=f"U+{ord(found):04X}",
        )

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
                    yield [*path, key], msg(N_("the key {problem}"), problem=said)
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
Sentence = Callable[[Any], Message]


def _pattern(error: Any) -> Message:
    said = PATTERNS.get(error.validator_value)
    if said is None:
        return msg(
            N_("{value!r} does not match {pattern!r}"),
            value=error.instance,
            pattern=error.validator_value,
        )
    return msg(said, value=error.instance)


def _fewer(error: Any) -> Message:
    least = error.validator_value
    if least == 1:
        return msg(N_("must list at least one"))
    return msg(N_("must list at least {count}"), count=least)


def _more(error: Any) -> Message:
    most = len(error.schema.get("prefixItems", ())) if isinstance(error.schema, dict) else 0
    return msg(N_("must list at most {most}, not {count}"), most=most, count=len(error.instance))


def _few_entries(error: Any) -> Message:
    least = error.validator_value
    if least == 1:
        return msg(N_("must have at least one entry"))
    return msg(N_("must have at least {count} entries"), count=least)


def _short(error: Any) -> Message:
    least = error.validator_value
    if least == 1:
        return msg(N_("must be non-empty text"))
    return msg(
        N_("{value!r} is too short: at least {count} characters"), value=error.instance, count=least
    )


def _none_of(error: Any) -> Message:
    """A value that is none of the forms a rule allows (`oneOf`, `anyOf`): of which types, or
    which one value (a window is a list or "none", a repeat rule a table or a list of them)."""
    outright = [found for found in error.context if _outright(found)]
    types = [repr(found.validator_value) for found in outright if found.validator == "type"]
    values = [repr(found.validator_value) for found in outright if found.validator == "const"]
    value = repr(error.instance)
    if types and values:
        return msg(
            N_("{value} is not of type {types} nor {values}"),
            value=value,
            types=Listing(types, "or"),
            values=Listing(values, "or"),
        )
    if types:
        return msg(N_("{value} is not of type {types}"), value=value, types=Listing(types, "or"))
    if values:
        return msg(N_("{value} is not {values}"), value=value, values=Listing(values, "or"))
    return msg(N_("{value} is not"), value=value)


def _one_of(error: Any) -> Message:
    """A rule that takes one key of several (a repeat rule's end: through, for_weeks, count)."""
    names = [str(name) for rule in error.validator_value for name in rule.get("required", ())]
    given = [name for name in names if isinstance(error.instance, dict) and name in error.instance]
    if not given:
        return msg(N_("needs one of {names}"), names=names)
    return msg(
        N_("needs only one of {names}, not {given}"), names=names, given=Listing(given, "and")
    )


def _needs(error: Any) -> Message:
    """A key that needs others beside it (`amends` needs `version`)."""
    for key, others in error.validator_value.items():
        missing = [
            other for other in others if key in error.instance and other not in error.instance
        ]
        if missing:
            return msg(N_("{key} needs {keys} beside it"), key=key, keys=Listing(missing, "and"))
    return _as_said(error)


def _type(error: Any) -> Message:
    types = (
        error.validator_value
        if isinstance(error.validator_value, list)
        else [error.validator_value]
    )
    return msg(
        N_("{value} is not of type {types}"),
        value=repr(error.instance),
        types=[repr(kind) for kind in types],
    )


def _required(error: Any) -> Message:
    """A required key that is missing: the one this error is about (jsonschema makes one error
    per missing key, whose message starts with the key's repr)."""
    instance = error.instance if isinstance(error.instance, dict) else {}
    missing = [key for key in error.validator_value if key not in instance]
    key = next((key for key in missing if str(error.message).startswith(repr(key))), None)
    if key is None:
        return _as_said(error)
    return msg(N_("{key!r} is a required property"), key=key)


def _extra(error: Any) -> Message:
    """Keys the table does not take (jsonschema's words, as before: each key's repr)."""
    known = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
    instance = error.instance if isinstance(error.instance, dict) else {}
    extra = sorted((key for key in instance if key not in known), key=str)
    if not extra:
        return _as_said(error)
    names = ", ".join(repr(key) for key in extra)
    if len(extra) == 1:
        return msg(
            N_("Additional properties are not allowed ({names} was unexpected)"), names=names
        )
    return msg(N_("Additional properties are not allowed ({names} were unexpected)"), names=names)


def _as_said(error: Any) -> Message:
    """The validator's own words, for a rule this module does not word (none of the schema's
    today): a literal."""
    return literal(str(error.message))


SENTENCES: dict[str, Sentence] = {
    "pattern": _pattern,
    "minLength": _short,
    "maxLength": lambda e: msg(
        N_("{value!r} is too long: at most {count} characters"),
        value=e.instance,
        count=e.validator_value,
    ),
    "minItems": _fewer,
    "items": _more,  # past a fixed list (`prefixItems`): a window is [before, after]
    "minProperties": _few_entries,
    "const": lambda e: msg(N_("must be {value}"), value=repr(e.validator_value)),
    "dependentRequired": _needs,
    # A rule the schema explains in its own title (a blinded treatment states no dose): the
    # title is the schema's text, which the catalogue says in Chinese.
    "not": lambda e: msg(LITERAL, text=Localized(str(e.schema.get("title") or e.message))),
    "type": _type,
    "required": _required,
    "additionalProperties": _extra,
    "enum": lambda e: msg(
        N_("{value} is not one of {names}"),
        value=repr(e.instance),
        names=repr(e.validator_value),
    ),
    "minimum": lambda e: msg(
        N_("{value} is less than the minimum of {minimum}"),
        value=repr(e.instance),
        minimum=repr(e.validator_value),
    ),
    "maximum": lambda e: msg(
        N_("{value} is greater than the maximum of {maximum}"),
        value=repr(e.instance),
        maximum=repr(e.validator_value),
    ),
    "exclusiveMinimum": lambda e: msg(
        N_("{value} is less than or equal to the minimum of {minimum}"),
        value=repr(e.instance),
        minimum=repr(e.validator_value),
    ),
    "uniqueItems": lambda e: msg(N_("{value} has non-unique elements"), value=repr(e.instance)),
}
# What each pattern of the schema means, said with the value (`{value!r}`). The visit code's is
# said by VisitCode itself, as `plan` says it; a test checks that every pattern is here.
PATTERNS: dict[str, str] = {
    r"\S": N_("must be non-empty text"),
    "^[a-z0-9][a-z0-9-]*$": N_(
        "{value!r} is not a name: use lower-case letters, digits and '-', starting with a "
        "letter or digit"
    ),
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": N_("{value!r} is not a date: use YYYY-MM-DD, e.g. 2022-08-18"),
    "^([Ww][1-9][0-9]{0,5}[Dd][1-7]|[Dd]-?[1-9][0-9]{0,5})$": N_(
        "{value!r} is not a visit code: use WnDm (e.g. W3D1) or Dn (e.g. D15)"
    ),
    "^[A-Z][A-Z0-9]{0,7}$": N_(
        "{value!r} is not a TSPARMCD: use A-Z and 0-9, at most 8, starting with a letter"
    ),
    "^P(?=[0-9])([0-9]+Y)?([0-9]+M)?([0-9]+W)?([0-9]+D)?$": N_(
        "{value!r} is not an ISO 8601 duration: use e.g. P28D, P4W or P1Y6M"
    ),
    "^[1-9][0-9]{0,3} (day|days|week|weeks|month|months|year|years|half-life|half-lives)$": N_(
        "{value!r} is not a period: use a whole number and days, weeks, months, years or "
        "half-lives, e.g. 28 days, 3 months, 5 half-lives"
    ),
    "^[a-z0-9][a-z0-9.+-]*$": N_(
        "{value!r} is not a drug name as a class lists it: use lower-case letters, digits and "
        "'-', '.' or '+', starting with a letter or digit"
    ),
}


def _wording(error: Any, code_pattern: str) -> Message:
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
            return exc.message()
    if error.validator in ("oneOf", "anyOf") and all(
        set(rule) == {"required"} for rule in error.validator_value
    ):
        return _one_of(error)
    if error.validator in ("oneOf", "anyOf") and error.context:
        return _none_of(error)  # no alternative was meant (`_leaves`)
    said = SENTENCES.get(error.validator)
    return _as_said(error) if said is None else said(error)
