"""Load a protocol TOML file into the model's value types, validating it once.

A protocol lists what can be infused (treatments) and the dosing schedules (arms), each citing
the registry sentence it encodes. Another trial needs only another file.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast

from mil62sched.errors import Mil62schedError, ProtocolError
from mil62sched.model.codes import VisitCode
from mil62sched.model.protocol import (
    KINDS,
    MASKINGS,
    Arm,
    Escalation,
    Kind,
    Leg,
    Masking,
    Protocol,
    Schedule,
    Treatment,
    Window,
)

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
BUILTIN = Path(__file__).parent / "mil62-ct303.toml"
# The JSON Schema of the file format (draft 2020-12), which every file but the built-in one is
# checked against once (`validation`); tests check the built-in one.
SCHEMA = Path(__file__).parent / "schema.json"
# The versions of the file format this mil62sched reads (the file's top-level `format`).
FORMATS = (1,)
# The most visits a schedule may have, listed and given by repeat rules together: weekly visits
# for 19 years, far past any trial (the built-in file's longest schedule has 11). Every visit is
# planned for every participant of a roster, written into every calendar and counted for the
# chairs, so a typo (count = 10000, or 20 rules of 1000) is refused instead of planned.
MAX_VISITS = 1000
# The last study day that some start date can date: from 0001-01-01, it is 9999-12-31.
LAST_STUDY_DAY = (date.max - date.min).days + 1


class Problem(NamedTuple):
    """One thing wrong in a protocol file: where (a TOML key path such as
    `schedules[2].visits[3]`, lists counted from 0) and what."""

    path: str
    message: str


class _Located(ProtocolError):
    """A problem found at a key path below the entry being built."""

    def __init__(self, path: str, error: Mil62schedError) -> None:
        super().__init__(error.line())
        self.path = path


class Source(NamedTuple):
    """A protocol file as read: where it is, its name in messages, its bytes, a hash of them,
    and its parsed table."""

    path: Path
    where: str
    raw: bytes
    digest: str
    table: dict[str, Any]

    @property
    def builtin(self) -> bool:
        """Whether this is the built-in MIL62-CT303 file (which the tests check, not each run)."""
        return self.path == BUILTIN


def read(path: Path | None = None) -> Source:
    """Read and parse a protocol file (the built-in one when `path` is None), refusing a file
    that cannot be read, is not TOML, or is not of a format this version reads."""
    import hashlib

    path = path or BUILTIN
    where = path.name if path == BUILTIN else str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProtocolError(f"cannot read protocol {where}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(raw).hexdigest()[:32]
    table = _parsed(raw, digest, where)
    version = check_format(table)
    if version is not None:
        raise ProtocolError(version.message, where=where)
    return Source(path, where, raw, digest, table)


def protocol_of(source: Source) -> Protocol:
    """The protocol of a file read, refused for the first problem the loader finds (`protocol
    validate` shows them all)."""
    problems: list[Problem] = []
    built = build(source.table, problems)
    if problems or built is None:
        raise ProtocolError(problems[0].message, where=f"invalid protocol {source.where}")
    return built


# A file found valid is remembered in the per-user cache: the JSON Schema, the site's zone and
# country and control characters are not the loader's own checks, and cost importing jsonschema
# and holidays, so a valid file pays them once. The entry is named by a hash of the file's bytes
# and of the rules it was checked by (the schema and this version of mil62sched).


def found_valid(source: Source) -> bool:
    """Whether these exact bytes were found valid before, by these rules."""
    from mil62sched import cache

    return cache.read(_valid_entry(source)) is not None


def remember_valid(source: Source) -> None:
    """Remember that the file's bytes are valid (nothing happens when the cache cannot)."""
    from mil62sched import cache

    cache.write(_valid_entry(source), b"valid\n")


def _valid_entry(source: Source) -> str:
    import hashlib

    from mil62sched import __version__

    rules = hashlib.sha256(SCHEMA.read_bytes() + __version__.encode()).hexdigest()[:16]
    return f"protocol-{source.digest}-{rules}.valid"


