"""Drawing the month grids of `--format calendar` (declared in `calendar.py`): infusion days,
windows and days off.

One grid per month that holds an infusion, an actual date or a day of a visit window, Monday to
Sunday; the empty months between them are summed up in one line. Plain text carries everything
with text markers explained by a key; styled output (a terminal) keeps the same markers and adds
colour on top.

The grid shows visit codes and nothing else about the infusion, so a blinded plan looks the same
whichever arm it hides.
"""

from __future__ import annotations

import calendar as stdlib_calendar
import io
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from mil62sched.formats.certainty import Footnotes
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.wording import (
    UNBLINDED_NOTICE,
    about,
    holidays_used,
    language,
    notes,
    reason_text,
    record_text,
    title,
)
from mil62sched.i18n import ENGLISH, MONTHS_SHORT, N_, Words, wrap
from mil62sched.model.plan import Plan, Visit

DEFAULT_WIDTH = 100
MAX_SIDE_BY_SIDE = 3
GAP = "  "  # between months side by side
UNCROPPED = 10_000  # a console wider than any line: a grid wider than the terminal is not cut

# Plain-text markers, explained by the key. Only characters of "neutral" or "narrow" East Asian
# width: a CJK terminal may draw "ambiguous" ones (`·`, `…`, box lines) two columns wide, which
# would break the grid. `░` is neutral and in every monospaced font.
SHADE = "░"  # fills the number line of a weekend day or public holiday
BAND = "."  # under the days of a visit window
ADJUSTED = "+"  # after a weekend day made a working day
MARKS = {"planned": "", "done": "✓", "missed": "✗"}  # neutral width: one column everywhere

# The grid's column heads, Monday first: two letters in English, one character in Chinese.
WEEKDAYS = (N_("Mo"), N_("Tu"), N_("We"), N_("Th"), N_("Fr"), N_("Sa"), N_("Su"))
STYLE_SHADE = "on bright_black"
STYLE_HOLIDAY = "bold red"
STYLE_ADJUSTED = "bold green"
STYLE_BAND = "cyan"
STYLE_VISIT = {
    "planned": "bold black on yellow",
    "done": "bold black on green",
    "missed": "bold white on red",
}


@dataclass(frozen=True)
class _Day:
    """How the site treats one day."""

    working: bool
    holiday: str | None  # the holiday's name; None on a working day or a plain weekend day
    adjusted: bool  # a Saturday or Sunday made a working day
    provisional: bool


@dataclass(frozen=True)
class _Shown:
    """A visit as the grid shows it: on its planned day, or its actual day once done."""

    # The label, one line per item: period (several periods), code, and the numbers of its
    # footnotes when its date is not firm.
    lines: tuple[str, ...]
    visit: Visit

    @property
    def label(self) -> str:
        """The label on one line, e.g. 'OLP W3D1✓'."""
        return " ".join(self.lines)


@dataclass(frozen=True)
class _Grid:
    """What every month grid of a plan shares."""

    plan: Plan
    shown: dict[date, list[_Shown]]
    window: frozenset[date]
    days: dict[date, _Day]  # every day of every month shown
    inner: int  # characters in a day cell after its leading space
    styled: bool
    tr: Words = ENGLISH

    @property
    def width(self) -> int:
        """Characters in one month grid."""
        return 7 * (self.inner + 1)


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """The plan as month grids; ANSI styles only when styled (a terminal)."""
    styled = presentation.styled
    tr = language(presentation.lang)
    width = presentation.width or DEFAULT_WIDTH
    footnotes = Footnotes()
    shown = _shown(plan, footnotes)
    window = frozenset(day for visit in plan.given for day in _window_days(visit))
    months = sorted({(day.year, day.month) for day in [*shown, *window]})
    days = {day: _status(plan, day, tr) for day in _all_days(months)}
    inner = max([4] + [len(line) for items in shown.values() for s in items for line in s.lines])
    grid = _Grid(plan, shown, window, days, inner, styled, tr)

    lines: list[Text] = []
    if plan.unblinded:
        notice = f" {tr(UNBLINDED_NOTICE)} "
        lines.append(Text(notice, style="bold white on red" if styled else ""))
    lines += _lines(_wrap(title(plan, tr), width), "bold" if styled else "")
    lines += _lines(_wrap(about(plan, tr), width))
    lines += _lines(_wrap(tr.message(holidays_used(plan)), width))
    lines += _grids(grid, months, width)
    lines.append(Text())
    lines += _lines(_wrap(_key(grid), width, indent="     "), "dim" if styled else "")
    for note in footnotes.lines(tr):
        lines += _lines(_wrap(note, min(width, 100), indent="    "))
    for note in notes(plan, tr):
        lines += _lines(_wrap(f"* {note}", min(width, 100), indent="  "), "bold" if styled else "")

    out = io.StringIO()
    # Lines are wrapped here, to `width`; the console only styles them and must crop nothing.
    console = Console(
        file=out,
        width=UNCROPPED,
        force_terminal=styled,
        color_system="standard" if styled else None,
        highlight=False,
        emoji=False,
    )
    for text in lines:
        console.print(_rstrip(text), no_wrap=True)
    output = out.getvalue()
    return output if styled else "\n".join(row.rstrip() for row in output.splitlines()) + "\n"


