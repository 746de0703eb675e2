"""Load a protocol TOML file into the model's value types, validating it once.

A protocol lists what can be infused (treatments) and the dosing schedules (arms), each citing
the registry sentence it encodes. Another trial needs only another file.

`read` reads and parses a file (through the per-user cache); `build` makes the `Protocol` of a
parsed table, one builder per table: `_protocol_head`, `_treatments`, `_schedules` (and for each
`_schedule`: `_visits` with `_repeat`, `_overrides`, `_escalation`, `_windows`), `_journeys`. The
builders check only what needs the file's meaning (references between tables, order, blinding,
journeys, repeat arithmetic): what is malformed is the JSON Schema's to say (`validation`), and a
table reaches them only once it has passed it. A new table gets a builder, called from `build`.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from mil62sched.errors import Mil62schedError, ProtocolError
from mil62sched.model.codes import VisitCode
from mil62sched.model.protocol import (
    Arm,
    Escalation,
    Kind,
    Leg,
    Protocol,
    Schedule,
    Treatment,
    Window,
)

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
# The tables whose entries are built one by one (`treatments.placebo`, `schedules[2]`,
# `journeys[0]`): an entry with a problem is left out, not its whole table.
ENTRIES = ("treatments", "schedules", "journeys")


class Problem(NamedTuple):
    """One thing wrong in a protocol file: where (a TOML key path such as
    `schedules[2].visits[3]`, lists counted from 0) and what."""

    path: str
    message: str


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
    """The protocol of a file read that has passed the schema (the built-in one, which the tests
    check, or one found valid before), refused for the first problem the loader finds."""
    problems: list[Problem] = []
    built = build(source.table, problems)
    if built is None:
        said = problems[0].message if problems else "run mil62sched protocol validate on it"
        raise ProtocolError(said, where=f"invalid protocol {source.where}")
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


def build(
    table: dict[str, Any], problems: list[Problem], malformed: Container[str] = ()
) -> Protocol | None:
    """The protocol of a parsed file, or None; every problem that needs the file's meaning goes
    to `problems` (each entry is checked even when an earlier one failed, so that all of them
    can be shown).

    The file has passed the JSON Schema, which says what is malformed (`validation`; the
    built-in file in the tests), or `malformed` names the entries it refused (`protocol`,
    `schedules[2]`, `treatments.placebo`, a whole table): those are not built, and nothing that
    refers to them is checked, so that no problem is said twice. One builder per table.
    """
    tables = _Tables(table, problems, malformed)
    head = _protocol_head(tables)
    treatments = _treatments(tables)
    schedules, aliases = _schedules(tables, treatments)
    arms = _journeys(tables, schedules, aliases)
    arm_map = _arm_map(tables, arms, aliases)
    if head is None or tables.lost or problems:
        return None
    return Protocol(**head, schedules=schedules, aliases=aliases, arms=arms, arm_map=arm_map)


_T = TypeVar("_T")


class _Refused(Exception):
    """A problem of the entry being built: what is wrong, and where below the entry's key path
    (`.visits`, `.overrides.W3D1`; "" for the entry itself)."""

    def __init__(self, message: str, at: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.at = at


class _Unbuilt(Exception):
    """The entry refers to one that was not built, whose problem is said already: it is not
    built either, and nothing more is said."""


class _Tables:
    """A parsed file's tables as they are built, entry by entry: the problems found, and the
    names of the entries that were not built, by table (`lost`)."""

    def __init__(
        self, table: dict[str, Any], problems: list[Problem], malformed: Container[str]
    ) -> None:
        self.table = table
        self.problems = problems
        self.malformed = malformed
        # By table, the names of its entries not built (a schedule's with what it unblinds). A
        # table is here as soon as one of its entries is not built, or it is missing.
        self.lost: dict[str, set[str]] = {}

    def one(self, name: str) -> dict[str, Any] | None:
        """The table `name` ([protocol]), or None (and lost) when it is missing or malformed."""
        body = self.table.get(name)
        if isinstance(body, dict) and name not in self.malformed:
            return body
        self.lose(name)
        return None

    def entries(self, name: str, *, optional: bool = False) -> Iterator[tuple[str, Any, Any]]:
        """The key path, key (or place in the list) and body of each entry of the table `name`
        ([treatments.*], [[schedules]]) that is well formed; the others are lost. A missing
        table (unless `optional`) or a malformed one is lost as a whole."""
        found = self.table.get(name)
        if found is None and optional:
            return
        if not isinstance(found, dict | list) or name in self.malformed:
            self.lose(name)
            return
        for key, body in found.items() if isinstance(found, dict) else enumerate(found):
            path = f"{name}.{key}" if isinstance(key, str) else f"{name}[{key}]"
            if path in self.malformed:
                self.lose(name, *_names(key, body))
                continue
            yield path, key, body

    def lose(self, table: str, *names: object) -> None:
        """Count an entry of `table` (the names it goes by) as not built."""
        self.lost.setdefault(table, set()).update(name for name in names if isinstance(name, str))

    def attempt(self, path: str, make: Callable[..., _T], *args: Any) -> _T | None:
        """`make(*args)`, or None when it is refused (the problem is noted at `path`) or refers
        to an entry not built."""
        try:
            return make(*args)
        except _Refused as refused:
            self.problems.append(Problem(path + refused.at, refused.message))
        except _Unbuilt:
            pass
        except Mil62schedError as exc:  # e.g. an impossible visit code the schema let through
            self.problems.append(Problem(path, exc.line()))
        return None

    def passes(self, path: str, check: Callable[..., None], *args: Any) -> bool:
        """Whether `check(*args)` finds nothing wrong (what it finds is noted at `path`)."""

        def checked() -> bool:
            check(*args)
            return True

        return self.attempt(path, checked) is not None

    def refer(self, table: str, built: Mapping[str, _T], name: object, refused: _Refused) -> _T:
        """The entry `name` of `table` as built. One that is not there may be one that was not
        built, when the table lost an entry: then `_Unbuilt`, else `refused`."""
        found = built.get(name) if isinstance(name, str) else None
        if found is not None:
            return found
        if table in self.lost:
            raise _Unbuilt
        raise refused


def _names(key: object, body: object) -> list[object]:
    """The names an entry goes by: a treatment's key; a schedule's or journey's name, and the
    blinded schedule a schedule unblinds (which cannot be checked without it)."""
    if isinstance(key, str):
        return [key]
    return [body.get("name"), body.get("unblinds")] if isinstance(body, dict) else []


# --- [protocol] ----------------------------------------------------------------------------------


def _protocol_head(tables: _Tables) -> dict[str, Any] | None:
    """The trial's identity, its default site and the registry's study dates, as the keyword
    arguments of `Protocol`."""
    head = tables.one("protocol")
    return None if head is None else tables.attempt("protocol", _identity, head)


def _identity(head: dict[str, Any]) -> dict[str, Any]:
    start, completion = _study_dates(head)
    return {
        "id": head["id"],
        "registry": head["registry"],
        "title": head["title"],
        "sponsor": head["sponsor"],
        "site": head["site"],
        "site_zh": head.get("site_zh"),
        "country": head["country"],
        "timezone": head["timezone"],
        "source": head["source"],
        "chairs": head.get("chairs"),
        "study_start": start,
        "study_completion": completion,
        "version": head.get("version"),
        "amends": _amends(head),
    }


def _amends(head: dict[str, Any]) -> str | None:
    """The version this file replaces: never the file's own (the schema has made sure that a
    file naming it states its own `version`)."""
    amends = head.get("amends")
    if amends is not None and amends == head.get("version"):
        raise _Refused(f"amends is the version itself ({amends})", ".amends")
    return amends


def _study_dates(head: dict[str, Any]) -> tuple[date | None, date | None]:
    """The registry's study start and completion dates (YYYY-MM-DD text: TOML's own dates would
    keep the parsed file out of the cache), when the file gives them: real days, in order."""
    found: dict[str, date | None] = {}
    for key in ("study_start", "study_completion"):
        text = head.get(key)
        try:
            found[key] = None if text is None else date.fromisoformat(text)
        except ValueError:
            said = f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2022-08-18"
            raise _Refused(said, f".{key}") from None
    start, completion = found["study_start"], found["study_completion"]
    if start is not None and completion is not None and completion < start:
        raise _Refused(
            f"study_completion {completion} is before study_start {start}", ".study_completion"
        )
    return start, completion


# --- [treatments.*] ------------------------------------------------------------------------------


def _treatments(tables: _Tables) -> dict[str, Treatment]:
    """What can be given, by key."""
    return {
        str(key): Treatment(
            key=str(key),
            label=body["label"],
            product=body["product"],
            dose_mg=body.get("dose_mg"),
            blinded=body.get("blinded", False),
        )
        for _, key, body in tables.entries("treatments")
    }


# --- [[schedules]] -------------------------------------------------------------------------------


def _schedules(
    tables: _Tables, treatments: Mapping[str, Treatment]
) -> tuple[dict[str, Schedule], dict[str, str]]:
    """The schedules by name, and their aliases; then what needs them all: each unblinded one
    reveals a blinded one, and a blinded one hides what the arms it hides differ on."""
    schedules: dict[str, Schedule] = {}
    aliases: dict[str, str] = {}
    places: dict[str, str] = {}  # each schedule's key path
    for path, key, entry in tables.entries("schedules"):
        schedule = tables.attempt(path, _schedule, entry, tables, treatments)
        if schedule is None:
            tables.lose("schedules", *_names(key, entry))
            continue
        if schedule.name in schedules or schedule.name in aliases:
            tables.problems.append(
                Problem(f"{path}.name", f"schedule name {schedule.name!r} is used twice")
            )
            tables.lose("schedules")  # what refers to it may mean this one
            continue
        schedules[schedule.name] = schedule
        places[schedule.name] = path
        for alias in schedule.aliases:
            if alias in schedules or alias in aliases:
                tables.problems.append(Problem(f"{path}.aliases", f"alias {alias!r} is used twice"))
                continue
            aliases[alias] = schedule.name
    revealing: dict[str, list[Schedule]] = {}  # by blinded schedule, the ones that reveal it
    for schedule in schedules.values():
        if schedule.unblinds is not None:
            revealing.setdefault(schedule.unblinds, []).append(schedule)
    for schedule in schedules.values():
        if not tables.passes(places[schedule.name], _check_unblinds, schedule, schedules, tables):
            tables.lose("schedules", schedule.name, schedule.unblinds)
    for schedule in schedules.values():
        # Not when a schedule that reveals it was lost: the arms it hides are not all known.
        if schedule.name not in tables.lost.get("schedules", set()) and not tables.passes(
            places[schedule.name], _check_blinding, schedule, revealing
        ):
            tables.lose("schedules", schedule.name)
    return schedules, aliases


def _schedule(
    body: dict[str, Any], tables: _Tables, treatments: Mapping[str, Treatment]
) -> Schedule:
    """One schedule: its visits, what each infusion gives, its escalation and windows."""
    name = body["name"]
    where = f"schedule {name!r}"

    def treatment(key: object, what: str, at: str) -> Treatment:
        unknown = f"{where}: {what} {key!r} is not one of {', '.join(treatments)}"
        return tables.refer("treatments", treatments, key, _Refused(unknown, at))

    visits, kinds, own = _visits(body, where)
    known = set(visits)
    return Schedule(
        name=name,
        title=body["title"],
        period=body["period"],
        masking=body["masking"],
        visits=visits,
        overrides=_overrides(body, where, known, kinds, treatment),
        escalation=_escalation(body, where, known, kinds, treatment),
        windows=_windows(body, where, visits, own),
        treatment=treatment(body["treatment"], "treatment", ".treatment"),
        cites=body["cites"],
        unblinds=body.get("unblinds"),
        aliases=tuple(body.get("aliases", ())),
        kinds=kinds,
    )


_Kinds = dict[VisitCode, Kind]  # the visits that are not infusions, and what they are
_Windows = dict[VisitCode, Window | None]  # windows given with the visits (None: no window)


def _visits(body: dict[str, Any], where: str) -> tuple[tuple[VisitCode, ...], _Kinds, _Windows]:
    """A schedule's visits, listed (`visits`) and given by repeat rules (`repeat`), in
    study-day order; with their kinds and the windows given with them."""
    listed_visits = body.get("visits", [])
    if len(listed_visits) > MAX_VISITS:
        raise _Refused(
            f"{where}: visits lists {len(listed_visits)} visits; a schedule has at most "
            f"{MAX_VISITS} visits",
            ".visits",
        )
    kinds: _Kinds = {}
    own: _Windows = {}
    listed = [_visit(raw, kinds, own) for raw in listed_visits]
    if listed != sorted(set(listed)):
        raise _Refused(f"{where}: visits must be in study-day order without repeats")
    known = set(listed)  # a set: each rule's codes are looked up in it (a list made it quadratic)
    rules = body.get("repeat", [])
    one = isinstance(rules, dict)
    for index, rule in enumerate([rules] if one else rules):
        at = ".repeat" if one else f".repeat[{index}]"
        for code in _repeat(rule, where, at, len(known)):
            if code in known:
                raise _Refused(f"{where}: repeat gives {code}, which is already a visit", at)
            known.add(code)
            _describe(rule, code, kinds, own)
    if all(code in kinds for code in known):
        raise _Refused(f"{where}: a schedule needs at least one infusion visit")
    return tuple(sorted(known)), kinds, own


def _visit(raw: str | dict[str, Any], kinds: _Kinds, own: _Windows) -> VisitCode:
    """A listed visit: a code (an infusion), or a table { code, kind, window }."""
    if isinstance(raw, str):
        return VisitCode.parse(raw)
    code = VisitCode.parse(raw["code"])
    _describe(raw, code, kinds, own)
    return code


def _describe(body: Mapping[str, Any], code: VisitCode, kinds: _Kinds, own: _Windows) -> None:
    """Note the kind and window that a visit's table, or its repeat rule, gives the visit."""
    kind = body.get("kind", "infusion")
    if kind != "infusion":
        kinds[code] = kind
    if "window" in body:
        own[code] = _window(body["window"])