def check_format(table: Mapping[str, Any]) -> Problem | None:
    """The file's `format`, refused when missing or not one this version reads."""
    understood = ", ".join(map(str, FORMATS))
    version = table.get("format")
    if version is None:
        return Problem(
            "format",
            f"protocol format is not given (put `format = 1` at the top): this mil62sched "
            f"reads format {understood}",
        )
    if isinstance(version, bool) or version not in FORMATS:
        return Problem(
            "format",
            f"protocol format {version!r} is not understood: this mil62sched reads format "
            f"{understood}",
        )
    return None


def _parsed(raw: bytes, digest: str, where: str) -> dict[str, Any]:
    """The TOML table of a file's bytes `raw`, from the per-user cache when these exact bytes
    were parsed before.

    The entry is named by `digest`, a hash of the bytes (and the Python version, for marshal),
    so an edit always gives a new entry, whatever the file's size or time stamps. Importing
    tomllib and parsing cost a few milliseconds at every start; reading the entry far less (see
    benchmarks/README.md). A damaged entry is ignored and rewritten.
    """
    import marshal
    import sys

    from mil62sched import cache

    name = f"protocol-{digest}-py{sys.version_info[0]}{sys.version_info[1]}.marshal"
    stored = cache.read(name)
    if stored is not None:
        try:
            table = marshal.loads(stored)
        except (ValueError, EOFError, TypeError):
            table = None
        if isinstance(table, dict):
            return table
    table = _read_toml(raw, where)
    if _marshallable(table):
        cache.write(name, marshal.dumps(table))
    return table


def _read_toml(raw: bytes, where: str) -> dict[str, Any]:
    from mil62sched.parse import read_toml

    try:
        return read_toml(raw.decode("utf-8"))
    except ValueError as exc:  # not UTF-8, not TOML, or nested too deep
        raise ProtocolError(f"cannot read protocol {where}: {exc}") from None


def _marshallable(value: object) -> bool:
    """Plain TOML values only (a TOML date or time would not survive marshal)."""
    if isinstance(value, dict):
        return all(_marshallable(item) for item in value.values())
    if isinstance(value, list):
        return all(_marshallable(item) for item in value)
    return isinstance(value, str | int | float | bool)


