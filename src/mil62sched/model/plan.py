"""A participant's plan as values: visits, periods, records, the site's policy. No behaviour
beyond what the values say of themselves; the engine builds them."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import date
from types import MappingProxyType
from typing import Literal, NamedTuple, TypeAlias
from typing import Protocol as Interface

from mil62sched.messages import Localized, Message
from mil62sched.model.codes import VisitCode
from mil62sched.model.protocol import Arm, Kind, Protocol, Schedule, Treatment, Window


class DayStatus(NamedTuple):
    """Whether the site works on a day, why not, whether that rests on published data, and
    whether it is a weekend day made a working day."""

    working: bool
    # None when working; "weekend" or the holiday's name(s), "; "-joined: in English, and said in
    # the reader's language (Localized: the holidays package's own name in Chinese).
    reason: Localized | None
    provisional: bool  # the year's official schedule is in neither the package nor the file
    # A weekend day worked in exchange for a longer holiday (an adjusted, make-up working day,
    # 调休上班日): the official schedule's, or a site file's `workday` row on a weekend day.
    make_up: bool = False


class WorkingDays(Interface):
    """What the engine asks of a site's calendar (implemented by `site.workdays.SiteCalendar`)."""

    @property
    def country(self) -> str | None:
        """Whose holidays are checked; None when the check is off."""

    def status(self, day: date) -> DayStatus:
        """Whether the site works on `day`, why not, and whether it is a make-up working day."""

    def provisional(self, year: int) -> bool:
        """Whether `year`'s working days may still change (no official data)."""

    def nearest_working_day(self, target: date, before: int, after: int) -> date | None:
        """The working day nearest `target` inside [target-before, target+after], if any."""


def search_order(target: date, before: int, after: int) -> Iterator[date]:
    """target, +1, -1, +2, -2, ... within [target-before, target+after]; later wins a tie so as
    not to dose early. The one search order for every "nearest day" the tool proposes.

    >>> [d.day for d in search_order(date(2025, 10, 3), 1, 2)]
    [3, 4, 2, 5]
    """
    from datetime import timedelta

    yield target
    for distance in range(1, max(before, after) + 1):
        for offset in (distance, -distance):
            if -before <= offset <= after:
                try:
                    day = target + timedelta(days=offset)
                except OverflowError:
                    continue  # beyond date.min/date.max: nothing to search there
                yield day


Day: TypeAlias = date  # Visit has a field called `date`; annotations inside it use this
Anchor = Literal["w1d1", "previous"]
ANCHORS: tuple[Anchor, ...] = ("w1d1", "previous")
# dropped: a visit after the participant entered the next period (kept so calendars can cancel it)
Status = Literal["planned", "done", "missed", "dropped"]


class VisitKey(NamedTuple):
    """Names one visit of a plan: its code, and its period when the arm has several."""

    code: VisitCode
    period: str | None = None

    def __str__(self) -> str:
        return f"{self.period}:{self.code}" if self.period else str(self.code)


class Records(NamedTuple):
    """What the site recorded: actual dates of visits that happened, and missed visits."""

    actual: Mapping[VisitKey, date] = MappingProxyType({})
    missed: frozenset[VisitKey] = frozenset()


class Policy(NamedTuple):
    """How the site plans, the same for every participant."""

    window: Window | None = None  # overrides the protocol's windows when set
    site: WorkingDays | None = None  # None: no working-day check
    adjust: bool = False  # make proposals the planned dates
    anchor: Anchor = "w1d1"
    today: date | None = None  # needed to refuse actual dates in the future


# Why a planned date is not firm (issue 16 #3), in the order footnotes number them: the period's
# start was assumed (the date derives from it), the site's working days that year rest on
# provisional holiday data, the date is after the registry's study completion date.
Reason = Literal["assumed-start", "provisional-holidays", "after-completion"]
REASONS: tuple[Reason, ...] = ("assumed-start", "provisional-holidays", "after-completion")
# A visit's certainty: recorded (done or missed: history), planned (firm), or its reasons.
Certainty = Literal[
    "recorded", "planned", "assumed-start", "provisional-holidays", "after-completion"
]


class Doubt(NamedTuple):
    """Why a planned date is not firm, with what a reader is told of it: for an assumed start
    the period and the visit of the previous period it is assumed at (`("OLP", "RCP W53D1")`),
    after the study completion the date and the registry (`("2027-03-31", "NCT05314010")`)."""

    reason: Reason
    detail: tuple[str, ...] = ()


