"""Read a protocol file's `[eligibility]` table: the time-bound eligibility criteria that
`mil62sched screen` works out. Its phases, its classes (of drugs, vaccines and procedures, each
a name and its members), and its rules, each citing the registry's words.

The table is checked against the protocol it belongs to (the arms a phase names are the file's)
and, when the file's `[design]` lists its criteria, against their text: a rule's `cites`, `check`
and `exempt` quote its criterion word for word. A file without the table keeps working: only
`screen` needs it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any, NamedTuple, cast

from mil62sched.errors import ProtocolError
from mil62sched.messages import N_, Localized, Message, Text, msg
from mil62sched.model.design import Category
from mil62sched.model.eligibility import (
    RULE_KINDS,
    STARTS,
    UNITS,
    UNTILS,
    WORDINGS,
    AttackCount,
    Eligibility,
    Period,
    Phase,
    Rule,
    RuleKind,
    Start,
    Unit,
    Until,
    Wording,
)
from mil62sched.model.protocol import Protocol
from mil62sched.protocol.loader import INVALID_PROTOCOL

Segments = list[str | int]
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
# A member: a name as `canonical` writes it (lower case, words joined by '-').
_MEMBER = re.compile(r"[a-z0-9][a-z0-9.+-]*")
_PERIOD = re.compile(
    r"([1-9][0-9]{0,3}) (day|days|week|weeks|month|months|year|years|half-life|half-lives)"
)
_UNIT_OF: dict[str, Unit] = {
    **{word: word for word in UNITS},
    **{"day": "days", "week": "weeks", "month": "months", "year": "years"},
    "half-life": "half-lives",
}
# The criteria's quotes, which must be the registry's words: the keys that hold them.
QUOTES = ("cites", "check", "exempt")


class Found(NamedTuple):
    """One problem of the table: its key path (from the file's top) and what is wrong."""

    path: Segments
    message: Text


class _At(ProtocolError):
    """A problem at `path` below the entry being read."""

    def __init__(self, path: Segments, message: Message) -> None:
        super().__init__(message)
        self.path = path
        self.said = message


def load_eligibility(protocol: Protocol, path: Path | None = None) -> Eligibility:
    """The `[eligibility]` table of the protocol file at `path` (the built-in one when None),
    checked against `protocol`, loaded from the same file; refused when it has none."""
    from mil62sched.protocol import loader

    source = loader.read(path)
    body = source.table.get("eligibility")
    if body is None:
        raise ProtocolError(
            msg(N_("protocol {file} has no [eligibility] table"), file=source.where),
            accepted=msg(N_("screen needs the protocol's time-bound criteria (README: Screening)")),
        )
    built, problems = build(body, protocol.arms, criteria_texts(source.table))
    if problems or built is None:
        first = problems[0]
        raise ProtocolError(
            msg(N_("{path}: {problem}"), path=key_path(first.path), problem=first.message),
            where=msg(INVALID_PROTOCOL, file=source.where),
        )
    return built


def check_eligibility(table: Mapping[str, Any], protocol: Protocol | None) -> list[Found]:
    """Every problem of a parsed file's `[eligibility]` table that its JSON Schema cannot see
    (for `protocol validate`); `protocol` None when the rest of the file does not load."""
    body = table.get("eligibility")
    if body is None:
        return []
    arms = None if protocol is None else protocol.arms
    return build(body, arms, criteria_texts(table))[1]


def criteria_texts(table: Mapping[str, Any]) -> dict[tuple[str, int], str]:
    """The text of each criterion `[[design.criteria]]` lists, by category and number; a
    criterion listed in parts (one row per phase, `subcategory`) is the text of all its parts."""
    design = table.get("design")
    listed = design.get("criteria") if isinstance(design, Mapping) else None
    found: dict[tuple[str, int], str] = {}
    for entry in listed if isinstance(listed, list) else []:
        if isinstance(entry, Mapping) and isinstance(entry.get("text"), str):
            category, number = entry.get("category"), entry.get("number")
            if isinstance(category, str) and isinstance(number, int):
                before = found.get((category, number))
                text = entry["text"]
                found[category, number] = text if before is None else f"{before}\n{text}"
    return found


def build(
    body: object,
    arms: Collection[str] | None,
    criteria: Mapping[tuple[str, int], str] | None = None,
) -> tuple[Eligibility | None, list[Found]]:
    """The criteria of an `[eligibility]` table, or None, and every problem found (each entry
    is read even when an earlier one failed). `arms`: the file's arms (None: not checked);
    `criteria`: the `[design]` criteria's texts, which the rules must quote."""
    problems: list[Found] = []
    top: Segments = ["eligibility"]
    if not isinstance(body, Mapping):
        return None, [Found(top, msg(N_("[eligibility] must be a table")))]
    phases = _phases(body.get("phases"), arms, problems)
    classes = _classes(body.get("classes"), problems)
    rules: list[Rule] = []
    entries = body.get("rules")
    if not isinstance(entries, list) or not entries:
        problems.append(
            Found([*top, "rules"], msg(N_("[[eligibility.rules]] must list at least one rule")))
        )
        entries = []
    names = [phase.name for phase in phases]
    for number, entry in enumerate(entries):
        try:
            rule = _rule(entry, names, classes)
            _quoted(rule, criteria or {})
        except _At as exc:
            problems.append(Found(["eligibility", "rules", number, *exc.path], exc.said))
            continue
        rules.append(rule)
    if problems:
        return None, problems
    return Eligibility(tuple(phases), classes, tuple(rules)), []


def key_path(segments: Segments) -> str:
    """`eligibility.rules[2].period` from its segments.

    >>> key_path(["eligibility", "rules", 2, "period"])
    'eligibility.rules[2].period'
    """
    text = ""
    for segment in segments:
        text += f"[{segment}]" if isinstance(segment, int) else f".{segment}" if text else segment
    return text


def _not_one_of(key: str, value: object, names: Collection[str]) -> Message:
    """`kind 'x' is not one of wait, check, dose, attacks`."""
    return msg(N_("{key} {value!r} is not one of {names}"), key=key, value=value, names=list(names))


def parse_period(text: object, path: Segments) -> Period:
    """A period as the criteria say it: `3 months`, `28 days`, `4 weeks`, `2 years`,
    `5 half-lives` (a whole number from 1 to 9999, a space, a unit).

    >>> parse_period("3 months", []), parse_period("1 year", [])
    (Period(amount=3, unit='months'), Period(amount=1, unit='years'))
    """
    found = _PERIOD.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise _At(
            path,
            msg(
                N_(
                    'period {value!r} is not a number and a unit: use e.g. "28 days", "4 weeks", '
                    '"3 months", "2 years" or "5 half-lives"'
                ),
                value=text,
            ),
        )
    return Period(int(found[1]), _UNIT_OF[found[2]])


# --- phases and classes ---------------------------------------------------------------------------


def _phases(raw: object, arms: Collection[str] | None, problems: list[Found]) -> list[Phase]:
    path: Segments = ["eligibility", "phases"]
    if not isinstance(raw, list) or not raw:
        problems.append(Found(path, msg(N_("[[eligibility.phases]] must list at least one phase"))))
        return []
    phases: list[Phase] = []
    for number, entry in enumerate(raw):
        here: Segments = [*path, number]
        if not isinstance(entry, Mapping):
            problems.append(Found(here, msg(N_("a phase must be a table"))))
            continue
        name, title = entry.get("name"), entry.get("title")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            problems.append(
                Found([*here, "name"], msg(N_("name: lower-case letters, digits and '-'")))
            )
            continue
        if any(phase.name == name for phase in phases):
            problems.append(
                Found([*here, "name"], msg(N_("phase {name!r} is named twice"), name=name))
            )
            continue
        if not isinstance(title, str) or not title.strip():
            problems.append(Found([*here, "title"], msg(N_("title must be non-empty text"))))
            continue
        listed = entry.get("arms", [])
        if not isinstance(listed, list) or not all(isinstance(arm, str) for arm in listed):
            problems.append(Found([*here, "arms"], msg(N_("arms must be a list of arm names"))))
            continue
        unknown = [arm for arm in listed if arms is not None and arm not in arms]
        if unknown:  # said, and the phase kept: its rules can still be checked
            problems.append(
                Found(
                    [*here, "arms"],
                    msg(N_("arm {name!r} is not an arm of the file"), name=unknown[0]),
                )
            )
        phases.append(Phase(name, title, tuple(listed)))
    return phases


def _classes(raw: object, problems: list[Found]) -> dict[str, tuple[str, ...]]:
    path: Segments = ["eligibility", "classes"]
    if not isinstance(raw, Mapping) or not raw:
        problems.append(Found(path, msg(N_("[eligibility.classes] must name at least one class"))))
        return {}
    classes: dict[str, tuple[str, ...]] = {}
    for key, members in raw.items():
        here: Segments = [*path, key]
        if not _NAME.fullmatch(key):
            problems.append(
                Found(
                    here,
                    msg(N_("class {name!r}: use lower-case letters, digits and '-'"), name=key),
                )
            )
            continue
        if not isinstance(members, list) or not members:
            problems.append(Found(here, msg(N_("class {name!r} must list its members"), name=key)))
            continue
        bad = [m for m in members if not isinstance(m, str) or not _MEMBER.fullmatch(m)]
        if bad:
            problems.append(
                Found(
                    here,
                    msg(
                        N_(
                            "member {member!r} of {name!r}: write it in lower case, words joined "
                            "by '-' (e.g. mycophenolate-mofetil)"
                        ),
                        member=bad[0],
                        name=key,
                    ),
                )
            )
            continue
        twice = sorted({m for m in members if members.count(m) > 1})
        if twice:
            problems.append(
                Found(
                    here,
                    msg(
                        N_("member {member!r} is listed twice in {name!r}"),
                        member=twice[0],
                        name=key,
                    ),
                )
            )
            continue
        classes[key] = tuple(members)
    return classes


# --- rules ----------------------------------------------------------------------------------------

# The keys each kind of rule takes, besides category, number, kind, cites and phases.
_TIMED = frozenset({"from", "to", "applies_to", "period", "wording", "check"})
_KEYS: dict[str, frozenset[str]] = {
    "wait": _TIMED | {"exempt_days", "exempt"},
    "check": _TIMED,
    "dose": _TIMED | {"above_mg_per_day"},
    "attacks": frozenset({"to", "any_of", "check"}),
}
_COMMON = frozenset({"category", "number", "kind", "cites", "phases"})
# What each kind is measured to: a wait holds back the first administration; a check or a count
# looks back from screening.
_UNTIL_WORDS: dict[str, str] = {
    "first-administration": N_("first administration"),
    "screening": N_("screening"),
}
_UNTIL: dict[str, Until] = {
    "wait": "first-administration",
    "dose": "first-administration",
    "check": "screening",
    "attacks": "screening",
}


def _rule(entry: object, phases: Collection[str], classes: Mapping[str, tuple[str, ...]]) -> Rule:
    if not isinstance(entry, Mapping):
        raise _At([], msg(N_("a rule must be a table")))
    kind = entry.get("kind")
    if kind not in RULE_KINDS:
        raise _At(["kind"], _not_one_of("kind", kind, RULE_KINDS))
    unknown = sorted(set(entry) - _COMMON - _KEYS[kind])
    if unknown:
        raise _At(
            [unknown[0]],
            msg(
                N_("a {kind} rule has no key {key!r}: its keys are {keys}"),
                kind=kind,
                key=unknown[0],
                keys=sorted(_COMMON | _KEYS[kind]),
            ),
        )
    category = entry.get("category")
    if category not in ("inclusion", "exclusion"):
        raise _At(
            ["category"],
            msg(N_("category {value!r} is not inclusion or exclusion"), value=category),
        )
    number = entry.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        raise _At(["number"], msg(N_("number must be a whole number >= 1 (the criterion's)")))
    cites = _prose(entry, "cites")
    named = entry.get("phases", [])
    if not isinstance(named, list) or not named or not all(isinstance(p, str) for p in named):
        raise _At(["phases"], msg(N_("phases must list the phases the rule applies in")))
    strange = [name for name in named if name not in phases]
    if strange:
        raise _At(["phases"], _not_one_of("phase", strange[0], phases))
    until = entry.get("to")
    if until not in UNTILS:
        raise _At(["to"], _not_one_of("to", until, UNTILS))
    if until != _UNTIL[kind]:
        raise _At(
            ["to"],
            msg(
                N_("a {kind} rule is measured to the {until}"),
                kind=kind,
                until=Localized(_UNTIL_WORDS[_UNTIL[kind]]),
            ),
        )
    check = _prose(entry, "check") if "check" in entry else None
    if kind in ("check",) and check is None:
        raise _At(["check"], msg(N_("a check rule quotes the condition the investigator checks")))
    rule = Rule(
        category=cast(Category, category),
        number=number,
        kind=cast(RuleKind, kind),
        cites=cites,
        phases=tuple(named),
        until=cast(Until, until),
        check=check,
    )
    if kind == "attacks":
        return rule._replace(any_of=_any_of(entry.get("any_of")))
    start = entry.get("from")
    if start not in STARTS:
        raise _At(["from"], _not_one_of("from", start, STARTS))
    if kind != "wait" and start != "last-dose":
        raise _At(["from"], msg(N_("a {kind} rule is measured from the last dose"), kind=kind))
    wording = entry.get("wording")
    if wording not in WORDINGS:
        raise _At(["wording"], _not_one_of("wording", wording, WORDINGS))
    period = parse_period(entry.get("period"), ["period"])
    if period.unit == "half-lives" and (kind != "wait" or start != "last-dose"):
        raise _At(["period"], msg(N_("only a wait from the last dose counts in half-lives")))
    applies = _applies_to(entry, cast(Start, start), classes)
    rule = rule._replace(
        applies_to=applies,
        start=cast(Start, start),
        period=period,
        wording=cast(Wording, wording),
    )
    if kind == "dose":
        limit = entry.get("above_mg_per_day")
        if not isinstance(limit, int | float) or isinstance(limit, bool) or limit <= 0:
            raise _At(
                ["above_mg_per_day"], msg(N_("above_mg_per_day must be a number of mg above 0"))
            )
        return rule._replace(limit_mg=float(limit))
    if ("exempt_days" in entry) != ("exempt" in entry):
        given = "exempt_days" if "exempt_days" in entry else "exempt"
        raise _At([given], msg(N_("exempt_days and exempt go together: the days, and their words")))
    if "exempt_days" in entry:
        days = entry["exempt_days"]
        if not isinstance(days, int) or isinstance(days, bool) or days < 1:
            raise _At(["exempt_days"], msg(N_("exempt_days must be a whole number >= 1")))
        if start != "last-dose":
            raise _At(["exempt_days"], msg(N_("only a drug's continuous use can be exempt")))
        rule = rule._replace(exempt_days=days, exempt=_prose(entry, "exempt"))
    return rule


def _applies_to(
    entry: Mapping[str, Any], start: Start, classes: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    listed = entry.get("applies_to")
    if start == "attack":
        if listed is not None:
            raise _At(
                ["applies_to"], msg(N_("a rule from an attack applies to attacks: no applies_to"))
            )
        return ()
    if not isinstance(listed, list) or not listed or not all(isinstance(n, str) for n in listed):
        raise _At(["applies_to"], msg(N_("applies_to must list the classes the rule times")))
    unknown = [name for name in listed if name not in classes]
    if unknown:
        raise _At(
            ["applies_to"],
            msg(
                N_("class {name!r} is not one of [eligibility.classes]: {names}"),
                name=unknown[0],
                names=list(classes),
            ),
        )
    return tuple(listed)


def _any_of(raw: object) -> tuple[AttackCount, ...]:
    if not isinstance(raw, list) or not raw:
        raise _At(["any_of"], msg(N_('any_of must list {{ at_least = N, period = "..." }} counts')))
    found = []
    for index, entry in enumerate(raw):
        here: Segments = ["any_of", index]
        if not isinstance(entry, Mapping) or set(entry) != {"at_least", "period"}:
            raise _At(here, msg(N_('each count is {{ at_least = N, period = "..." }}')))
        least = entry["at_least"]
        if not isinstance(least, int) or isinstance(least, bool) or least < 1:
            raise _At([*here, "at_least"], msg(N_("at_least must be a whole number >= 1")))
        period = parse_period(entry["period"], [*here, "period"])
        if period.unit == "half-lives":
            raise _At(
                [*here, "period"], msg(N_("attacks are counted in days, weeks, months or years"))
            )
        found.append(AttackCount(least, period))
    return tuple(found)


def _prose(entry: Mapping[str, Any], key: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _At([key], msg(N_("{key} must be non-empty text: the registry's words"), key=key))
    return value


def _quoted(rule: Rule, criteria: Mapping[tuple[str, int], str]) -> None:
    """Each quote of a rule is its criterion's own words, when the file lists the criteria
    (spacing aside)."""
    text = criteria.get((rule.category, rule.number))
    if text is None:
        return
    whole = " ".join(text.split())
    for key in QUOTES:
        quote = getattr(rule, key)
        if quote is not None and " ".join(quote.split()) not in whole:
            raise _At(
                [key],
                msg(
                    N_(
                        "{key} is not in the words of {category} criterion {number} "
                        "([[design.criteria]]): quote them as they are"
                    ),
                    key=key,
                    category=Localized(rule.category),
                    number=rule.number,
                ),
            )
