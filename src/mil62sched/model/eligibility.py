"""The protocol's time-bound eligibility criteria, a screened person's history, and what the
screening makes of them: value types only.

Read from a protocol file's `[eligibility]` table by `mil62sched.protocol.criteria`; worked out
by `mil62sched.eligibility` (pure), shown by `mil62sched.formats.screening`. Nothing here reads
a file or the clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from mil62sched.errors import UsageError
from mil62sched.model.design import Category
from mil62sched.model.plan import DayStatus
from mil62sched.model.spelling import closest

_EMPTY: Mapping[Any, Any] = MappingProxyType({})

# How long a period is. Months and years are calendar months and years (31 August + 3 months is
# 30 November); weeks are 7 days; half-lives are the drug's half-life, given by the user.
Unit = Literal["days", "weeks", "months", "years", "half-lives"]
UNITS: tuple[Unit, ...] = ("days", "weeks", "months", "years", "half-lives")
# What the criterion's words say of the period's last day (see `Rule.wording`).
Wording = Literal["within", "at-least", "exceeds"]
WORDINGS: tuple[Wording, ...] = ("within", "at-least", "exceeds")
# Where a period is measured from: the last dose of a drug (for a drug taken continuously, the
# day its use ended), or an attack of the disease.
Start = Literal["last-dose", "attack"]
STARTS: tuple[Start, ...] = ("last-dose", "attack")
# What it is measured to: the first administration (W1D1), or screening.
Until = Literal["first-administration", "screening"]
UNTILS: tuple[Until, ...] = ("first-administration", "screening")
# wait: the first administration waits until the period has passed. check: an item inside the
# period leaves a condition (a lab result) for the investigator. dose: a dose above a limit
# starts a wait. attacks: how many attacks fall inside periods before screening, to check.
RuleKind = Literal["wait", "check", "dose", "attacks"]
RULE_KINDS: tuple[RuleKind, ...] = ("wait", "check", "dose", "attacks")


class Period(NamedTuple):
    """A length of time as a criterion states it: `amount` `unit`s.

    >>> str(Period(3, "months")), str(Period(1, "months")), str(Period(5, "half-lives"))
    ('3 months', '1 month', '5 half-lives')
    """

    amount: int
    unit: Unit

    def __str__(self) -> str:
        if self.amount != 1:
            return f"{self.amount} {self.unit}"
        return f"1 {'half-life' if self.unit == 'half-lives' else self.unit[:-1]}"


class AttackCount(NamedTuple):
    """At least `at_least` attacks within `period` before screening."""

    at_least: int
    period: Period


class Rule(NamedTuple):
    """One time-bound criterion, or one phase's part of it, citing the registry's words."""

    category: Category
    number: int
    kind: RuleKind
    cites: str  # the criterion's sentence(s), word for word
    phases: tuple[str, ...] = ()  # the phases it applies in; empty: every phase
    applies_to: tuple[str, ...] = ()  # the classes whose members' last doses it times
    start: Start = "last-dose"
    until: Until = "first-administration"
    period: Period | None = None  # None only for an attacks rule (its periods are in any_of)
    # within: an item on the period's last day still counts (the day after is the first clear
    # one); at-least: the period must have passed (its last day is clear); exceeds: strictly
    # longer than the period.
    wording: Wording = "within"
    check: str | None = None  # the criterion's words for what the investigator must check
    exempt_days: int | None = None  # continuous use of at most this many days is exempt
    exempt: str | None = None  # the criterion's words for the exemption
    limit_mg: float | None = None  # a dose rule: the daily dose above which the period counts
    any_of: tuple[AttackCount, ...] = ()  # an attacks rule: one of these must hold

    def applies_in(self, phase: str) -> bool:
        """Whether the rule is one of `phase`'s."""
        return not self.phases or phase in self.phases


class Phase(NamedTuple):
    """A phase of the trial that screens on its own criteria, and the arms a person screened for
    it may be planned on (empty: any)."""

    name: str
    title: str
    arms: tuple[str, ...] = ()