def _repeat(rule: dict[str, Any], where: str, at: str, others: int) -> list[VisitCode]:
    """The visits of a repeat rule: every `every_weeks` weeks from the visit `from`, through the
    visit `through` (included), for `for_weeks` weeks (the day `for_weeks` weeks after `from`
    excluded), or `count` times; `others` is how many visits the schedule has besides.

    Counted in study days: no calendar of the rule's own cuts it short or overflows, and a rule
    whose visits go past the calendar, or past MAX_VISITS, is refused before it is expanded.
    """
    step = 7 * rule["every_weeks"]  # days between two visits
    first = VisitCode.parse(rule["from"])
    if "through" in rule:
        last = VisitCode.parse(rule["through"])
        if last < first:
            raise _Refused(f"{where}: repeat through {last} is before its from {first}", at)
        times = (last.offset - first.offset) // step + 1
    elif "for_weeks" in rule:
        times = (7 * rule["for_weeks"] - 1) // step + 1
    else:
        times = rule["count"]
    if others + times > MAX_VISITS:
        with_others = f", {others + times} with the schedule's others" if others else ""
        raise _Refused(
            f"{where}: repeat gives {times} visits{with_others}; a schedule has at most "
            f"{MAX_VISITS} visits",
            at,
        )
    final = _code_like(first, first.offset + step * (times - 1))
    # Written as `from` is: a Dn code has at most 6 digits, as in the file; a WnDm code is
    # bounded by the calendar first.
    limit = VisitCode.on_day(999999) if first.by_day else VisitCode.from_study_day(LAST_STUDY_DAY)
    if final > limit:
        raise _Refused(
            f"{where}: repeat reaches {final}, past the calendar: a rule's last visit is at most "
            f"{limit} (study day {limit.study_day})",
            at,
        )
    return [_code_like(first, first.offset + step * n) for n in range(times)]


