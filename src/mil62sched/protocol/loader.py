"""Load a protocol TOML file into the model's value types, validating it once.

A protocol lists what can be infused (treatments) and the dosing schedules (arms), each citing
the registry sentence it encodes. Another trial needs only another file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, cast

from mil62sched.errors import Mil62schedError, ProtocolError
from mil62sched.model.codes import VisitCode
from mil62sched.model.protocol import (
    MASKINGS,
    Arm,
    Escalation,
    Leg,
    Masking,
    Protocol,
    Schedule,
    Treatment,
    Window,
)

_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
BUILTIN = Path(__file__).parent / "mil62-ct303.toml"


def load(path: Path | None = None) -> Protocol:
    """Load and validate a protocol file; the built-in MIL62-CT303 one when `path` is None."""
    path = path or BUILTIN
    where = path.name if path == BUILTIN else str(path)
    table = _parsed(path, where)
    try:
        return _build(table)
    except Mil62schedError as exc:  # a ProtocolError, or e.g. a malformed visit code in the file
        raise ProtocolError(exc.line(), where=f"invalid protocol {where}") from None


def _parsed(path: Path, where: str) -> dict[str, Any]:
    """The file's TOML table, from the per-user cache when these exact bytes were parsed before.

    The entry is named by a hash of the file's bytes (and the Python version, for marshal), so
    an edit always gives a new entry, whatever the file's size or time stamps. Importing tomllib
    and parsing cost a few milliseconds at every start; reading the entry far less (see
    benchmarks/README.md). A damaged entry is ignored and rewritten.
    """
    import hashlib
    import marshal
    import sys

    from mil62sched import cache

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ProtocolError(f"cannot read protocol {where}: {exc.strerror or exc}") from None
    digest = hashlib.sha256(raw).hexdigest()[:32]
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
    import tomllib

    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProtocolError(f"cannot read protocol {where}: {exc}") from None


def _marshallable(value: object) -> bool:
    """Plain TOML values only (a TOML date or time would not survive marshal)."""
    if isinstance(value, dict):
        return all(_marshallable(item) for item in value.values())
    if isinstance(value, list):
        return all(_marshallable(item) for item in value)
    return isinstance(value, str | int | float | bool)


def _build(table: dict[str, Any]) -> Protocol:
    head = _table(table, "protocol", "the file")
    treatments = {
        key: _treatment(key, _table(body, None, f"treatments.{key}"))
        for key, body in _table(table, "treatments", "the file").items()
    }
    schedules: dict[str, Schedule] = {}
    aliases: dict[str, str] = {}
    entries = table.get("schedules")
    if not isinstance(entries, list) or not entries:
        raise ProtocolError("[[schedules]] must list at least one schedule")
    for number, entry in enumerate(entries, 1):
        schedule = _schedule(_table(entry, None, f"schedule #{number}"), treatments)
        if schedule.name in schedules or schedule.name in aliases:
            raise ProtocolError(f"schedule name {schedule.name!r} is used twice")
        schedules[schedule.name] = schedule
        for alias in schedule.aliases:
            if alias in schedules or alias in aliases:
                raise ProtocolError(f"alias {alias!r} is used twice")
            aliases[alias] = schedule.name
    for schedule in schedules.values():
        _check_unblinds(schedule, schedules)
    for schedule in schedules.values():
        _check_blinding(schedule, schedules)
    arms = {name: Arm.of(schedule) for name, schedule in schedules.items()}
    journeys = table.get("journeys", [])
    if not isinstance(journeys, list):
        raise ProtocolError("[[journeys]] must be a list of tables")
    for number, entry in enumerate(journeys, 1):
        journey = _journey(_table(entry, None, f"journey #{number}"), schedules)
        if journey.name in arms or journey.name in aliases:
            raise ProtocolError(f"journey name {journey.name!r} is used twice")
        arms[journey.name] = journey
    for arm in arms.values():
        _check_journey_unblinds(arm, arms)
    chairs = head.get("chairs")
    if chairs is not None and (
        not isinstance(chairs, int) or isinstance(chairs, bool) or chairs < 1
    ):
        raise ProtocolError("protocol: chairs must be a whole number >= 1")
    study_start, study_completion = _study_dates(head)
    return Protocol(
        id=_text(head, "id", "protocol"),
        registry=_text(head, "registry", "protocol"),
        title=_text(head, "title", "protocol"),
        sponsor=_text(head, "sponsor", "protocol"),
        site=_text(head, "site", "protocol"),
        country=_text(head, "country", "protocol"),
        timezone=_text(head, "timezone", "protocol"),
        source=_text(head, "source", "protocol"),
        schedules=schedules,
        aliases=aliases,
        arms=arms,
        chairs=chairs,
        study_start=study_start,
        study_completion=study_completion,
    )


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
    raw_visits = body.get("visits")
    if not isinstance(raw_visits, list) or not raw_visits:
        raise ProtocolError(f"{where}: visits must be a non-empty list of visit codes")
    visits = tuple(VisitCode.parse(str(code)) for code in raw_visits)
    if list(visits) != sorted(set(visits)):
        raise ProtocolError(f"{where}: visits must be in study-day order without repeats")
    overrides = {
        VisitCode.parse(code): treatment(key, f"override at {code}")
        for code, key in _table(body, "overrides", where, required=False).items()
    }
    for code in overrides:
        if code not in visits:
            raise ProtocolError(f"{where}: override at {code} is not one of its visits")
    escalation = None
    if "escalation" in body:
        raw = _table(body, "escalation", where)
        escalation = Escalation(
            treatment(raw.get("treatment"), "escalation treatment"),
            VisitCode.parse(_text(raw, "earliest", f"{where} escalation")),
        )
        if escalation.earliest not in visits:
            raise ProtocolError(f"{where}: escalation from {escalation.earliest} is not a visit")
    default_window = _window(body["window"], f"{where} window") if "window" in body else None
    windows: dict[VisitCode, Window] = {}
    for code_text, raw in _table(body, "windows", where, required=False).items():
        code = VisitCode.parse(code_text)
        if code not in visits:
            raise ProtocolError(f"{where}: window at {code} is not one of its visits")
        windows[code] = _window(raw, f"{where} window at {code}")
    if default_window is not None:
        windows = {code: windows.get(code, default_window) for code in visits}
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
        windows=windows,
    )


def _window(raw: object, where: str) -> Window:
    """A window written as [before, after] days, each a whole number >= 0."""
    if (
        not isinstance(raw, list)
        or len(raw) != 2
        or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in raw)
    ):
        raise ProtocolError(f"{where} must be [days before, days after], whole numbers >= 0")
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
    for leg_name in names:
        schedule = schedules.get(leg_name) if isinstance(leg_name, str) else None
        if schedule is None:
            raise ProtocolError(f"{where}: leg {leg_name!r} is not a schedule")
        if masking != "unblinded" and schedule.masking == "unblinded":
            raise ProtocolError(f"{where} is {masking}, so its leg {schedule.name!r} may not be")
        if any(leg.period == schedule.period for leg in legs):
            raise ProtocolError(f"{where}: two legs in period {schedule.period!r}")
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
    if target.visits != schedule.visits or target.period != schedule.period:
        raise ProtocolError(
            f"{where} has other visits or another period than {target.name!r}, which it unblinds"
        )


def _check_blinding(schedule: Schedule, schedules: Mapping[str, Schedule]) -> None:
    """A blinded schedule shows, at each visit, only what all the arms it hides have in common.

    Where the arms differ it must show a blinded treatment; where they agree (the OLP's open-label
    infusions) it must show exactly that treatment.
    """
    arms = [s for s in schedules.values() if s.unblinds == schedule.name]
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