class Eligibility(NamedTuple):
    """The time-bound criteria of a protocol: its phases, classes of drugs (and of vaccines and
    procedures) by name with their members, and the rules."""

    phases: tuple[Phase, ...]
    classes: Mapping[str, tuple[str, ...]]
    rules: tuple[Rule, ...]

    def phase(self, name: str) -> Phase:
        """The phase called `name` (ignoring case), refused with the accepted names."""
        key = name.strip().lower()
        for phase in self.phases:
            if phase.name.lower() == key:
                return phase
        accepted = ", ".join(phase.name for phase in self.phases)
        raise UsageError("unknown phase", value=name, accepted=f"accepted: {accepted}")

    def classes_of(self, name: str) -> tuple[str, ...]:
        """The classes `name` is a member of, in the file's order."""
        return tuple(key for key, members in self.classes.items() if name in members)

    def members(self) -> tuple[str, ...]:
        """Every name the classes list, each once, in the file's order."""
        return tuple(dict.fromkeys(name for members in self.classes.values() for name in members))

    def closest(self, name: str) -> list[str]:
        """The known names closest to `name` (at most three), for a refusal."""
        return list(closest(name, self.members(), n=3))


class Dose(NamedTuple):
    """A history item: the last dose of a drug, vaccine or procedure (for a drug taken
    continuously, the day its use ended)."""

    name: str  # canonical: lower case, words joined by '-'
    last: date


class History(NamedTuple):
    """What a screened person's history holds for the time-bound criteria."""

    doses: tuple[Dose, ...] = ()
    attacks: tuple[date, ...] = ()
    steroid_mg: float | None = None  # daily glucocorticoid dose, prednisone or equivalent
    continuous_days: Mapping[str, int] = _EMPTY  # by name: how many days it was taken in a row
    half_lives: Mapping[str, timedelta] = _EMPTY  # by name, as the user gave them
    classes: Mapping[str, tuple[str, ...]] = _EMPTY  # by name: classes the user put it in


# What a rule made of one history item (or of none):
# binds: its clear date is the earliest first administration; clears: a clear date before that;
# exempt: continuous use short enough that the rule does not apply; outside: the item is outside
# the period before screening; none: nothing in the history for it; to-check: a condition the
# tool does not decide (listed in `Screening.to_check` with its words); met: a dose within the
# limit.
Status = Literal["binds", "clears", "exempt", "outside", "none", "to-check", "met"]


class Finding(NamedTuple):
    """A rule (None: the screening itself) and one history item it counts, with the period's
    last day and the first day the item no longer holds the first administration back."""

    rule: Rule | None
    status: Status
    item: str | None = None  # a dose's name, "attack", or None
    since: date | None = None  # the day the period is measured from
    end: date | None = None  # the period's last day
    clears: date | None = None  # the first permissible first administration, for this item
    length: timedelta | None = None  # a period of half-lives: how long it is
    half_life: timedelta | None = None
    mg: float | None = None  # a dose rule: the daily dose given
    days: int | None = None  # continuous use, when given
    after_screening: bool = False  # the item is dated after the screening date


# Why something is left to check, for the words of each front end:
# condition: the rule's `check` (a lab result, "stable or improved" symptoms) decides;
# attacks: the counts of attacks in the rule's periods; continuous-use: a short continuous use
# would exempt the item, and its length was not given; dose: the daily dose must stay within the
# limit through the rule's period; after-screening: an item dated after the screening date.
Reason = Literal["condition", "attacks", "continuous-use", "dose", "after-screening"]


class Counted(NamedTuple):
    """How many attacks fall in one of an attacks rule's periods before screening."""

    rule: AttackCount
    found: int  # how many attacks given fall in it
    since: date  # the first day of the period (an attack on it counts)


class ToCheck(NamedTuple):
    """A condition the tool does not decide: the investigator does."""

    rule: Rule | None
    reason: Reason
    item: str | None = None
    on: date | None = None
    counted: tuple[Counted, ...] = ()
    mg: float | None = None


class Screening(NamedTuple):
    """The earliest permissible first administration of a screened person, the rules that bind
    it, every rule with the day it clears, what is left to check, and the site's first working
    day on or after that date."""

    phase: Phase
    screening: date
    earliest: date
    binding: tuple[Finding, ...]  # the findings whose clear date is `earliest`
    findings: tuple[Finding, ...]  # the screening itself first, then each rule's, file order
    to_check: tuple[ToCheck, ...]
    first_working_day: date | None  # None: no working day within SEARCH_DAYS (or check off)
    earliest_status: DayStatus | None = None  # None: the working-day check is off
    provisional: bool = False  # the first working day rests on unpublished holiday data
    participant: str | None = None