class Visit(NamedTuple):
    """One visit of a participant: an infusion, or a visit of another `kind` (screening...).

    A NamedTuple rather than a frozen dataclass: just as immutable, and three times quicker to
    build (a frozen dataclass sets each of its 23 fields through object.__setattr__), which
    counts when a roster expands into a million visits. Change one with `visit._replace(...)`.
    """

    code: VisitCode
    study_day: int  # within its period
    period: str
    treatment: Treatment
    blinded_schedule: str  # the schedule a blinded person sees; part of the calendar UID
    target: Day
    date: date  # planned; the actual date once done (a missed visit's is its target)
    window: Window | None
    window_start: Day | None  # first day of the window, None without a window
    window_end: Day | None  # last day of the window, None without a window
    working_day: bool  # of `date` (a moved visit's is a working day)
    non_working_reason: Localized | None  # why `date` is not one (English: a str)
    holidays_provisional: bool
    proposed: Day | None
    note: Message | None  # why the visit is where it is, said in the reader's language
    status: Status = "planned"
    actual: Day | None = None
    # The protocol date's (`target`'s) own status: why a moved visit was moved.
    target_working: bool = True
    target_reason: Localized | None = None
    kind: Kind = "infusion"  # only an infusion is a dosing event
    # Under a protocol amendment (`Plan.amendment`): the visit keeps the replaced version's
    # content (it was before the participant's switch, or recorded, or the new version removed
    # it); False for every visit of a plan on one version.
    old_version: bool = False
    # Why the planned date is not firm (`doubts`, in `REASONS` order); empty when it is, and
    # always for a visit done, missed or dropped. Set by the engine (`doubts`), never by a format.
    doubts: tuple[Doubt, ...] = ()

    @property
    def certainty(self) -> tuple[Certainty, ...]:
        """`("recorded",)` for a visit done or missed, `("planned",)` for a firm planned date,
        else the reasons it is not firm (several may hold)."""
        if self.status in ("done", "missed"):
            return ("recorded",)
        return tuple(doubt.reason for doubt in self.doubts) or ("planned",)

    @property
    def deviation_days(self) -> int | None:
        """Actual date minus target date, in days; None until the visit is done."""
        return None if self.actual is None else (self.actual - self.target).days

    @property
    def in_window(self) -> bool | None:
        """Whether the actual date fell inside the window; None without both."""
        if self.actual is None or self.window_start is None or self.window_end is None:
            return None
        return self.window_start <= self.actual <= self.window_end

    @property
    def moved(self) -> bool:
        """True when a planned visit's date is not its protocol date (adjusted, or moved for a
        chair); never for one done or missed, whose `date` is what happened."""
        return self.status == "planned" and self.date != self.target


def doubts(
    status: Status,
    day: Day,
    assumed: Doubt | None,
    provisional: bool,
    completion: tuple[Day, str] | None,
) -> tuple[Doubt, ...]:
    """Why a visit's planned `day` is not firm: its period's start was `assumed` (that doubt,
    else None), its working-day check rests on `provisional` holiday data, it falls after the
    study `completion` (date, registry). None for a visit done, missed or dropped: history, or
    not to happen.

    >>> doubts("planned", date(2027, 8, 16), None, True, (date(2027, 3, 31), "NCT05314010"))
    (Doubt(reason='provisional-holidays', detail=()), Doubt(reason='after-completion', \
detail=('2027-03-31', 'NCT05314010')))
    >>> doubts("done", date(2027, 8, 16), None, True, None)
    ()
    """
    if status != "planned":
        return ()
    found: tuple[Doubt, ...] = () if assumed is None else (assumed,)
    if provisional:
        found += (_PROVISIONAL,)
    if completion is not None and day > completion[0]:
        found += (_after_completion(*completion),)
    return found


_PROVISIONAL = Doubt("provisional-holidays")


@functools.cache  # one study completion date a protocol, asked of many visits
def _after_completion(completion: Day, registry: str) -> Doubt:
    return Doubt("after-completion", (completion.isoformat(), registry))


def assumed_start(period: Period) -> Doubt | None:
    """The doubt on every date of a period whose start was assumed, else None."""
    if not period.assumed or period.assumed_at is None:
        return None
    previous, code = period.assumed_at
    return Doubt("assumed-start", (period.name, f"{previous} {code}"))


class Period(NamedTuple):
    """One period of a plan and its W1D1."""

    name: str
    schedule: Schedule
    start: date
    assumed: bool  # the start was not given but assumed from the protocol
    # When assumed: the previous period and its visit at which the protocol starts this one.
    assumed_at: tuple[str, VisitCode] | None = None


class Amendment(NamedTuple):
    """A participant's move to a protocol's new version (`Plan.protocol`): the protocol it
    replaces, and the first day the new version applies to them (the site's effective date, or
    the day they re-consented)."""

    replaced: Protocol
    switch: date
    reconsented: bool = False  # `switch` is the participant's own amended_on


class Plan(NamedTuple):
    """A participant's infusion visits on one arm, from W1D1 = `start`."""

    protocol: Protocol
    arm: Arm
    start: date
    participant: str | None
    escalate_at: VisitCode | None
    periods: tuple[Period, ...]
    visits: tuple[Visit, ...]
    policy: Policy = Policy()
    # Under an amendment: the visits before the switch follow `amendment.replaced` (each
    # visit's `old_version`), the rest `protocol`; None for a plan on one version.
    amendment: Amendment | None = None

    def version_of(self, visit: Visit) -> str | None:
        """The protocol version the visit follows (None when that file states none)."""
        if self.amendment is not None and visit.old_version:
            return self.amendment.replaced.version
        return self.protocol.version

    @property
    def blinded(self) -> bool:
        """True when the plan is safe for blinded staff (it hides an assignment)."""
        return self.arm.masking == "blinded"

    @property
    def unblinded(self) -> bool:
        """True when the plan reveals a blinded assignment: for the unblinded pharmacist only."""
        return self.arm.masking == "unblinded"

    @property
    def given(self) -> tuple[Visit, ...]:
        """The visits that are or were to be given: all but those dropped."""
        return tuple(visit for visit in self.visits if visit.status != "dropped")

    @property
    def holidays_provisional(self) -> bool:
        """True when any visit's working-day check rests on unpublished holiday data."""
        return any(visit.holidays_provisional for visit in self.visits)