def build(table: dict[str, Any], problems: list[Problem]) -> Protocol | None:
    """The protocol of a parsed file, or None; every problem found goes to `problems` (each
    entry is checked even when an earlier one failed, so that all of them can be shown)."""

    def attempt(path: str, check: Callable[..., _T], *args: Any) -> _T | None:
        try:
            return check(*args)
        except _Located as exc:
            problems.append(Problem(path + exc.path, exc.what))
        except Mil62schedError as exc:  # a ProtocolError, or e.g. a malformed visit code
            problems.append(Problem(path, exc.line()))
        return None

    head = attempt("protocol", _table, table, "protocol", "the file")
    treatments: dict[str, Treatment] = {}
    listed = attempt("treatments", _table, table, "treatments", "the file") or {}
    for key, body in listed.items():
        made = attempt(f"treatments.{key}", _treatment_entry, key, body)
        if made is not None:
            treatments[key] = made
    schedules: dict[str, Schedule] = {}
    aliases: dict[str, str] = {}
    numbers: dict[str, int] = {}  # each schedule's place in [[schedules]], for its key path
    # The names of schedules with a problem, and of those they unblind: what refers to them, or
    # is revealed by them, cannot be checked.
    failed: set[str] = set()
    entries = table.get("schedules")
    if not isinstance(entries, list) or not entries:
        problems.append(Problem("schedules", "[[schedules]] must list at least one schedule"))
        entries = []
    for number, entry in enumerate(entries):
        path = f"schedules[{number}]"
        schedule = attempt(path, _schedule_entry, entry, number, treatments)
        if schedule is None:
            if isinstance(entry, dict):
                failed.update(
                    str(entry[key])
                    for key in ("name", "unblinds")
                    if isinstance(entry.get(key), str)
                )
            continue
        if schedule.name in schedules or schedule.name in aliases:
            problems.append(
                Problem(f"{path}.name", f"schedule name {schedule.name!r} is used twice")
            )
            continue
        schedules[schedule.name] = schedule
        numbers[schedule.name] = number
        for alias in schedule.aliases:
            if alias in schedules or alias in aliases:
                problems.append(Problem(f"{path}.aliases", f"alias {alias!r} is used twice"))
                continue
            aliases[alias] = schedule.name
    revealing: dict[str, list[Schedule]] = {}  # by blinded schedule, the ones that reveal it
    for schedule in schedules.values():
        if schedule.unblinds is not None:
            revealing.setdefault(schedule.unblinds, []).append(schedule)
    for check, given in ((_check_unblinds, schedules), (_check_blinding, revealing)):
        for schedule in schedules.values():
            if schedule.name in failed or schedule.unblinds in failed:
                continue
            attempt(f"schedules[{numbers[schedule.name]}]", check, schedule, given)
    arms = {name: Arm.of(schedule) for name, schedule in schedules.items()}
    journeys = table.get("journeys", [])
    if not isinstance(journeys, list):
        problems.append(Problem("journeys", "[[journeys]] must be a list of tables"))
        journeys = []
    journey_numbers: dict[str, int] = {}
    for number, entry in enumerate(journeys):
        path = f"journeys[{number}]"
        legs = entry.get("legs") if isinstance(entry, dict) else None
        if isinstance(legs, list) and failed & {leg for leg in legs if isinstance(leg, str)}:
            if isinstance(entry.get("name"), str):
                failed.add(entry["name"])
            continue  # its legs are refused already
        journey = attempt(path, _journey_entry, entry, number, schedules)
        if journey is None:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                failed.add(entry["name"])
            continue
        if journey.name in arms or journey.name in aliases:
            problems.append(Problem(f"{path}.name", f"journey name {journey.name!r} is used twice"))
            continue
        arms[journey.name] = journey
        journey_numbers[journey.name] = number
    for arm in arms.values():
        if arm.journey and arm.unblinds not in failed:
            attempt(f"journeys[{journey_numbers[arm.name]}]", _check_journey_unblinds, arm, arms)
    if head is None:
        return None
    chairs = head.get("chairs")
    if chairs is not None and (
        not isinstance(chairs, int) or isinstance(chairs, bool) or chairs < 1
    ):
        problems.append(Problem("protocol.chairs", "protocol: chairs must be a whole number >= 1"))
    dates = attempt("protocol", _study_dates, head)
    site_zh = head.get("site_zh")
    if site_zh is not None and (not isinstance(site_zh, str) or not site_zh.strip()):
        problems.append(Problem("protocol.site_zh", "protocol: site_zh must be non-empty text"))
    versions = attempt("protocol", _versions, head)

    def identity() -> Protocol:
        assert head is not None
        return Protocol(
            id=_text(head, "id", "protocol"),
            registry=_text(head, "registry", "protocol"),
            title=_text(head, "title", "protocol"),
            sponsor=_text(head, "sponsor", "protocol"),
            site=_text(head, "site", "protocol"),
            site_zh=site_zh if isinstance(site_zh, str) else None,
            country=_text(head, "country", "protocol"),
            timezone=_text(head, "timezone", "protocol"),
            source=_text(head, "source", "protocol"),
            schedules=schedules,
            aliases=aliases,
            arms=arms,
            chairs=chairs,
            study_start=dates[0] if dates else None,
            study_completion=dates[1] if dates else None,
            version=versions[0] if versions else None,
            amends=versions[1] if versions else None,
        )

    trial = attempt("protocol", identity)
    return None if problems else trial


_T = TypeVar("_T")


def _treatment_entry(key: str, body: object) -> Treatment:
    return _treatment(key, _table(body, None, f"treatments.{key}"))


def _schedule_entry(entry: object, number: int, treatments: Mapping[str, Treatment]) -> Schedule:
    return _schedule(_table(entry, None, f"schedule #{number + 1}"), treatments)


def _journey_entry(entry: object, number: int, schedules: Mapping[str, Schedule]) -> Arm:
    return _journey(_table(entry, None, f"journey #{number + 1}"), schedules)


def _study_dates(head: dict[str, Any]) -> tuple[date | None, date | None]:
    """The registry's study start and completion dates (YYYY-MM-DD text: TOML's own dates would
    keep the parsed file out of the cache), when the file gives them."""
    found: list[date | None] = []
    for key in ("study_start", "study_completion"):
        value = head.get(key)
        if value is None:
            found.append(None)
            continue
        try:
            found.append(date.fromisoformat(value) if isinstance(value, str) else None)
        except ValueError:
            found.append(None)
        if found[-1] is None or len(value) != 10:
            raise ProtocolError(f"protocol: {key} must be a date as YYYY-MM-DD, e.g. 2022-08-18")
    start, completion = found
    if start is not None and completion is not None and completion < start:
        raise ProtocolError("protocol: study_completion is before study_start")
    return start, completion


