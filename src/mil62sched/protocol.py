"""The trial as data: a protocol TOML file, loaded and validated once.

A protocol lists what can be infused (treatments) and the dosing schedules (arms), each citing
the registry sentence it encodes. Another trial needs only another file.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from mil62sched.codes import VisitCode
from mil62sched.errors import Mil62schedError, ProtocolError, UsageError

Masking = Literal["open-label", "blinded", "unblinded"]
MASKINGS: tuple[Masking, ...] = ("open-label", "blinded", "unblinded")
_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
BUILTIN = Path(__file__).parent / "protocols" / "mil62-ct303.toml"


@dataclass(frozen=True)
class Treatment:
    """What is infused at a visit, as the person reading the output may be told."""

    key: str
    label: str
    product: str
    dose_mg: int | None
    blinded: bool = False


@dataclass(frozen=True)
class Escalation:
    """An allowed dose escalation: `treatment` from a chosen visit at or after `earliest`."""

    treatment: Treatment
    earliest: VisitCode


@dataclass(frozen=True)
class Schedule:
    """One arm: its infusion visits and what is infused at each."""

    name: str
    title: str
    period: str
    masking: Masking
    visits: tuple[VisitCode, ...]
    treatment: Treatment
    cites: str
    overrides: Mapping[VisitCode, Treatment] = field(default_factory=dict)
    unblinds: str | None = None
    aliases: tuple[str, ...] = ()
    escalation: Escalation | None = None

    @property
    def blinded_name(self) -> str:
        """The schedule a blinded person sees: its own name unless this one unblinds another."""
        return self.unblinds or self.name

    def treatment_at(self, code: VisitCode) -> Treatment:
        """What this schedule infuses at `code` (before any escalation)."""
        return self.overrides.get(code, self.treatment)


@dataclass(frozen=True)
class Protocol:
    """A trial: its identity, site and schedules by name."""

    id: str
    registry: str
    title: str
    sponsor: str
    site: str
    country: str
    timezone: str
    source: str
    schedules: Mapping[str, Schedule]
    aliases: Mapping[str, str]

    def schedule(self, name: str) -> Schedule:
        """The schedule called `name` (or an alias of it); an unknown name gets the closest one."""
        key = name.strip().lower()
        key = self.aliases.get(key, key)
        if key in self.schedules:
            return self.schedules[key]
        names = self.arm_names()
        close = difflib.get_close_matches(key, names, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise UsageError(f"unknown arm {name!r}: {hint}accepted: {', '.join(names)}")

    def arm_names(self) -> list[str]:
        """Every name `schedule` accepts, aliases last."""
        return [*self.schedules, *self.aliases]


def load(path: Path | None = None) -> Protocol:
    """Load and validate a protocol file; the built-in MIL62-CT303 one when `path` is None."""
    path = path or BUILTIN
    where = path.name if path == BUILTIN else str(path)
    try:
        raw = path.read_bytes()
        table = tomllib.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ProtocolError(f"cannot read protocol {where}: {exc}") from None
    try:
        return _build(table)
    except ProtocolError as exc:
        raise ProtocolError(f"invalid protocol {where}: {exc}") from None
    except Mil62schedError as exc:  # e.g. a malformed visit code inside the file
        raise ProtocolError(f"invalid protocol {where}: {exc}") from None


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
    )


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
    )


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
