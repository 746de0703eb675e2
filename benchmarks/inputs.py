"""The benchmark's inputs, generated (seeded) as a site would have them.

    realistic roster   starts 2022-2026 on any weekday (Monday to Friday, holidays included),
                       arms weighted as at a blinded Phase 3 site that also ran a few Phase 1b
                       participants, a per-row window on most rows, an `olp_start` on some
                       phase3 rows (entered the OLP late, or early after a relapse), an
                       `escalate_at` on some phase1b-500 rows
    actuals            the visits of that roster done before a given day, as a site records
                       them: most on their planned day, some a day or two later inside the
                       window, a few missed (status missed) and a few not recorded (overdue)
    bad actuals        the same file with some rows spoiled: a visit the participant's arm does
                       not have (refused by planning), a date that is no date, an unknown status
    bad roster         the realistic roster with every arm misspelt (an unknown arm on every row)

The visit arithmetic here is the protocol's (study day of WnDm = 7(n-1)+m, date = start + day -
1), kept to what the actuals need: which visits fall before the day the actuals are taken.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

# Share of each arm at a blinded Phase 3 site that also ran a few Phase 1b participants.
REALISTIC_ARMS = {
    "phase3": 60,
    "phase3-rcp": 25,
    "phase3-olp": 7,
    "phase1b-500": 4,
    "phase1b-1000": 4,
}
# Per-row windows, as a site types them: most rows take a window, a few none.
WINDOWS = {"": 20, "3": 50, "2,4": 20, "7": 10}
ROSTER_HEADER = ["participant", "arm", "start", "escalate_at", "olp_start", "window"]

# The arms' visits (the built-in protocol's; `inputs` plans only what the actuals need).
PHASE1B = (
    "W1D1",
    "W3D1",
    "W25D1",
    "W27D1",
    "W53D1",
    "W79D1",
    "W105D1",
    "W131D1",
    "W157D1",
    "W183D1",
    "W209D1",
)
RCP = ("W1D1", "W3D1", "W25D1", "W27D1")
OLP = ("W1D1", "W3D1", "W27D1", "W53D1", "W79D1", "W105D1", "W131D1")
OLP_AT = 365  # the phase3 journey's OLP starts at RCP W53D1 (study day 365) unless given
# Misspelt arms, none of them an arm or an alias of one (checked by the benchmark's check run).
TYPOS = (
    "phase3-rcx",
    "phase-3",
    "phase3_rcp",
    "phase 3",
    "phase3-olb",
    "phase1b-50",
    "phase1b-100",
    "phase1-500",
    "phase3-rcp-mil",
    "phase3-ol",
    "phase31",
    "phaze3",
)


def study_day(code: str) -> int:
    """The study day of a visit code WnDm: 7(n-1)+m.

    >>> study_day("W3D1"), study_day("W53D1")
    (15, 365)
    """
    week, day = code[1:].split("D")
    return 7 * (int(week) - 1) + int(day)


def weekdays(first: date, last: date) -> list[date]:
    """Every Monday to Friday from `first` to `last`."""
    days = (first + timedelta(n) for n in range((last - first).days + 1))
    return [day for day in days if day.weekday() < 5]


def realistic_rows(participants: int, seed: int = 62) -> Iterator[list[str]]:
    """The realistic roster's rows, header first."""
    chance = random.Random(seed)
    starts = weekdays(date(2022, 1, 1), date(2026, 12, 31))
    arms, arm_weights = list(REALISTIC_ARMS), list(REALISTIC_ARMS.values())
    windows, window_weights = list(WINDOWS), list(WINDOWS.values())
    yield ROSTER_HEADER
    for number in range(1, participants + 1):
        arm = chance.choices(arms, arm_weights)[0]
        start = chance.choice(starts)
        escalate = olp = ""
        if arm == "phase1b-500":
            escalate = chance.choice(["", "", "W25D1", "W53D1"])
        if arm == "phase3":
            draw = chance.random()
            if draw < 0.05:  # a relapse in the RCP: into the OLP early
                olp = (start + timedelta(days=chance.randrange(30, 330))).isoformat()
            elif draw < 0.35:  # entered the OLP on another day than RCP W53D1
                olp = (start + timedelta(days=OLP_AT - 1 + chance.randrange(-7, 22))).isoformat()
        window = chance.choices(windows, window_weights)[0]
        yield [f"CT303-{number:06d}", arm, start.isoformat(), escalate, olp, window]


def write_csv(path: Path, rows: Iterator[list[str]]) -> int:
    """Write `rows` (header first) as CSV with Unix line endings; the data rows written."""
    count = -1
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def write_realistic(path: Path, participants: int) -> int:
    """The realistic roster of `participants` rows."""
    return write_csv(path, realistic_rows(participants))


