"""The `day` command: convert between a visit code, its study day and its date."""

from __future__ import annotations

import re
from datetime import date

from mil62sched.errors import UsageError
from mil62sched.model.codes import VisitCode
from mil62sched.parse import parse_date


def describe_day(what: str, start: date) -> str:
    """Study day and date of a visit code or a study day number, or study day and code of a
    date, as one line.

    >>> describe_day("W25D1", date(2024, 1, 1))
    'W25D1 = study day 169 = 2024-06-17 (Monday), for W1D1 2024-01-01'
    >>> describe_day("2024-06-17", date(2024, 1, 1))
    '2024-06-17 (Monday) = study day 169 = W25D1, for W1D1 2024-01-01'
    >>> describe_day("D-28", date(2024, 1, 1))
    'D-28 = study day -28 = 2023-12-04 (Monday), for W1D1 2024-01-01'
    """
    anchor = f", for W1D1 {start.isoformat()}"
    if re.fullmatch(r"\s*([Ww].*|[Dd]-?[0-9].*)", what):  # WnDm, or Dn (D-28: before D1)
        code = VisitCode.parse(what)
        try:
            when = code.date_from(start)
        except OverflowError:
            end = "before 0001-01-01" if code.offset < 0 else "after 9999-12-31"
            raise UsageError(f"{code} from {start.isoformat()} falls {end}") from None
        return f"{code} = study day {code.study_day} = {when.isoformat()} ({when:%A}){anchor}"
    if re.fullmatch(r"\s*[0-9]{1,7}\s*", what):
        code = VisitCode.from_study_day(int(what))
        return describe_day(str(code), start)
    when = parse_date(what, "date (or visit code, or study day number)")
    study_day = (when - start).days + 1
    if study_day < 1:
        raise UsageError(
            f"{when.isoformat()} is before W1D1 {start.isoformat()}: study days start at 1 "
            "(there is no day 0)"
        )
    code = VisitCode.from_study_day(study_day)
    return f"{when.isoformat()} ({when:%A}) = study day {study_day} = {code}{anchor}"
