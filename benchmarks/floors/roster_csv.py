"""Floor of `mil62sched roster ROSTER --format csv -o OUT`: read the roster with csv, work out
each visit's row (dates, window, working day, the nearest working day in the window) and write
the rows with csv.writer, one participant at a time, as the tool streams.

    python floors/roster_csv.py ROSTER OUT
"""

import csv
import sys
from datetime import date, timedelta

from trial import (
    ARMS,
    PROTOCOL,
    STUDY_COMPLETION,
    STUDY_START,
    WEEKDAYS,
    Workdays,
    shown,
    visits,
    window,
)

HEADER = (
    "protocol", "arm", "masking", "participant", "start", "code", "study_day", "date", "weekday",
    "treatment", "dose_mg", "blinded", "period", "protocol_date", "window_start", "window_end",
    "working_day", "non_working_reason", "proposed_date", "holidays_provisional", "status",
    "actual_date", "deviation_days", "in_window", "note", "period_start", "period_start_assumed",
    "overdue", "over_capacity", "protocol_date_working_day", "protocol_date_non_working_reason",
    "before_study_start", "after_study_completion", "kind", "protocol_version",
)  # fmt: skip
TRUE = {True: "true", False: "false"}
MASKING = {arm: masking for arm, (masking, _) in ARMS.items()}


def main(roster: str, out: str) -> None:
    workdays = Workdays(2020, 2035)
    with (
        open(roster, newline="", encoding="utf-8") as source,
        open(out, "w", newline="", encoding="utf-8") as target,
    ):
        reader = csv.DictReader(source)
        writer = csv.writer(target, lineterminator="\n")
        writer.writerow(HEADER)
        for row in reader:
            start = date.fromisoformat(row["start"])
            arm, around = row["arm"], window(row["window"])
            head = [PROTOCOL, arm, MASKING[arm], row["participant"], row["start"]]
            early = TRUE[start < STUDY_START]
            for visit in visits(arm, start, row["olp_start"], row["escalate_at"]):
                day = visit.day
                reason = workdays.reason(day)
                first = last = proposed = None
                note = ""
                if around is not None:
                    first, last = day - timedelta(around[0]), day + timedelta(around[1])
                if reason is not None:
                    if visit.step.code == "W1D1":
                        note = (
                            f"not a working day ({reason}); W1D1 starts the period's "
                            "timeline, so it is never moved: choose another start date if "
                            "the site is closed"
                        )
                    elif around is None:
                        note = f"not a working day ({reason}) and no window is set to move it in"
                    else:
                        proposed = workdays.nearest(day, *around)
                        if proposed is None:
                            note = (
                                f"not a working day ({reason}) and no working day in the "
                                f"window {shown(around)}"
                            )
                status = "planned"
                if visit.dropped is not None:
                    status, proposed = "dropped", None
                    note = f"not given: the participant entered the next period on {visit.dropped}"
                working, reason = TRUE[reason is None], reason or ""
                writer.writerow(
                    [
                        *head,
                        visit.step.code,
                        visit.step.study_day,
                        day,
                        WEEKDAYS[day.weekday()],
                        *visit.treatment,
                        visit.period,
                        day,
                        first or "",
                        last or "",
                        working,
                        reason,
                        proposed or "",
                        TRUE[workdays.provisional(first or day, last or day)],
                        status,
                        "",
                        "",
                        "",
                        note,
                        visit.period_start,
                        TRUE[visit.assumed],
                        "",
                        "",
                        working,
                        reason,
                        early,
                        TRUE[day > STUDY_COMPLETION],
                        "infusion",
                        "",
                    ]
                )


if __name__ == "__main__":
    main(*sys.argv[1:])
