"""The trial's value types: treatments, windows, schedules, arms and the protocol itself.

Loaded from a protocol file by `mil62sched.protocol`; nothing here reads a file.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from mil62sched.errors import UsageError
from mil62sched.model.codes import VisitCode
from mil62sched.model.spelling import closest

_EMPTY: Mapping[Any, Any] = MappingProxyType({})

# Value types are NamedTuples: as immutable as frozen dataclasses and far cheaper to define,
# which every start of the CLI pays for.
Masking = Literal["open-label", "blinded", "unblinded"]
MASKINGS: tuple[Masking, ...] = ("open-label", "blinded", "unblinded")
# What a visit is for. Only an infusion is a dosing event (it carries a treatment); the others
# are planned and exported like it, without a treatment.
Kind = Literal["infusion", "screening", "assessment", "end-of-treatment", "follow-up"]
KINDS: tuple[Kind, ...] = ("infusion", "screening", "assessment", "end-of-treatment", "follow-up")


class Treatment(NamedTuple):
    """What is infused at a visit, as the person reading the output may be told."""

    key: str
    label: str
    product: str
    dose_mg: int | None
    blinded: bool = False


# What a visit that is not an infusion "gives": nothing, the same in every arm (so it reveals
# no assignment).
NO_DOSING = Treatment(key="", label="", product="", dose_mg=None)


class Window(NamedTuple):
    """The days a visit may fall before and after its target date.

    >>> Window(2, 3).around(date(2024, 1, 15))
    (datetime.date(2024, 1, 13), datetime.date(2024, 1, 18))
    """

    before: int
    after: int

    def around(self, target: date) -> tuple[date, date]:
        """First and last day of the window around `target`."""
        return target - timedelta(days=self.before), target + timedelta(days=self.after)

    def __str__(self) -> str:
        if self.before == self.after:
            return f"±{self.before} d"
        return f"-{self.before}/+{self.after} d"


class Escalation(NamedTuple):
    """An allowed dose escalation: `treatment` from a chosen visit at or after `earliest`."""

    treatment: Treatment
    earliest: VisitCode


class Schedule(NamedTuple):
    """One arm: its visits (infusions and others, in study-day order) and what is infused at
    each infusion."""

    name: str
    title: str
    period: str
    masking: Masking
    visits: tuple[VisitCode, ...]
    treatment: Treatment
    cites: str
    overrides: Mapping[VisitCode, Treatment] = _EMPTY
    unblinds: str | None = None
    aliases: tuple[str, ...] = ()
    escalation: Escalation | None = None
    windows: Mapping[VisitCode, Window] = _EMPTY
    # The visits that are not infusions, and what they are; every other visit is an infusion.
    kinds: Mapping[VisitCode, Kind] = _EMPTY

    def kind_at(self, code: VisitCode) -> Kind:
        """What the visit at `code` is for."""
        return self.kinds.get(code, "infusion")

    @property
    def infusions(self) -> tuple[VisitCode, ...]:
        """The dosing visits, in order."""
        return tuple(code for code in self.visits if code not in self.kinds)

    @property
    def blinded_name(self) -> str:
        """The schedule a blinded person sees: its own name unless this one unblinds another."""
        return self.unblinds or self.name

    def treatment_at(self, code: VisitCode) -> Treatment:
        """What this schedule infuses at `code` (before any escalation); nothing at a visit that
        is not an infusion."""
        if code in self.kinds:
            return NO_DOSING
        return self.overrides.get(code, self.treatment)


class Leg(NamedTuple):
    """One period of an arm: a schedule, and when it starts if the user does not say."""

    schedule: Schedule
    # Default W1D1 of this leg, counted on the previous leg's timeline; None for the first leg.
    starts_at: VisitCode | None = None

    @property
    def period(self) -> str:
        """The period's name, e.g. RCP or OLP."""
        return self.schedule.period


class Arm(NamedTuple):
    """What a user plans with: one schedule, or a journey through several periods."""

    name: str
    title: str
    masking: Masking
    legs: tuple[Leg, ...]
    cites: str
    unblinds: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def journey(self) -> bool:
        """True when the arm runs through more than one period."""
        return len(self.legs) > 1

    @property
    def periods(self) -> tuple[str, ...]:
        """The names of its periods, in order."""
        return tuple(leg.period for leg in self.legs)

    @property
    def later_periods(self) -> tuple[str, ...]:
        """The periods after its first, whose start may be given: none unless a journey."""
        return self.periods[1:]

    @classmethod
    def of(cls, schedule: Schedule) -> Arm:
        """The arm that is just one schedule."""
        return cls(
            name=schedule.name,
            title=schedule.title,
            masking=schedule.masking,
            legs=(Leg(schedule),),
            cites=schedule.cites,
            unblinds=schedule.unblinds,
            aliases=schedule.aliases,
        )


class Protocol(NamedTuple):
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
    arms: Mapping[str, Arm] = _EMPTY
    chairs: int | None = None
    # The registry's study start and completion dates: plans outside them get a note, not an
    # error (dates move). None: not stated.
    study_start: date | None = None
    study_completion: date | None = None
    site_zh: str | None = None  # the site's name in Chinese (the card shows both); None: not given
    # The sponsor's protocol version ("3.0") and the version it replaces, as the file states
    # them; None when the file does not (format 1 files written before these keys existed).
    version: str | None = None
    amends: str | None = None
    # An amendment's renamed arms: the replaced version's arm name -> this file's (`arm_map`).
    arm_map: Mapping[str, str] = _EMPTY

    def arm(self, name: str) -> Arm:
        """The arm called `name` (or an alias of it); an unknown name gets the closest one."""
        key = name.strip().lower()
        key = self.aliases.get(key, key)
        if key in self.arms:
            return self.arms[key]
        names = self.arm_names()
        close = closest(key, tuple(names))
        hint = f"did you mean '{close[0]}'? " if close else ""
        raise UsageError("unknown arm", value=name, accepted=f"{hint}accepted: {', '.join(names)}")

    def schedule(self, name: str) -> Schedule:
        """The single schedule called `name` (or an alias of it)."""
        arm = self.arm(name)
        if arm.journey:
            raise UsageError(f"{arm.name!r} is a journey of several schedules, not one schedule")
        return arm.legs[0].schedule

    def arm_names(self) -> list[str]:
        """Every name `arm` accepts, aliases last."""
        return [*self.arms, *self.aliases]

    @property
    def later_periods(self) -> tuple[str, ...]:
        """Every period that follows another in one of its journeys, in the order first met."""
        return tuple(dict.fromkeys(p for arm in self.arms.values() for p in arm.later_periods))


def period_start_column(period: str) -> str:
    """The roster column giving a later period's start: `<period>_start`, in lower case (a
    roster's header is read ignoring case).

    >>> period_start_column("OLP")
    'olp_start'
    """
    return f"{period.lower()}_start"
