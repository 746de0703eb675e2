"""The `day` command: convert between a visit code, its study day and its date."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from mil62sched.environment import Environment
from mil62sched.errors import UsageError
from mil62sched.i18n import words
from mil62sched.messages import C_, N_, Message, msg
from mil62sched.model.codes import VisitCode
from mil62sched.parse import option_date, parse_date


@dataclass(frozen=True)
class DayOptions:
    """What `day` is given, as typed: a visit code, a study day or a date, and W1D1."""

    what: str
    start: str


def run(env: Environment, options: DayOptions) -> None:
    """Say the day in one line, in the run's language."""
    line = describe_day(options.what, parse_date(options.start, option_date("--start")), env.lang)
    env.stdout.write(line + "\n")


def study_day_words(day: int) -> Message:
    """'study day 169'; a day before the first dose as the site counts it, back from D1
    ('study day -28' in English, 首次给药前第28天（D-28） in Chinese)."""
    if day < 0:
        return msg(C_("a day before the first dose", "study day -{days}"), days=-day)
    return msg(N_("study day {day}"), day=day)


def describe_day(what: str, start: date, lang: str = "en") -> str:
    """Study day and date of a visit code or a study day number, or study day and code of a
    date, as one line.

    >>> describe_day("W25D1", date(2024, 1, 1))
    'W25D1 = study day 169 = 2024-06-17 (Monday), for W1D1 2024-01-01'
    >>> describe_day("2024-06-17", date(2024, 1, 1))
    '2024-06-17 (Monday) = study day 169 = W25D1, for W1D1 2024-01-01'
    >>> describe_day("D-28", date(2024, 1, 1))
    'D-28 = study day -28 = 2023-12-04 (Monday), for W1D1 2024-01-01'
    >>> describe_day("W25D1", date(2024, 1, 1), "zh")
    'W25D1 第25周第1天 = 研究第169天 = 2024-06-17（周一），W1D1 为 2024-01-01'
    """
    tr = words(lang)
    anchor = tr(", for W1D1 {date}", date=start.isoformat())
    if re.fullmatch(r"\s*([Ww].*|[Dd]-?[0-9].*)", what):  # WnDm, or Dn (D-28: before D1)
        code = VisitCode.parse(what)
        try:
            when = code.date_from(start)
        except OverflowError:
            said = (
                N_("{code} from {date} falls before 0001-01-01")
                if code.offset < 0
                else N_("{code} from {date} falls after 9999-12-31")
            )
            raise UsageError(msg(said, code=str(code), date=start)) from None
        return tr(
            "{code} = {day} = {date} ({weekday}){anchor}",
            code=tr.code(code),
            day=study_day_words(code.study_day),
            date=when.isoformat(),
            weekday=tr.weekday(when),
            anchor=anchor,
        )
    if re.fullmatch(r"\s*[0-9]{1,7}\s*", what):
        code = VisitCode.from_study_day(int(what))
        return describe_day(str(code), start, lang)
    when = parse_date(what, msg(N_("date (or visit code, or study day number)")))
    study_day = (when - start).days + 1
    if study_day < 1:
        raise UsageError(
            msg(
                N_("{date} is before W1D1 {start}: study days start at 1 (there is no day 0)"),
                date=when,
                start=start,
            )
        )
    code = VisitCode.from_study_day(study_day)
    return tr(
        "{date} ({weekday}) = {day} = {code}{anchor}",
        date=when.isoformat(),
        weekday=tr.weekday(when),
        day=study_day_words(study_day),
        code=tr.code(code),
        anchor=anchor,
    )
