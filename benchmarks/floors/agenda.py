"""Floor of `mil62sched agenda ROSTER [--actuals ACTUALS] --from DAY --today DAY --days N
--format csv -o OUT`: read both files with csv, work out each visit's date and window, keep
those not recorded that are overdue, still open or due in the N days, sort them, write them.
A participant with nothing recorded is untracked: named on a line of its own, first, and
their visits before DAY left out.

    python floors/agenda.py ROSTER ACTUALS|- FROM DAYS TODAY OUT
"""

import csv
import sys
from datetime import date, timedelta

from trial import ARMS, WEEKDAYS, Workdays, visits, window

HEADER = (
    "participant", "arm", "masking", "period", "code", "date", "weekday", "window_start",
    "window_end", "treatment", "working_day", "non_working_reason", "flags", "protocol_date",
    "protocol_date_working_day", "protocol_date_non_working_reason",
)  # fmt: skip
TRUE = {True: "true", False: "false"}


def recorded(actuals: str) -> set[tuple[str, str]]:
    """(participant, code) of every visit the actuals file records, done or missed; a journey's
    codes keep their period (`RCP:W3D1`)."""
    if actuals == "-":
        return set()
    with open(actuals, newline="", encoding="utf-8") as stream:
        rows = csv.reader(stream)
        next(rows)
        return {(row[0], row[1]) for row in rows}


def main(roster: str, actuals: str, first: str, days: str, today: str, out: str) -> None:
    start, end = date.fromisoformat(first), date.fromisoformat(first) + timedelta(int(days) - 1)
    on = date.fromisoformat(today)
    done = recorded(actuals)
    tracked = {who for who, _ in done}
    untracked = []
    workdays = Workdays(2020, 2035)
    overdue, upcoming = [], []
    with open(roster, newline="", encoding="utf-8") as source:
        for row in csv.DictReader(source):
            who, arm, around = row["participant"], row["arm"], window(row["window"])
            masking, journey = ARMS[arm][0], len(ARMS[arm][1]) > 1
            is_tracked = who in tracked
            if not is_tracked:
                untracked.append([who, arm, masking, *[""] * 9, "untracked", "", "", ""])
            for visit in visits(
                arm, date.fromisoformat(row["start"]), row["olp_start"], row["escalate_at"]
            ):
                code, day = visit.step.code, visit.day
                if visit.dropped or (who, f"{visit.period}:{code}" if journey else code) in done:
                    continue
                if not is_tracked and day < start:
                    continue
                closes = day if around is None else day + timedelta(around[1])
                reason = workdays.reason(day)
                if closes < start:
                    flags, into = "overdue", overdue
                elif day < start:
                    flags, into = "window still open", upcoming
                elif day <= end:
                    flags = "; ".join(
                        (["due today"] if day == on else [])
                        + (["non-working day"] if reason is not None else [])
                    )
                    into = upcoming
                else:
                    continue
                first_day = "" if around is None else day - timedelta(around[0])
                working, reason = TRUE[reason is None], reason or ""
                into.append(
                    (
                        closes if into is overdue else day,
                        who,
                        [
                            who,
                            arm,
                            masking,
                            visit.period,
                            code,
                            day,
                            WEEKDAYS[day.weekday()],
                            first_day,
                            "" if around is None else closes,
                            visit.treatment[0],
                            working,
                            reason,
                            flags,
                            day,
                            working,
                            reason,
                        ],
                    )
                )
    overdue.sort(key=lambda item: item[:2])
    upcoming.sort(key=lambda item: item[:2])
    with open(out, "w", newline="", encoding="utf-8") as target:
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(untracked)
        writer.writerows(item[2] for item in overdue + upcoming)


if __name__ == "__main__":
    main(*sys.argv[1:])
