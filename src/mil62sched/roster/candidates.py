"""A file of screened candidates for `mil62sched screen FILE`: CSV or an .xlsx sheet, one row
per person and history item, read as the roster is (`roster.files`: the run's encoding, Excel's
line endings, year-first dates such as 2025/8/18, every bad row reported at once).

Columns: `participant,phase,screening` on every row, then `item` and what it needs of
`name,date,value`, one item a row, as the command line gives them:

| item | name | date | value | on the command line |
|---|---|---|---|---|
| last | the drug, vaccine or procedure | its last dose | | `--last NAME=DATE` |
| attack | | the attack | | `--attack DATE` |
| steroid-dose | | | mg a day | `--steroid-dose MG` |
| continuous-days | the drug | | days in a row | `--continuous-days NAME=DAYS` |
| half-life | the drug | | 5h, 3d | `--half-life NAME=DURATION` |
| class | the drug | | its class | `--class NAME=CLASS` |

A row with an empty `item` is a person with nothing in their history. Also the parsers of those
values, which the command line shares.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from pathlib import Path
from typing import NamedTuple

from mil62sched.errors import Mil62schedError, UsageError
from mil62sched.inputs import Reading
from mil62sched.messages import N_, Keyword, Message, Text, keywords, msg
from mil62sched.model.eligibility import Dose, History
from mil62sched.parse import (
    check_participant,
    column_date,
    control_character,
    excerpt,
    parse_duration,
)
from mil62sched.parse import parse_file_date as file_date
from mil62sched.roster.files import RowError, missing_column, open_table, table_rows

CANDIDATE_REQUIRED = ("participant", "phase", "screening")
CANDIDATE_COLUMNS = (*CANDIDATE_REQUIRED, "item", "name", "date", "value")
ITEMS = ("last", "attack", "steroid-dose", "continuous-days", "half-life", "class")
# A daily glucocorticoid dose above this is not a dose anyone takes (a typing slip: 2000 for 20).
MOST_MG = 5000
MOST_DAYS = 36500  # continuous use: a hundred years
LONGEST_HALF_LIFE = timedelta(days=999)  # what parse_duration reads in days


class Candidate(NamedTuple):
    """One person of the file: their phase, screening date and history, and the first line."""

    line: int
    participant: str
    phase: str
    screening: date
    history: History


def canonical(text: str) -> str:
    """A name as the protocol file writes its members: lower case, words joined by '-'.

    >>> canonical(" Mycophenolate mofetil "), canonical("IVIG"), canonical("live_vaccine")
    ('mycophenolate-mofetil', 'ivig', 'live-vaccine')
    """
    return "-".join(text.strip().lower().replace("_", " ").split())


def parse_name(text: str, what: Text) -> str:
    """A drug, vaccine or procedure as typed, in canonical form; empty or odd text refused."""
    name = canonical(text)
    if not name or len(name) > 64 or control_character(name) is not None or "=" in name:
        raise UsageError(
            msg(
                N_(
                    "invalid {what} {value!r}: use a name such as tocilizumab, ivig or "
                    "live-vaccine (at most 64 characters)"
                ),
                what=what,
                value=excerpt(text),
            )
        )
    return name


def parse_mg(text: str, what: Text = "--steroid-dose") -> float:
    """A daily dose in mg, prednisone or its equivalent: a number from 0 to MOST_MG.

    >>> parse_mg("15"), parse_mg("7.5")
    (15.0, 7.5)
    """
    value = text.strip()
    if re.fullmatch(r"[0-9]{1,5}(\.[0-9]{1,3})?", value) and float(value) <= MOST_MG:
        return float(value)
    raise UsageError(
        msg(
            N_(
                "invalid {what} {value!r}: use the daily dose in mg of prednisone or its "
                "equivalent, a number from 0 to {most}, e.g. 15 or 7.5"
            ),
            what=what,
            value=excerpt(text),
            most=MOST_MG,
        )
    )


def parse_days(text: str, what: Text = "--continuous-days") -> int:
    """How many days in a row a drug was taken: a whole number from 1 to MOST_DAYS."""
    value = text.strip()
    if re.fullmatch(r"[0-9]{1,5}", value) and 1 <= int(value) <= MOST_DAYS:
        return int(value)
    raise UsageError(
        msg(
            N_("invalid {what} {value!r}: use a whole number of days from 1 to {most}"),
            what=what,
            value=excerpt(text),
            most=MOST_DAYS,
        )
    )


def parse_half_life(text: str, what: Text = "--half-life") -> timedelta:
    """A half-life: 5h, 3d, 1d12h, 90m (as `--duration` is written)."""
    return parse_duration(text, what, LONGEST_HALF_LIFE)


def parse_pair(text: str, option: str, form: Message) -> tuple[str, str]:
    """`NAME=VALUE` as typed after an option, split at its last '='; refused without one."""
    name, equals, value = text.rpartition("=")
    if not equals or not name.strip() or not value.strip():
        raise UsageError(
            msg(N_("invalid {what} {value!r}: use {form}"), what=option, value=excerpt(text),
                form=form)
        )  # fmt: skip
    return parse_name(name, msg(N_("{option} name"), option=option)), value


class _Person:
    """What the rows of one person have given so far."""

    def __init__(self, line: int, participant: str, phase: str, screening: date) -> None:
        self.line = line
        self.participant = participant
        self.phase = phase
        self.screening = screening
        self.doses: list[Dose] = []
        self.attacks: list[date] = []
        self.mg: float | None = None
        self.days: dict[str, int] = {}
        self.half_lives: dict[str, timedelta] = {}
        self.classes: dict[str, tuple[str, ...]] = {}

    def candidate(self) -> Candidate:
        history = History(
            doses=tuple(self.doses),
            attacks=tuple(self.attacks),
            steroid_mg=self.mg,
            continuous_days=self.days,
            half_lives=self.half_lives,
            classes=self.classes,
        )
        return Candidate(self.line, self.participant, self.phase, self.screening, history)


def read_candidates(path: Path, reading: Reading) -> tuple[list[Candidate], list[RowError]]:
    """Each person of a candidates file (read as `reading` says), in the order first met, and
    every bad row."""
    people: dict[str, _Person] = {}  # by casefolded ID, as a roster compares them
    errors: list[RowError] = []

    def check(header: list[str]) -> None:
        if "item" not in header:
            raise missing_column(path.name, "item", CANDIDATE_COLUMNS)

    with open_table(path, CANDIDATE_COLUMNS, reading) as reader:
        rows = table_rows(path, reader, reading, CANDIDATE_COLUMNS, CANDIDATE_REQUIRED, check)
        for line, cells in rows:
            if isinstance(cells, RowError):
                errors.append(cells)
                continue
            row = dict(zip(CANDIDATE_COLUMNS, cells, strict=True))
            try:
                _add_row(people, line, row)
            except Mil62schedError as exc:
                errors.append(RowError(path.name, line, exc.message(), row["participant"].strip()))
    return [person.candidate() for person in people.values()], errors


def _add_row(people: dict[str, _Person], line: int, row: Mapping[str, str]) -> None:
    participant = check_participant(row["participant"].strip())
    phase = row["phase"].strip()
    screening = file_date(row["screening"], column_date("screening"))
    person = people.setdefault(participant.casefold(), _Person(line, participant, phase, screening))
    if phase.lower() != person.phase.lower():
        raise UsageError(
            msg(
                N_("phase {phase!r} differs from line {line}'s {first!r}: one phase a person"),
                phase=phase,
                line=person.line,
                first=person.phase,
            )
        )
    if screening != person.screening:
        raise UsageError(
            msg(
                N_(
                    "screening {date} differs from line {line}'s {first}: one screening date a "
                    "person"
                ),
                date=screening,
                line=person.line,
                first=person.screening,
            )
        )
    item = (row.get("item") or "").strip().lower()
    if not item:
        return
    if item not in ITEMS:
        raise UsageError(
            msg(N_("unknown item {value!r}: use {names}"), value=item, names=keywords(ITEMS))
        )

    def cell(column: str) -> str:
        text = (row.get(column) or "").strip()
        if not text:
            raise UsageError(
                msg(N_("item {item} needs a {column}"), item=Keyword(item), column=Keyword(column))
            )
        return text

    if item == "last":
        name = parse_name(cell("name"), "name")
        person.doses.append(Dose(name, file_date(cell("date"))))
    elif item == "attack":
        day = file_date(cell("date"))
        if day in person.attacks:
            raise UsageError(msg(N_("the attack on {date} is given twice"), date=day))
        person.attacks.append(day)
    elif item == "steroid-dose":
        if person.mg is not None:
            raise UsageError(msg(N_("a second steroid-dose: give one daily dose a person")))
        person.mg = parse_mg(cell("value"), "steroid-dose")
    else:
        name = parse_name(cell("name"), "name")
        if item == "continuous-days":
            person.days[name] = parse_days(cell("value"), "continuous-days")
        elif item == "half-life":
            person.half_lives[name] = parse_half_life(cell("value"), "half-life")
        else:
            known = person.classes.get(name, ())
            person.classes[name] = (*known, cell("value").strip().lower())