def _versions(head: dict[str, Any]) -> tuple[str | None, str | None]:
    """The sponsor's protocol version and the version it amends, when the file gives them."""
    found = [
        None if head.get(key) is None else _text(head, key, "protocol")
        for key in ("version", "amends")
    ]
    version, amends = found
    if amends is not None and version is None:
        raise ProtocolError("protocol: amends names the version this one replaces: give version")
    if amends is not None and amends == version:
        raise ProtocolError(f"protocol: amends is the version itself ({version})")
    return version, amends


def _treatment(key: str, body: dict[str, Any]) -> Treatment:
    where = f"treatments.{key}"
    blinded = body.get("blinded", False)
    if not isinstance(blinded, bool):
        raise ProtocolError(f"{where}.blinded must be true or false")
    dose = body.get("dose_mg")
    if blinded and dose is not None:
        raise ProtocolError(f"{where} is blinded, so it may not state dose_mg")
    if not blinded and (not isinstance(dose, int) or isinstance(dose, bool) or dose < 0):
        raise ProtocolError(f"{where}.dose_mg must be a whole number of mg >= 0")
    return Treatment(
        key=key,
        label=_text(body, "label", where),
        product=_text(body, "product", where),
        dose_mg=dose,
        blinded=blinded,
    )


def _schedule(body: dict[str, Any], treatments: Mapping[str, Treatment]) -> Schedule:
    name = _text(body, "name", "schedule")
    where = f"schedule {name!r}"
    if not _NAME.fullmatch(name):
        raise ProtocolError(f"{where}: a name is lower-case letters, digits and '-'")

    def treatment(key: object, what: str) -> Treatment:
        if not isinstance(key, str) or key not in treatments:
            raise ProtocolError(f"{where}: {what} {key!r} is not one of {', '.join(treatments)}")
        return treatments[key]

    masking = body.get("masking")
    if masking not in MASKINGS:
        raise ProtocolError(f"{where}: masking {masking!r} is not one of {', '.join(MASKINGS)}")
    raw_visits = body.get("visits", [] if "repeat" in body else None)
    if not isinstance(raw_visits, list) or not (raw_visits or "repeat" in body):
        raise ProtocolError(f"{where}: visits must be a non-empty list of visit codes")
    if len(raw_visits) > MAX_VISITS:
        raise _Located(
            ".visits",
            ProtocolError(
                f"{where}: visits lists {len(raw_visits)} visits; a schedule has at most "
                f"{MAX_VISITS} visits"
            ),
        )
    kinds: dict[VisitCode, Kind] = {}
    own: dict[VisitCode, Window | None] = {}  # windows given with the visit (None: no window)
    listed: list[VisitCode] = []
    for index, raw in enumerate(raw_visits):
        code = _located(f".visits[{index}]", _visit, raw, where, kinds, own)
        listed.append(code)
    if listed != sorted(set(listed)):
        raise ProtocolError(f"{where}: visits must be in study-day order without repeats")
    rules = body.get("repeat", [])
    rules = [rules] if isinstance(rules, dict) else rules
    if not isinstance(rules, list):
        raise ProtocolError(f"{where}: repeat must be a table or a list of tables")
    known = set(listed)  # a set: each rule's codes are looked up in it (a list made it quadratic)
    for index, rule in enumerate(rules):
        suffix = ".repeat" if isinstance(body.get("repeat"), dict) else f".repeat[{index}]"
        codes = _located(suffix, _repeat, rule, where, kinds, own, len(known))
        for code in codes:
            if code in known:
                raise _Located(
                    suffix,
                    ProtocolError(f"{where}: repeat gives {code}, which is already a visit"),
                )
            known.add(code)
    visits = tuple(sorted(known))
    if len({code.study_day for code in visits}) != len(visits):
        raise ProtocolError(f"{where}: two visits fall on the same study day")
    if all(code in kinds for code in visits):
        raise ProtocolError(f"{where}: a schedule needs at least one infusion visit")
    overrides = {
        VisitCode.parse(code): treatment(key, f"override at {code}")
        for code, key in _table(body, "overrides", where, required=False).items()
    }
    for code in overrides:
        if code not in known:
            raise ProtocolError(f"{where}: override at {code} is not one of its visits")
        if code in kinds:
            raise ProtocolError(f"{where}: override at {code}, which is not an infusion")
    escalation = None
    if "escalation" in body:
        raw = _table(body, "escalation", where)
        escalation = Escalation(
            treatment(raw.get("treatment"), "escalation treatment"),
            VisitCode.parse(_text(raw, "earliest", f"{where} escalation")),
        )
        if escalation.earliest not in known or escalation.earliest in kinds:
            raise ProtocolError(f"{where}: escalation from {escalation.earliest} is not a visit")
    default_window = _window(body["window"], f"{where} window") if "window" in body else None
    windows: dict[VisitCode, Window | None] = {}
    for code_text, raw in _table(body, "windows", where, required=False).items():
        code = VisitCode.parse(code_text)
        if code not in known:
            raise ProtocolError(f"{where}: window at {code} is not one of its visits")
        if code in own:
            raise ProtocolError(f"{where}: the window at {code} is given twice")
        windows[code] = _window(raw, f"{where} window at {code}")
    windows.update(own)
    if default_window is not None:
        windows = {code: windows.get(code, default_window) for code in visits}
    stated = {code: window for code, window in windows.items() if window is not None}
    unblinds = body.get("unblinds")
    if (masking == "unblinded") != isinstance(unblinds, str):
        raise ProtocolError(f"{where}: an unblinded schedule, and only one, names what it unblinds")
    aliases = body.get("aliases", [])
    if not isinstance(aliases, list) or not all(
        isinstance(a, str) and _NAME.fullmatch(a) for a in aliases
    ):
        raise ProtocolError(f"{where}: aliases must be a list of lower-case names")
    return Schedule(
        name=name,
        title=_text(body, "title", where),
        period=_text(body, "period", where),
        masking=cast(Masking, masking),
        visits=visits,
        treatment=treatment(body.get("treatment"), "treatment"),
        cites=_text(body, "cites", where),
        overrides=overrides,
        unblinds=cast("str | None", unblinds),
        aliases=tuple(aliases),
        escalation=escalation,
        windows=stated,
        kinds=kinds,
    )