def _code_like(first: VisitCode, offset: int) -> VisitCode:
    """The code `offset` days from D1, written as `first` is (Dn or WnDm)."""
    if first.by_day:
        return VisitCode.on_day(offset + 1 if offset >= 0 else offset)
    return VisitCode.from_study_day(offset + 1)


_Named = Callable[[object, str, str], Treatment]  # a treatment by key: (key, what, at)


def _overrides(
    body: dict[str, Any], where: str, known: set[VisitCode], kinds: _Kinds, treatment: _Named
) -> dict[VisitCode, Treatment]:
    """Another treatment at some infusions: { CODE = "treatment key" }."""
    found: dict[VisitCode, Treatment] = {}
    for text, key in body.get("overrides", {}).items():
        code = VisitCode.parse(text)
        at = f".overrides.{text}"
        found[code] = treatment(key, f"override at {code}", at)
        if code not in known:
            raise _Refused(f"{where}: override at {code} is not one of its visits", at)
        if code in kinds:
            raise _Refused(f"{where}: override at {code}, which is not an infusion", at)
    return found


def _escalation(
    body: dict[str, Any], where: str, known: set[VisitCode], kinds: _Kinds, treatment: _Named
) -> Escalation | None:
    """The treatment the schedule may escalate to, from an infusion on."""
    raw = body.get("escalation")
    if raw is None:
        return None
    given = treatment(raw["treatment"], "escalation treatment", ".escalation.treatment")
    earliest = VisitCode.parse(raw["earliest"])
    if earliest not in known or earliest in kinds:
        raise _Refused(
            f"{where}: escalation from {earliest} is not a visit", ".escalation.earliest"
        )
    return Escalation(given, earliest)


