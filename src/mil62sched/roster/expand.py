"""A whole roster through the engine, one participant at a time.

`expand` reads the roster row by row and yields each participant's `Plan`, or a `RowError` for
a row (or an actuals line) that cannot be planned, with one `engine.Planner` for them all; memory
does not grow with the roster beyond the participant IDs (needed to refuse duplicates and to
check the actuals file) and the planner's answer for each date and window the visits fall on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TypeVar

from mil62sched import engine
from mil62sched.amendment import AmendedPlanner
from mil62sched.errors import RecordError, RecordErrors, UsageError
from mil62sched.inputs import Reading
from mil62sched.messages import N_, msg
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Plan, Policy, Records, VisitKey
from mil62sched.model.protocol import Protocol
from mil62sched.roster.files import (
    ActualLines,
    Enrolment,
    RowError,
    read_actuals,
    read_roster,
)
from mil62sched.roster.participants import Participants


@dataclass
class Tally:
    """What a run has seen so far: participants planned and rows refused.

    Every refused row is counted; the first KEPT_ERRORS of each file are kept to be reported
    (a file of a million bad rows must not hold a million messages).
    """

    planned: int = 0
    refused: int = 0
    errors: list[RowError] = field(default_factory=list)
    _kept: dict[str, int] = field(default_factory=dict)

    def refuse(self, error: RowError) -> None:
        """Count a bad row, and keep it unless its file has given KEPT_ERRORS already."""
        self.refused += 1
        kept = self._kept.get(error.file, 0)
        if kept < KEPT_ERRORS:
            self._kept[error.file] = kept + 1
            self.errors.append(error)


# More than anyone reads; the report shows fewer (commands.roster_run.SHOWN_BAD_ROWS) and the count.
KEPT_ERRORS = 1000


def expand(
    protocol: Protocol,
    roster: Path,
    policy: Policy,
    actuals: Path | None = None,
    tally: Tally | None = None,
    *,
    reading: Reading,
    amendment: AmendedPlanner | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Iterator[Plan]:
    """Each valid participant's plan, in roster order; bad rows go to `tally.errors`. The files
    are read as `reading` says (the run's --encoding and --sheet). `until` a day, each plan goes
    only as far as it; `since` a day, the plan of a participant with nothing recorded starts
    there (`engine.Planner.plan`; neither with an amendment). With an `amendment`, the
    roster is of the replaced version (`protocol`) and each plan is the participant's under the
    new one (`AmendedPlanner.plan`, from the roster's `amended_on` or the effective date).

    Errors in the actuals file are reported first; actuals for participants that are not on
    the roster are reported when the roster has been read.
    """
    if amendment is None:
        planner = engine.Planner(protocol, policy)
        return _each(
            protocol, roster, actuals, tally, reading,
            lambda row, rec: _plan(planner, row, rec, since, until),
        )  # fmt: skip
    return (pair[1] for pair in expand_amended(amendment, roster, actuals, tally, reading=reading))


def expand_amended(
    amendment: AmendedPlanner,
    roster: Path,
    actuals: Path | None = None,
    tally: Tally | None = None,
    *,
    reading: Reading,
) -> Iterator[tuple[Plan, Plan]]:
    """Each valid participant's plan on the replaced version and under the new one (the roster
    and actuals are the replaced version's), in roster order; bad rows go to `tally.errors`."""

    def both(row: Enrolment, records: Records | None) -> tuple[Plan, Plan]:
        return amendment.plans(
            row.arm,
            row.start,
            participant=row.participant,
            escalate_at=row.escalate_at,
            period_starts=dict(row.period_starts),
            window=row.window,
            records=records,
            amended_on=row.amended_on,
        )

    return _each(amendment.replaced, roster, actuals, tally, reading, both)


_T = TypeVar("_T")


def _each(
    protocol: Protocol,
    roster: Path,
    actuals: Path | None,
    tally: Tally | None,
    reading: Reading,
    make: Callable[[Enrolment, Records | None], _T],
) -> Iterator[_T]:
    """What `make` makes of each valid roster row and its records, in roster order."""
    tally = tally if tally is not None else Tally()
    records: dict[str, Records] = {}
    lines: ActualLines = {}
    if actuals is not None:
        records, lines, errors = read_actuals(actuals, reading)
        for bad in errors:
            tally.refuse(bad)
    recorded_on_roster: set[str] = set()  # the actuals' participants the roster names
    spelled = {who.casefold(): who for who in records}  # IDs match ignoring case, as on the roster
    seen = Participants()
    for row in read_roster(roster, protocol, reading, seen):
        recorded = spelled.get(row.participant.casefold()) if row.participant else None
        if recorded is not None:
            recorded_on_roster.add(recorded)
        if isinstance(row, RowError):
            tally.refuse(row)
            continue
        try:
            made = make(row, None if recorded is None else records[recorded])
        except (RecordError, RecordErrors) as exc:
            assert actuals is not None  # a record was refused: there are records
            place = _Lines(lines.get(recorded or "", {}))  # once a participant: planned once
            for error in exc.errors if isinstance(exc, RecordErrors) else [exc]:
                tally.refuse(RowError(actuals.name, place(error), error.as_row(row.participant)))
            continue
        except UsageError as exc:
            # Unnamed, a field is worded as its roster column (`escalate_at`).
            said = msg(N_("{participant}: {problem}"), participant=row.participant,
                       problem=exc.message())  # fmt: skip
            tally.refuse(RowError(roster.name, row.line, said))
            continue
        tally.planned += 1
        yield made
    if actuals is not None:
        for participant, theirs in lines.items():
            if participant not in recorded_on_roster:
                unknown = msg(
                    N_("participant {participant!r} is not on the roster {file}"),
                    participant=participant,
                    file=roster.name,
                )
                for line in theirs.values():
                    tally.refuse(RowError(actuals.name, line, unknown))
    tally.errors.sort(key=lambda error: (error.file, error.line))


def _plan(
    planner: engine.Planner,
    row: Enrolment,
    records: Records | None,
    since: date | None,
    until: date | None,
) -> Plan:
    return planner.plan(
        row.arm,
        row.start,
        participant=row.participant,
        escalate_at=row.escalate_at,
        period_starts=dict(row.period_starts),
        window=row.window,
        records=records,
        since=since,
        until=until,
    )


class _Lines:
    """Where a participant's refused records are in the actuals file: the line each was read
    from, found by the visit an engine error names, its period matched ignoring case as the
    engine matches it (a record typed without one matches any); the participant's first line
    for an error about no one record. Indexed once for all the participant's errors, so that
    refusing many records costs what reading them cost (issue 21 #5)."""

    def __init__(self, lines: dict[VisitKey, int]) -> None:
        self.first = next(iter(lines.values()), 1)
        self.by_visit: dict[tuple[str | None, VisitCode], int] = {}
        for key, line in lines.items():
            period = None if key.period is None else key.period.casefold()
            self.by_visit.setdefault((period, key.code), line)

    def __call__(self, error: RecordError) -> int:
        code = VisitCode.parse(error.code)
        period = None if error.period is None else error.period.casefold()
        found = self.by_visit.get((period, code)) or self.by_visit.get((None, code))
        return found or self.first


def arm_maskings(protocol: Protocol, roster: Path, reading: Reading) -> dict[str, list[str]]:
    """The roster's arms by masking (`blinded`, `unblinded`, `open-label`), in first-seen order,
    read ahead of a streamed output whose heading or warnings must say so; rows that do not
    parse are left to `expand` to report."""
    import csv

    from mil62sched.roster.files import ROSTER_REQUIRED, open_table
    from mil62sched.sheets import CellError

    found: dict[str, list[str]] = {}
    try:
        with open_table(roster, ROSTER_REQUIRED, reading) as reader:
            header = [cell.strip().lower() for cell in next(reader, [])]
            if "arm" not in header:
                return found
            column = header.index("arm")
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except CellError:
                    continue  # reported when the roster is read for planning
                if len(cells) <= column:
                    continue
                try:
                    arm = protocol.arm(cells[column])
                except UsageError:
                    continue
                names = found.setdefault(arm.masking, [])
                if arm.name not in names:
                    names.append(arm.name)
    except (UnicodeDecodeError, csv.Error):
        return {}  # the file is refused, with its reason, when it is read for planning
    return found