def _located(suffix: str, check: Callable[..., _T], *args: Any) -> _T:
    """`check(*args)`, its problem placed at `suffix` below the entry being built."""
    try:
        return check(*args)
    except _Located:
        raise
    except Mil62schedError as exc:
        raise _Located(suffix, exc) from None


_VISIT_KEYS = frozenset({"code", "kind", "window"})


def _visit(
    raw: object, where: str, kinds: dict[VisitCode, Kind], own: dict[VisitCode, Window | None]
) -> VisitCode:
    """A visit: a code (an infusion), or a table { code, kind, window }."""
    if not isinstance(raw, dict):
        return VisitCode.parse(str(raw))
    unknown = sorted(set(raw) - _VISIT_KEYS)
    if unknown:
        raise ProtocolError(
            f"{where}: a visit has no key {unknown[0]!r}: its keys are code, kind, window"
        )
    code = VisitCode.parse(_text(raw, "code", f"{where} visit"))
    _kind_of(raw, code, where, kinds)
    if "window" in raw:
        own[code] = _window(raw["window"], f"{where} window at {code}")
    return code


def _kind_of(
    raw: Mapping[str, Any], code: VisitCode, where: str, kinds: dict[VisitCode, Kind]
) -> None:
    kind = raw.get("kind", "infusion")
    if kind not in KINDS:
        raise ProtocolError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
    if kind != "infusion":
        kinds[code] = cast(Kind, kind)


_RULE_KEYS = frozenset({"every_weeks", "from", "through", "for_weeks", "count", "kind", "window"})
_RULE_ENDS = ("through", "for_weeks", "count")


