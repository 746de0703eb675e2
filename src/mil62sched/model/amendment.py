"""What a protocol amendment changes for each participant, as values: one `Change` per visit
added, removed, moved, re-windowed or given another treatment, and the `ChangeList` of a roster.
Made by `mil62sched.amendment`; shown by `formats.changes`."""

from __future__ import annotations

from datetime import date
from typing import Literal, NamedTuple

from mil62sched.model.codes import VisitCode
from mil62sched.model.protocol import Masking

# What happened to a visit. `treatment-label`: the label a blinded person sees changed (what
# each arm is given is not theirs to know: `treatment` is said only of open-label infusions).
ChangeKind = Literal["added", "removed", "moved", "re-windowed", "treatment", "treatment-label"]
CHANGE_KINDS: tuple[ChangeKind, ...] = (
    "added", "removed", "moved", "re-windowed", "treatment", "treatment-label",
)  # fmt: skip


class Change(NamedTuple):
    """One change to one visit of one participant, with what it was and what it is now."""

    participant: str
    arm: str  # as planned: a blinded person's participants are on blinded arms
    masking: Masking
    period: str
    code: VisitCode
    kind: ChangeKind
    switch: date  # the first day the new version applies to the participant
    reconsented: bool  # `switch` is the participant's amended_on (else the effective date)
    old_date: date | None = None  # None for an added visit
    new_date: date | None = None  # None for a removed visit
    old_window: tuple[date, date] | None = None
    new_window: tuple[date, date] | None = None
    old_treatment: str | None = None  # the label, as the plan shows it
    new_treatment: str | None = None
    journey: bool = False  # the arm has several periods: the code is named with its period

    @property
    def days(self) -> int | None:
        """How far a moved visit moved (new date - old date), in days."""
        if self.old_date is None or self.new_date is None:
            return None
        return (self.new_date - self.old_date).days

    @property
    def visit(self) -> str:
        """The visit as people name it: `W25D1`, or `OLP W157D1` in a journey."""
        return f"{self.period} {self.code}" if self.journey else str(self.code)


class ChangeList(NamedTuple):
    """What an amendment changes across a roster: every change, and the participants it does
    not change."""

    protocol: str  # the trial's id
    old_version: str | None  # None: the replaced file states no version
    new_version: str
    effective: date | None  # the site's effective date (--effective), if given
    changes: tuple[Change, ...]
    unchanged: tuple[str, ...]  # participants with no change, in roster order
    participants: int  # how many were compared
    # Any participant compared is on an unblinded arm: the output is for the pharmacist only.
    unblinded: bool = False