def _grids(grid: _Grid, months: Sequence[tuple[int, int]], width: int) -> list[Text]:
    """The month grids, side by side where they fit; a line for each stretch of empty months."""
    side_by_side = max(1, min(MAX_SIDE_BY_SIDE, (width + len(GAP)) // (grid.width + len(GAP))))
    lines: list[Text] = []
    previous: tuple[int, int] | None = None
    for run in _runs(months):
        if previous is not None:
            lines += [Text(), Text(_gap_line(previous, run[0], grid.tr))]
        for first in range(0, len(run), side_by_side):
            lines.append(Text())
            row = run[first : first + side_by_side]
            # The last month's footnotes may use the rest of the line.
            last_width = width - (len(row) - 1) * (grid.width + len(GAP))
            widths = [grid.width] * (len(row) - 1) + [max(grid.width, last_width)]
            lines += _side_by_side(
                grid, [_month(grid, *m, w) for m, w in zip(row, widths, strict=True)]
            )
        previous = run[-1]
    return lines


def _lines(texts: Sequence[str], style: str = "") -> list[Text]:
    """Lines of text in one style."""
    return [Text(text, style=style) for text in texts]


def _shown(plan: Plan, footnotes: Footnotes) -> dict[date, list[_Shown]]:
    """Every visit on the day the grid shows it: done ones on the actual date; one whose date
    is not firm with the numbers of its `footnotes` under its code."""
    several = len(plan.periods) > 1
    shown: dict[date, list[_Shown]] = {}
    for visit in plan.given:
        day = visit.actual if visit.status == "done" and visit.actual else visit.date
        code = f"{visit.code}{MARKS[visit.status]}"
        lines: tuple[str, ...] = (visit.period, code) if several else (code,)
        mark = footnotes.mark(visit)
        lines += (mark,) if mark else ()
        shown.setdefault(day, []).append(_Shown(lines, visit))
    return shown


def _window_days(visit: Visit) -> Iterator[date]:
    """Every day of the visit's window; none without a window."""
    if visit.window_start is None or visit.window_end is None:
        return
    for offset in range((visit.window_end - visit.window_start).days + 1):
        yield visit.window_start + timedelta(days=offset)


def _status(plan: Plan, day: date, tr: Words = ENGLISH) -> _Day:
    """The site's view of `day`; without a site calendar only Saturday and Sunday are off.
    Holiday names in `tr`'s language when the site calendar has them in it."""
    site = plan.policy.site
    weekend = day.weekday() >= 5
    if site is None or site.country is None:
        return _Day(working=not weekend, holiday=None, adjusted=False, provisional=False)
    status = site.status(day)
    if status.working:  # a make-up working day as the site calendar says, not by its weekday
        return _Day(True, None, adjusted=status.make_up, provisional=status.provisional)
    holiday = None if status.reason in (None, "weekend") else reason_text(status.reason, tr)
    return _Day(False, holiday, adjusted=False, provisional=status.provisional)


def _runs(months: Sequence[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Months split into runs of consecutive months."""
    runs: list[list[tuple[int, int]]] = []
    for month in months:
        if runs and _index(month) == _index(runs[-1][-1]) + 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    return runs


def _index(month: tuple[int, int]) -> int:
    """Months counted from year 0, so that consecutive months differ by one."""
    return month[0] * 12 + month[1] - 1


def _month_name(index: int, short: bool = False, tr: Words = ENGLISH) -> str:
    """'March 2026', or 'Mar 2026' when short, from `_index`."""
    year, month = divmod(index, 12)
    return tr.month(year, month + 1, short=short)


def _gap_line(before: tuple[int, int], after: tuple[int, int], tr: Words = ENGLISH) -> str:
    """'… 4 months without visits (Nov 2025–Feb 2026) …'."""
    first, last = _index(before) + 1, _index(after) - 1
    count = last - first + 1
    span = _month_name(first, short=True, tr=tr)
    if count > 1:
        span += f"–{_month_name(last, short=True, tr=tr)}"
    if count > 1:
        return tr("   … {count} months without visits ({span}) …", count=count, span=span)
    return tr("   … {count} month without visits ({span}) …", count=count, span=span)


def _month(grid: _Grid, year: int, month: int, notes_width: int) -> list[Text]:
    """One month's grid, `grid.width` characters wide, and its footnotes below it."""
    styled, inner = grid.styled, grid.inner
    heading = grid.tr.month(year, month)
    rows = [Text(_centred(heading, grid.width).rstrip(), style="bold" if styled else "")]
    header = Text()
    for index, name in enumerate(grid.tr(head) for head in WEEKDAYS):
        padded = name + " " * (inner - cell_len(name))
        header.append(" " + padded, style="dim" if styled and index >= 5 else "")
    rows.append(header)
    # Monday first; day numbers, not dates, so that December 9999 has a last week too.
    weeks = [
        [None if number == 0 else date(year, month, number) for number in week]
        for week in stdlib_calendar.Calendar().monthdayscalendar(year, month)
    ]
    days = {day: grid.days[day] for week in weeks for day in week if day is not None}
    for week in weeks:
        ours = [day for day in week if day is not None]
        rows.append(_numbers(grid, week, days))
        height = max(sum(len(s.lines) for s in grid.shown.get(day, [])) for day in ours)
        if height == 0 and any(day in grid.window for day in ours):
            height = 1
        for row in range(height):
            rows.append(_labels(grid, week, days, row))
    footnotes = _footnotes(grid, year, month, days)
    for note in footnotes:
        for text in _wrap(note, notes_width, indent="   ", first=" ", chinese=grid.tr.chinese):
            rows.append(Text(text, style="dim" if styled else ""))
    return rows


def _numbers(grid: _Grid, week: list[date | None], days: dict[date, _Day]) -> Text:
    """The line of day numbers: days off shaded, adjusted working days marked."""
    text = Text()
    for day in week:
        if day is None:  # a day of the month before or after
            text.append(" " * (grid.inner + 1))
            continue
        status = days[day]
        text.append(" ")
        shade = STYLE_SHADE if grid.styled and not status.working else ""
        number = f"{day.day:>2}"
        if grid.styled and status.holiday:
            text.append(number, style=f"{STYLE_HOLIDAY} {shade}")
        else:
            text.append(number, style=shade)
        rest = grid.inner - 2
        if status.adjusted:
            text.append(ADJUSTED, style=STYLE_ADJUSTED if grid.styled else "")
            text.append(" " * (rest - 1))
        elif not status.working:
            # The text mark stays when styled: information never depends on colour alone.
            text.append(SHADE * rest, style=shade)
        else:
            text.append(" " * rest)
    return text


def _labels(grid: _Grid, week: list[date | None], days: dict[date, _Day], row: int) -> Text:
    """One line under the day numbers: visit labels, and the band of window days."""
    text = Text()
    for day in week:
        if day is None:  # a day of the month before or after
            text.append(" " * (grid.inner + 1))
            continue
        status = days[day]
        text.append(" ")
        shade = STYLE_SHADE if grid.styled and not status.working else ""
        lines = [(s, item) for s in grid.shown.get(day, []) for item in s.lines]
        if row < len(lines):
            shown, item = lines[row]
            text.append(item, style=STYLE_VISIT[shown.visit.status] if grid.styled else "")
            text.append(" " * (grid.inner - len(item)), style=shade)
        elif day in grid.window and not lines:
            text.append(BAND * grid.inner, style=f"{STYLE_BAND} {shade}" if grid.styled else "")
        else:
            text.append(" " * grid.inner, style=shade)
    return text


def _footnotes(grid: _Grid, year: int, month: int, days: dict[date, _Day]) -> list[str]:
    """Holiday names (consecutive days with one name as a range), adjusted working days,
    visits done or missed, and whether the month's holiday data is provisional."""
    entries: list[tuple[date, str]] = []
    tr = grid.tr
    ordered = sorted(days)
    start: date | None = None
    for index, day in enumerate(ordered):
        name = days[day].holiday
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        if name is None:
            continue
        if start is None:
            start = day
        if following is None or days[following].holiday != name:
            if start == day:
                span = tr("{month} {day}", month=_abbr(month, tr), day=day.day)
            else:
                span = tr(
                    "{month} {first}–{last}", month=_abbr(month, tr), first=start.day, last=day.day
                )
            entries.append((start, tr("{days}: {name}", days=span, name=name)))
            start = None
    for day in ordered:
        if days[day].adjusted:
            on = tr("{month} {day}", month=_abbr(month, tr), day=day.day)
            made = tr("{day}: {weekday} made a working day", day=on, weekday=_weekday_name(day, tr))
            entries.append((day, made))
        for shown in grid.shown.get(day, []):
            if shown.visit.status != "planned":
                what = record_text(shown.visit, tr)
                if shown.visit.status == "missed":
                    what += tr(" (planned {date})", date=shown.visit.date.isoformat())
                entries.append((day, tr("{days}: {name}", days=shown.label, name=what)))
    lines = [text for _, text in sorted(entries, key=lambda entry: entry[0])]
    if any(status.provisional for status in days.values()):
        lines.append(tr("{year}: holiday data provisional", year=year))
    return lines


def _abbr(month: int, tr: Words) -> str:
    """'Oct', or 10月."""
    return tr(MONTHS_SHORT[month - 1])


def _weekday_name(day: date, tr: Words) -> str:
    """'Sunday', or 周日 (not strftime, which follows the machine's locale)."""
    return tr.weekday(day)


def _centred(text: str, width: int) -> str:
    """`text` centred in `width` terminal cells, as str.center does by characters."""
    wide = cell_len(text) - len(text)
    return text.center(width - wide)


def _side_by_side(grid: _Grid, months: list[list[Text]]) -> list[Text]:
    """Month grids next to each other, padded to the tallest."""
    height = max(len(rows) for rows in months)
    joined: list[Text] = []
    for index in range(height):
        text = Text()
        for position, rows in enumerate(months):
            if position:
                text.append(GAP)
            row = rows[index] if index < len(rows) else Text()
            text.append_text(row)
            text.append(" " * (grid.width - cell_len(row.plain)))
        joined.append(text)
    return joined


def _rstrip(text: Text) -> Text:
    """`text` without trailing spaces, except styled ones (a shaded day at the end of a row)."""
    styled_end = max((span.end for span in text.spans if str(span.style).strip()), default=0)
    keep = max(len(text.plain.rstrip()), styled_end)
    if keep < len(text):  # right_crop(0) would empty the text
        text.right_crop(len(text) - keep)
    return text


def _key(grid: _Grid) -> str:
    """The key to the markers this plan's grids use."""
    tr = grid.tr
    statuses = {s.visit.status for items in grid.shown.values() for s in items}
    periods = [period.name for period in grid.plan.periods]
    under = tr(", under its period ({periods})", periods=list(periods))
    entries = [tr("W3D1 infusion visit{under}", under=under if len(periods) > 1 else "")]
    if "done" in statuses:
        entries.append(tr("W3D1{mark} done, on its actual day", mark=MARKS["done"]))
    if "missed" in statuses:
        entries.append(tr("W3D1{mark} missed", mark=MARKS["missed"]))
    if grid.window:
        entries.append(tr("{band} inside a visit window", band=BAND * 4))
    site = grid.plan.policy.site
    holidays = site is not None and site.country is not None
    off = tr("weekend or public holiday") if holidays else tr("weekend")
    colour = ""
    if grid.styled:
        red = tr(", holiday dates in red") if holidays else ""
        colour = tr(" (grey{red})", red=red)
    entries.append(f"{SHADE * 4} {off}{colour}")
    if any(status.adjusted for status in grid.days.values()):
        entries.append(tr("{mark} weekend day made a working day", mark=ADJUSTED))
    return tr("Key: {entries}.", entries=tr("; ").join(entries))


def _all_days(months: Sequence[tuple[int, int]]) -> Iterator[date]:
    """Every day of `months`, (year, month) pairs."""
    for year, month in months:
        for day in range(1, stdlib_calendar.monthrange(year, month)[1] + 1):
            yield date(year, month, day)


def _wrap(
    text: str, width: int, indent: str = "", first: str = "", chinese: bool | None = None
) -> list[str]:
    """`text` wrapped to `width` at spaces, later lines indented; Chinese text (`chinese`, by
    default whether it holds any wide character) also between its characters, by cells."""
    if chinese is None:
        chinese = cell_len(text) != len(text)
    if chinese:
        return wrap(text, max(width, 20), indent, first)
    return textwrap.wrap(
        text,
        width=max(width, 20),
        initial_indent=first,
        subsequent_indent=indent,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [""]