def _repeat(
    rule: object,
    where: str,
    kinds: dict[VisitCode, Kind],
    own: dict[VisitCode, Window | None],
    others: int,
) -> list[VisitCode]:
    """The visits of a repeat rule: every `every_weeks` weeks from the visit `from`, through the
    visit `through` (included), for `for_weeks` weeks (the day `for_weeks` weeks after `from`
    excluded), or `count` times; `others` is how many visits the schedule has besides.

    Counted in study days: no calendar of the rule's own cuts it short or overflows, and a rule
    whose visits go past the calendar, or past MAX_VISITS, is refused before it is expanded.
    """
    if not isinstance(rule, dict):
        raise ProtocolError(f"{where}: repeat must be a table or a list of tables")
    unknown = sorted(set(rule) - _RULE_KEYS)
    if unknown:
        raise ProtocolError(
            f"{where}: repeat has no key {unknown[0]!r}: "
            f"its keys are {', '.join(sorted(_RULE_KEYS))}"
        )
    every = _whole(rule, "every_weeks", where)
    first = VisitCode.parse(_text(rule, "from", f"{where} repeat"))
    ends = [key for key in _RULE_ENDS if key in rule]
    if len(ends) != 1:
        raise ProtocolError(f"{where}: repeat needs one of through, for_weeks or count")
    step = 7 * every  # days between two visits
    if ends[0] == "through":
        last = VisitCode.parse(_text(rule, "through", f"{where} repeat"))
        if last < first:
            raise ProtocolError(f"{where}: repeat through {last} is before its from {first}")
        times = (last.offset - first.offset) // step + 1
    elif ends[0] == "for_weeks":
        times = (7 * _whole(rule, "for_weeks", where) - 1) // step + 1
    else:
        times = _whole(rule, "count", where)
    if others + times > MAX_VISITS:
        with_others = f", {others + times} with the schedule's others" if others else ""
        raise ProtocolError(
            f"{where}: repeat gives {times} visits{with_others}; a schedule has at most "
            f"{MAX_VISITS} visits"
        )
    final = _code_like(first, first.offset + step * (times - 1))
    # Written as `from` is: a Dn code has at most 6 digits, as in the file; a WnDm code is
    # bounded by the calendar first.
    limit = VisitCode.on_day(999999) if first.by_day else VisitCode.from_study_day(LAST_STUDY_DAY)
    if final > limit:
        raise ProtocolError(
            f"{where}: repeat reaches {final}, past the calendar: a rule's last visit is at most "
            f"{limit} (study day {limit.study_day})"
        )
    codes = [_code_like(first, first.offset + step * n) for n in range(times)]
    window = _window(rule["window"], f"{where} repeat window") if "window" in rule else ...
    for code in codes:
        _kind_of(rule, code, where, kinds)
        if window is not ...:
            own[code] = window
    return codes


def _code_like(first: VisitCode, offset: int) -> VisitCode:
    """The code `offset` days from D1, written as `first` is (Dn or WnDm)."""
    if first.by_day:
        return VisitCode.on_day(offset + 1 if offset >= 0 else offset)
    return VisitCode.from_study_day(offset + 1)


def _whole(body: Mapping[str, Any], key: str, where: str) -> int:
    value = body.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ProtocolError(f"{where}: repeat {key} must be a whole number >= 1")
    return value


def _window(raw: object, where: str) -> Window | None:
    """A window written as [before, after] days, each a whole number >= 0; "none" for no
    window (e.g. at W1D1, which starts the timeline)."""
    if raw == "none":
        return None
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in raw)
    ):
        raise ProtocolError(
            f'{where} must be [days before, days after], whole numbers >= 0, or "none"'
        )
    return Window(raw[0], raw[1])


