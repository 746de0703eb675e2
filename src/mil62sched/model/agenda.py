"""The site's agenda as values: what is due (`Due`), the days it covers (`Agenda`), and the
flags a coordinator acts on. Made by `roster.agenda`; shown by the formats."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from mil62sched.model.plan import Visit

# Flags, in English in the CSV/JSON contract; the table shows them in its language.
OVERDUE = "overdue"
DUE_TODAY = "due today"
NON_WORKING = "non-working day"
OVER_CAPACITY = "over capacity"
WINDOW_OPEN = "window still open"  # planned before the agenda's first day, not yet done
# A participant with no recorded visit (a CSV row of their own): not a visit's flag.
UNTRACKED = "untracked"


@dataclass(frozen=True)
class Due:
    """One visit on the agenda, with the flags a coordinator acts on."""

    participant: str
    arm: str
    masking: str
    code: str  # the visit code, with its period when the arm has several
    visit: Visit
    flags: tuple[str, ...]
    site: object = None  # the plan's working days, for naming a holiday in another language

    @property
    def closes(self) -> date:
        """The last day the visit may happen: its window's end, or its date without a window."""
        return self.visit.window_end or self.visit.date


class Untracked(NamedTuple):
    """A participant with no recorded visit, done or missed: an untracked plan cannot be told
    from a late one, so their visits before the agenda's first day are not flagged."""

    participant: str
    arm: str
    masking: str


@dataclass(frozen=True)
class Agenda:
    """Overdue visits and visits due from `start` for `days` days, and the participants whose
    past visits are not flagged (`untracked`, in roster order)."""

    start: date
    days: int
    chairs: int | None
    items: tuple[Due, ...]
    over_capacity: dict[date, int]
    unblinded: bool
    # Infusions (done ones included) on each day covered that has any: the chairs taken.
    chairs_used: dict[date, int] = dataclasses.field(default_factory=dict)
    untracked: tuple[Untracked, ...] = ()

    @property
    def end(self) -> date:
        """The last day covered."""
        return self.start + timedelta(days=self.days - 1)