def write_bad_roster(path: Path, participants: int) -> int:
    """The realistic roster with a misspelt arm on every row."""
    chance = random.Random(63)

    def rows() -> Iterator[list[str]]:
        source = realistic_rows(participants)
        yield next(source)
        for row in source:
            yield [row[0], chance.choice(TYPOS), *row[2:]]

    return write_csv(path, rows())


def visits(arm: str, start: date, olp_start: date | None) -> Iterator[tuple[str, date, date]]:
    """(code as an actuals file names it, planned date, the day it must happen before) of each
    visit a participant is given: a journey's codes carry their period (`RCP:W3D1`); RCP visits
    on or after the OLP's start are not given, and the others must happen before it."""
    schedule = {"phase3-rcp": RCP, "phase3-olp": OLP}.get(arm, PHASE1B)
    if arm != "phase3":
        yield from ((code, start + timedelta(study_day(code) - 1), date.max) for code in schedule)
        return
    olp = olp_start or start + timedelta(OLP_AT - 1)
    for code in RCP:
        when = start + timedelta(study_day(code) - 1)
        if when < olp:
            yield f"RCP:{code}", when, olp
    yield from ((f"OLP:{code}", olp + timedelta(study_day(code) - 1), date.max) for code in OLP)


def actuals_rows(roster: Path, taken: date, seed: int = 64) -> Iterator[list[str]]:
    """The actuals rows of every visit of `roster` planned before `taken`, header first: done on
    the day (about 80 %) or one or two days later if still before `taken`, missed (1 %), or not
    recorded at all (1 %, overdue in an agenda). A period's W1D1 is always done on its day."""
    chance = random.Random(seed)
    yield ["participant", "code", "date", "status"]
    with roster.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        for participant, arm, start, _, olp, window in reader:
            period_start = date.fromisoformat(olp) if olp else None
            for code, when, before in visits(arm, date.fromisoformat(start), period_start):
                if when >= taken:
                    break
                if code.endswith(":W1D1") or code == "W1D1":
                    yield [participant, code, when.isoformat(), "done"]
                    continue
                draw = chance.random()
                if draw < 0.01:
                    yield [participant, code, "", "missed"]
                elif draw < 0.02:
                    continue  # not recorded: overdue
                else:
                    late = chance.choice((0, 0, 0, 0, 0, 0, 0, 0, 1, 2)) if window else 0
                    day = when + timedelta(late)
                    day = day if day < min(taken, before) else when
                    yield [participant, code, day.isoformat(), "done"]


def write_actuals(path: Path, roster: Path, taken: date) -> int:
    """The actuals of `roster` taken on `taken`; the data rows written."""
    return write_csv(path, actuals_rows(roster, taken))


def write_bad_actuals(path: Path, good: Path, bad_rows: int) -> int:
    """`good` with `bad_rows` rows spoiled, spread evenly through the file: two in three name a
    visit no arm has (W5D1, refused when the participant is planned), the others a date that is
    no date or an unknown status (refused when the file is read). The rows spoiled."""
    with good.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.reader(stream))
    step = max(1, (len(rows) - 1) // max(1, bad_rows))
    spoiled = 0
    for index in range(1 + step // 2, len(rows), step):
        if spoiled == bad_rows:
            break
        row = rows[index]
        kind = spoiled % 3
        if kind in (0, 1):
            row[1] = row[1].rsplit(":", 1)[0] + ":W5D1" if ":" in row[1] else "W5D1"
        elif row[3] == "done":
            row[2] = row[2][:8] + "32"  # day 32 of a month
        else:
            row[3] = "postponed"
        spoiled += 1
    write_csv(path, iter(rows))
    return spoiled


def main(argv: list[str]) -> None:
    """Write one input, in a process of its own (see run.py's Context.write):

    python inputs.py roster PATH PARTICIPANTS
    python inputs.py bad-roster PATH PARTICIPANTS
    python inputs.py actuals PATH ROSTER DAY
    python inputs.py bad-actuals PATH GOOD_ACTUALS BAD_ROWS
    """
    kind, path, *more = argv
    if kind == "roster":
        write_realistic(Path(path), int(more[0]))
    elif kind == "bad-roster":
        write_bad_roster(Path(path), int(more[0]))
    elif kind == "actuals":
        write_actuals(Path(path), Path(more[0]), date.fromisoformat(more[1]))
    elif kind == "bad-actuals":
        write_bad_actuals(Path(path), Path(more[0]), int(more[1]))
    else:
        raise SystemExit(f"unknown input {kind!r}")


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