def _windows(
    body: dict[str, Any], where: str, visits: tuple[VisitCode, ...], own: _Windows
) -> dict[VisitCode, Window]:
    """The window of each visit that has one: given with the visit or its repeat rule, in
    `windows` by code, or the schedule's `window` for every other visit."""
    known = set(visits)
    windows: _Windows = {}
    for text, raw in body.get("windows", {}).items():
        code = VisitCode.parse(text)
        at = f".windows.{text}"
        if code not in known:
            raise _Refused(f"{where}: window at {code} is not one of its visits", at)
        if code in own:
            raise _Refused(f"{where}: the window at {code} is given twice", at)
        windows[code] = _window(raw)
    windows.update(own)
    default = _window(body["window"]) if "window" in body else None
    if default is not None:
        windows = {code: windows.get(code, default) for code in visits}
    return {code: window for code, window in windows.items() if window is not None}


def _window(raw: str | list[int]) -> Window | None:
    """A window written as [days before, days after]; "none" (the one text allowed) for no
    window (e.g. at W1D1, which starts the timeline)."""
    return None if isinstance(raw, str) else Window(raw[0], raw[1])


def _check_unblinds(schedule: Schedule, schedules: Mapping[str, Schedule], tables: _Tables) -> None:
    """An unblinded schedule must reveal a blinded one with exactly the same visit dates."""
    if schedule.unblinds is None:
        return
    where = f"schedule {schedule.name!r}"
    refused = _Refused(
        f"{where} unblinds {schedule.unblinds!r}, not a blinded schedule", ".unblinds"
    )
    target = tables.refer("schedules", schedules, schedule.unblinds, refused)
    if target.masking != "blinded":
        raise refused
    # Kinds too: an arm with an assessment where the other has an infusion would be told apart.
    if (
        target.visits != schedule.visits
        or target.period != schedule.period
        or dict(target.kinds) != dict(schedule.kinds)
    ):
        raise _Refused(
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
            raise _Refused(
                f"schedule {schedule.name!r} shows {shown.label!r} at {code}, where the arms it "
                "hides differ: a blinded schedule must show a blinded treatment there"
            )


# --- [[journeys]] --------------------------------------------------------------------------------


def _journeys(
    tables: _Tables, schedules: Mapping[str, Schedule], aliases: Mapping[str, str]
) -> dict[str, Arm]:
    """Every arm: the schedules (an arm of one period each), then the journeys through several;
    then each unblinded journey reveals a blinded one."""
    arms = {name: Arm.of(schedule) for name, schedule in schedules.items()}
    places: dict[str, str] = {}  # each journey's key path
    for path, key, entry in tables.entries("journeys", optional=True):
        journey = tables.attempt(path, _journey, entry, tables, schedules)
        if journey is None:
            tables.lose("journeys", *_names(key, entry))
            continue
        if journey.name in arms or journey.name in aliases:
            tables.problems.append(
                Problem(f"{path}.name", f"journey name {journey.name!r} is used twice")
            )
            tables.lose("journeys")  # what refers to it may mean this one
            continue
        arms[journey.name] = journey
        places[journey.name] = path
    for name, path in places.items():
        if arms[name].unblinds not in tables.lost.get("journeys", set()):
            tables.passes(path, _check_journey_unblinds, arms[name], arms, tables)
    return arms


def _journey(body: dict[str, Any], tables: _Tables, schedules: Mapping[str, Schedule]) -> Arm:
    """An arm that runs through several schedules, one period after another."""
    name, masking, names = body["name"], body["masking"], body["legs"]
    where = f"journey {name!r}"
    lost = tables.lost.get("schedules")
    if lost is not None and any(leg in lost or leg not in schedules for leg in names):
        raise _Unbuilt  # a leg was not built
    starts = body.get("starts", {})
    legs: list[Leg] = []
    periods: set[str] = set()
    for index, leg_name in enumerate(names):
        at = f".legs[{index}]"
        schedule = schedules.get(leg_name)
        if schedule is None:
            raise _Refused(f"{where}: leg {leg_name!r} is not a schedule", at)
        if masking != "unblinded" and schedule.masking == "unblinded":
            raise _Refused(f"{where} is {masking}, so its leg {schedule.name!r} may not be", at)
        if schedule.period in periods:
            raise _Refused(f"{where}: two legs in period {schedule.period!r}", at)
        periods.add(schedule.period)
        starts_at = None
        if legs:
            if schedule.period not in starts:
                raise _Refused(
                    f"{where}: starts must give the default start of {schedule.period}", ".starts"
                )
            starts_at = VisitCode.parse(starts[schedule.period])
        legs.append(Leg(schedule, starts_at))
    return Arm(
        name=name,
        title=body["title"],
        masking=masking,
        legs=tuple(legs),
        cites=body["cites"],
        unblinds=body.get("unblinds"),
    )


def _check_journey_unblinds(arm: Arm, arms: Mapping[str, Arm], tables: _Tables) -> None:
    """An unblinded journey reveals a blinded one leg by leg, with the same default starts."""
    if not arm.journey or arm.unblinds is None:
        return
    where = f"journey {arm.name!r}"
    refused = _Refused(f"{where} unblinds {arm.unblinds!r}, not a blinded journey", ".unblinds")
    target = tables.refer("journeys", arms, arm.unblinds, refused)
    if target.masking != "blinded" or not target.journey:
        raise refused
    mine = [(leg.schedule.blinded_name, leg.starts_at) for leg in arm.legs]
    theirs = [(leg.schedule.name, leg.starts_at) for leg in target.legs]
    if mine != theirs:
        raise _Refused(f"{where}'s legs do not reveal {target.name!r}'s legs one by one")


# --- [arm_map] -----------------------------------------------------------------------------------


def _arm_map(
    tables: _Tables, arms: Mapping[str, Arm], aliases: Mapping[str, str]
) -> dict[str, str]:
    """An amendment's renamed arms: { old name = "this file's arm" }, each naming an arm of
    this file (an alias stands for its arm)."""
    found: dict[str, str] = {}
    table = tables.table.get("arm_map")
    if not isinstance(table, dict) or "arm_map" in tables.malformed:
        return found
    lost = tables.lost.get("schedules") or tables.lost.get("journeys")
    for old, new in table.items():
        name = aliases.get(new, new)
        if name in arms:
            found[old] = name
        elif not lost:  # else it may name an arm that was not built
            tables.problems.append(
                Problem(
                    f"arm_map.{old}",
                    f"arm_map maps {old!r} to {new!r}, which is not an arm of this file: "
                    f"accepted: {', '.join(arms)}",
                )
            )
    return found