def _journey(body: dict[str, Any], schedules: Mapping[str, Schedule]) -> Arm:
    """An arm that runs through several schedules, one period after another."""
    name = _text(body, "name", "journey")
    where = f"journey {name!r}"
    if not _NAME.fullmatch(name):
        raise ProtocolError(f"{where}: a name is lower-case letters, digits and '-'")
    masking = body.get("masking")
    if masking not in MASKINGS:
        raise ProtocolError(f"{where}: masking {masking!r} is not one of {', '.join(MASKINGS)}")
    names = body.get("legs")
    if not isinstance(names, list) or len(names) < 2:
        raise ProtocolError(f"{where}: legs must list two or more schedules")
    starts = _table(body, "starts", where, required=False)
    legs: list[Leg] = []
    periods: set[str] = set()
    for leg_name in names:
        schedule = schedules.get(leg_name) if isinstance(leg_name, str) else None
        if schedule is None:
            raise ProtocolError(f"{where}: leg {leg_name!r} is not a schedule")
        if masking != "unblinded" and schedule.masking == "unblinded":
            raise ProtocolError(f"{where} is {masking}, so its leg {schedule.name!r} may not be")
        if schedule.period in periods:
            raise ProtocolError(f"{where}: two legs in period {schedule.period!r}")
        periods.add(schedule.period)
        starts_at = None
        if legs:
            if schedule.period not in starts:
                raise ProtocolError(
                    f"{where}: starts must give the default start of {schedule.period}"
                )
            starts_at = VisitCode.parse(str(starts[schedule.period]))
        legs.append(Leg(schedule, starts_at))
    unblinds = body.get("unblinds")
    if (masking == "unblinded") != isinstance(unblinds, str):
        raise ProtocolError(f"{where}: an unblinded journey, and only one, names what it unblinds")
    return Arm(
        name=name,
        title=_text(body, "title", where),
        masking=cast(Masking, masking),
        legs=tuple(legs),
        cites=_text(body, "cites", where),
        unblinds=cast("str | None", unblinds),
    )


def _check_journey_unblinds(arm: Arm, arms: Mapping[str, Arm]) -> None:
    """An unblinded journey reveals a blinded one leg by leg, with the same default starts."""
    if not arm.journey or arm.unblinds is None:
        return
    target = arms.get(arm.unblinds)
    where = f"journey {arm.name!r}"
    if target is None or target.masking != "blinded" or not target.journey:
        raise ProtocolError(f"{where} unblinds {arm.unblinds!r}, not a blinded journey")
    mine = [(leg.schedule.blinded_name, leg.starts_at) for leg in arm.legs]
    theirs = [(leg.schedule.name, leg.starts_at) for leg in target.legs]
    if mine != theirs:
        raise ProtocolError(f"{where}'s legs do not reveal {target.name!r}'s legs one by one")


def _check_unblinds(schedule: Schedule, schedules: Mapping[str, Schedule]) -> None:
    """An unblinded schedule must reveal a blinded one with exactly the same visit dates."""
    if schedule.unblinds is None:
        return
    target = schedules.get(schedule.unblinds)
    where = f"schedule {schedule.name!r}"
    if target is None or target.masking != "blinded":
        raise ProtocolError(f"{where} unblinds {schedule.unblinds!r}, not a blinded schedule")
    # Kinds too: an arm with an assessment where the other has an infusion would be told apart.
    if (
        target.visits != schedule.visits
        or target.period != schedule.period
        or dict(target.kinds) != dict(schedule.kinds)
    ):
        raise ProtocolError(
            f"{where} has other visits or another period than {target.name!r}, which it unblinds"
        )


def _check_blinding(schedule: Schedule, revealing: Mapping[str, list[Schedule]]) -> None:
    """A blinded schedule shows, at each visit, only what all the arms it hides (`revealing`,
    by blinded schedule) have in common.

    Where the arms differ it must show a blinded treatment; where they agree (the OLP's open-label
    infusions) it must show exactly that treatment.
    """
    arms = revealing.get(schedule.name, [])
    if schedule.masking != "blinded" or not arms:
        return
    for code in schedule.visits:
        shown = schedule.treatment_at(code)
        given = {arm.treatment_at(code) for arm in arms}
        agreed = given.pop() if len(given) == 1 else None
        if shown != agreed and not shown.blinded:
            raise ProtocolError(
                f"schedule {schedule.name!r} shows {shown.label!r} at {code}, where the arms it "
                "hides differ: a blinded schedule must show a blinded treatment there"
            )
        if shown.blinded and agreed is not None:
            continue  # hiding a treatment that happens to be shared is harmless


def _table(body: Any, key: str | None, where: str, *, required: bool = True) -> dict[str, Any]:
    value = body if key is None else body.get(key, None if required else {})
    if not isinstance(value, dict):
        raise ProtocolError(f"{where}: {key or 'entry'} must be a table")
    return value


def _text(body: dict[str, Any], key: str, where: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProtocolError(f"{where}: {key} must be non-empty text")
    return value
