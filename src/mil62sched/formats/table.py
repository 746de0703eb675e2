"""The terminal table (rich): visit code, study day, date, weekday and what is infused."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Sequence
from typing import IO, TYPE_CHECKING, NamedTuple

from mil62sched.formats import Format
from mil62sched.formats.certainty import Footnotes
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.table_columns import columns
from mil62sched.formats.wording import (
    PROVISIONAL_NOTICE,
    UNBLINDED_NOTICE,
    about,
    day_text,
    holidays_used,
    label,
    language,
    notes,
    record_text,
    title,
    untracked_note,
    window_text,
)
from mil62sched.i18n import ENGLISH, N_, Words, wrap
from mil62sched.model.plan import Plan

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from mil62sched.model.agenda import Agenda

# A file or pipe gets the table at its natural width (up to this); a terminal gets its own width.
FILE_WIDTH = 200

# When a table is wider than the terminal, long text (Infusion, Day, Record, Flags) wraps onto more
# lines first; if that is not enough, whole columns move to a note below the table, in this order.
# Codes, dates and doses are never cut: Visit, Date, Participant and Infusion always stay.
MOVE_ORDER = ("Day", "Record", "Proposed", "Window", "Weekday", "Study day", "Period", "Arm")
WRAPS = frozenset({"Infusion", "Day", "Record", "Flags"})
# A number stays with the word after it when text wraps ("1000 mg", "-1 d"): a no-break space,
# which textwrap does not break at.
_NUMBER_AND_WORD = re.compile(r"(?<=\d) (?=\S)")
_KEEP = "\u00a0"


class _Column(NamedTuple):
    """A table column before it is laid out: heading, every row's text, and how it may bend."""

    heading: str  # in English: what the layout goes by
    cells: list[str]
    numeric: bool = False
    label: str = ""  # the heading as shown, when it is translated

    @property
    def shown(self) -> str:
        """The heading as shown."""
        return self.label or self.heading

    @property
    def wraps(self) -> bool:
        """Long text that may go onto more lines."""
        return self.heading in WRAPS

    @property
    def natural(self) -> int:
        """Its width on one line, in terminal cells (a Chinese character takes two)."""
        return max([_cells(self.shown), *(_cells(cell) for cell in self.cells)])

    @property
    def narrowest(self) -> int:
        """The narrowest it can be without cutting a word (a code, a date, a number and unit)."""
        if not self.wraps:
            return self.natural
        words = (_cells(word) for cell in self.cells for word in _glued(cell).split(" "))
        return max([_cells(self.shown), *words])


def _cells(text: str) -> int:
    """How many terminal cells `text` takes."""
    from rich.cells import cell_len

    return cell_len(text)


def _glued(text: str) -> str:
    """`text` with every number held to the word after it."""
    return _NUMBER_AND_WORD.sub(_KEEP, text)


def _wrapped(text: str, width: int) -> str:
    """`text` on lines of at most `width` cells, broken at spaces only (never inside a word)."""
    lines: list[str] = []
    for word in _glued(text).split():
        if lines and _cells(lines[-1]) + 1 + _cells(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines).replace(_KEEP, " ")


def _overhead(count: int) -> int:
    """Characters a SIMPLE_HEAVY table adds to its cells: an edge or gap and a padding space on
    each side of every column."""
    return 3 * count + 1


def _layout(
    columns: Sequence[_Column],
    width: int,
    keys: Sequence[str],
    styles: Sequence[str | None],
    tr: Words = ENGLISH,
) -> tuple[Table, list[str]]:
    """The columns as a rich table no wider than `width` (when the key columns fit), and a
    note for the columns moved below it, one line per row, named by its `keys` columns."""
    from rich import box
    from rich.table import Table

    def fits(chosen: Sequence[_Column]) -> bool:
        return sum(c.narrowest for c in chosen) + _overhead(len(chosen)) <= width

    moved = [c for c in columns if c.heading in MOVE_ORDER]
    moved.sort(key=lambda c: MOVE_ORDER.index(c.heading))
    kept = [c for c in columns if c not in moved]
    # Keep every column that fits, the last to move first; the rest move below the table.
    for column in reversed(list(moved)):
        if fits([c for c in columns if c in kept or c is column]):
            kept.append(column)
            moved.remove(column)
    shown = [c for c in columns if c in kept]
    widths = [c.natural for c in shown]
    if sum(widths) + _overhead(len(shown)) > width:
        widths = [c.narrowest for c in shown]
        spare = width - _overhead(len(shown)) - sum(widths)
        # Share the spare width among the columns that wrap, a character at a time.
        while spare > 0:
            growing = [i for i, c in enumerate(shown) if c.wraps and widths[i] < c.natural]
            if not growing:
                break
            for index in growing[:spare]:
                widths[index] += 1
                spare -= 1
    table = Table(box=box.SIMPLE_HEAVY)
    for column, size in zip(shown, widths, strict=True):
        table.add_column(
            column.shown,
            justify="right" if column.numeric else "left",
            width=size,
            no_wrap=True,
        )
    for row, style in enumerate(styles):
        cells = [
            _wrapped(c.cells[row], size) if c.wraps else c.cells[row]
            for c, size in zip(shown, widths, strict=True)
        ]
        table.add_row(*(literal(cell) for cell in cells), style=style)
    notes: list[str] = []
    if moved:
        notes.append(
            tr(
                "Moved below the table for want of width: {columns}.",
                columns=tr(", ").join(c.shown for c in moved),
            )
        )
        by_heading = {c.heading: c for c in columns}
        for row in range(len(styles)):
            name = " ".join(by_heading[key].cells[row] for key in keys if key in by_heading)
            values = tr("; ").join(
                tr("{heading} {value}", heading=c.shown, value=c.cells[row])
                for c in moved
                if c.cells[row]
            )
            notes.append(f"{name}: {values}")
    return table, notes


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """The plan as a rich table; ANSI styles only when styled (a terminal)."""
    styled = presentation.styled
    tr = language(presentation.lang)
    footnotes = Footnotes()
    chosen = columns(plan, tr, footnotes)
    styles: list[str | None] = []
    for visit in plan.visits:
        style = None
        if styled:
            if visit.status == "missed" or visit.note:
                style = "red"
            elif visit.status == "planned" and not visit.working_day and not visit.moved:
                style = "magenta"
            elif visit.treatment.blinded:
                style = "yellow"
        styles.append(style)
    cells = [
        _Column(c.heading, [c.text(visit) for visit in plan.visits], c.numeric, tr(c.heading))
        for c in chosen
    ]
    out = io.StringIO()
    console = make_console(out, presentation)
    table, moved = _layout(cells, console.width, ("Period", "Visit"), styles, tr)
    if plan.unblinded:
        console.print(f"[bold white on red] {tr(UNBLINDED_NOTICE)} [/]")
    console.print(literal(title(plan, tr), style="bold"))
    console.print(literal(about(plan, tr)))
    console.print(literal(tr.message(holidays_used(plan))))
    console.print(table)
    for line in moved:
        console.print(literal(line))
    notes_console = make_console(out, presentation, width=min(console.width, 100))
    for line in footnotes.lines(tr):
        _note(notes_console, line, tr, None)
    for line in notes(plan, tr):
        _note(notes_console, f"* {line}", tr, "bold" if styled else None)
    return finish(out.getvalue(), presentation)


def render_many(plans: Iterable[Plan], presentation: Presentation = PLAIN) -> str:
    """Every plan's visits in one table, one row per infusion, participant first."""
    tr = language(presentation.lang)
    headings = (
        *(N_("Participant"), N_("Arm"), N_("Visit"), N_("Period"), N_("Date"), N_("Weekday")),
        *(N_("Infusion"), N_("Window"), N_("Day"), N_("Record")),
    )
    rows: list[tuple[str, ...]] = []
    unblinded = False
    count = 0
    remarks: list[str] = []
    provisional = False  # the holiday data is the site's: said once, after every participant's
    footnotes = Footnotes()  # each said once, below the table, whoever's dates it marks
    holidays: str | None = None  # whose holidays the site follows: every plan's are the run's
    for plan in plans:
        if holidays is None:
            holidays = tr.message(holidays_used(plan))
        unblinded = unblinded or plan.unblinded
        provisional = provisional or plan.holidays_provisional
        count += 1
        remarks += [
            f"{plan.participant or plan.start.isoformat()}: {line}"
            for line in notes(plan, tr, provisional=False)
        ]
        for visit in plan.visits:
            rows.append(
                (
                    plan.participant or "",
                    plan.arm.name,
                    str(visit.code),
                    tr.term(visit.period),
                    footnotes.dated(visit, visit.date.isoformat()),
                    tr.weekday(visit.date, short=True),
                    label(visit, tr),
                    window_text(visit),
                    day_text(visit, tr),
                    record_text(visit, tr),
                )
            )
    cells = [
        _Column(heading, [row[i] for row in rows], label=tr(heading))
        for i, heading in enumerate(headings)
    ]
    out = io.StringIO()
    console = make_console(out, presentation)
    keys = ("Participant", "Period", "Visit")
    table, moved = _layout(cells, console.width, keys, [None] * len(rows), tr)
    if unblinded:
        console.print(f"[bold white on red] {tr(UNBLINDED_NOTICE)} [/]")
    console.print(literal(tr("{count} participants", count=count), style="bold"))
    if holidays is not None:
        console.print(literal(holidays))
    console.print(table)
    for line in moved:
        console.print(literal(line))
    for line in footnotes.lines(tr):
        _note(console, line, tr, None)
    if provisional:
        remarks.append(tr(PROVISIONAL_NOTICE))
    for line in remarks:
        _note(console, f"* {line}", tr, "bold" if presentation.styled else None)
    return finish(out.getvalue(), presentation)


def _note(console: Console, text: str, tr: Words, style: str | None) -> None:
    """A note below a table: rich wraps English at spaces; Chinese, which has few, is wrapped
    here between its characters."""
    if not tr.chinese:
        console.print(literal(text), style=style)
        return
    for line in wrap(text, console.width):
        console.print(literal(line), style=style, no_wrap=True, crop=False, overflow="ignore")


def literal(text: str, style: str = "") -> Text:
    """`text` for rich as it is: never read as markup (`[/]`, `[link=...]`) or emoji codes.

    Everything built from data (holiday names, IDs, titles from files) goes through here; only
    our own fixed banners use markup.
    """
    from rich.text import Text

    return Text(text, style=style)


def make_console(out: io.StringIO, presentation: Presentation, width: int | None = None) -> Console:
    """A rich console writing to `out`: ANSI styles only when styled, `width` wide, else the
    presentation's width, else the terminal's own when styled, else FILE_WIDTH."""
    from rich.console import Console

    fallback = None if presentation.styled else FILE_WIDTH  # None: rich asks the terminal
    return Console(
        file=out,
        width=width or presentation.width or fallback,
        force_terminal=presentation.styled,
        color_system="standard" if presentation.styled else None,
        highlight=False,
    )


def finish(text: str, presentation: Presentation) -> str:
    """What a console wrote, without the padding rich adds to every line when not styled."""
    # rich pads every line to the table's width; a file or pipe has no use for the spaces.
    if presentation.styled:
        return text
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def write_roster(plans: Iterable[Plan], presentation: Presentation, stream: IO[str]) -> None:
    """The roster as one table (it needs every plan before it can size its columns)."""
    stream.write(render_many(plans, presentation))


def render_agenda(agenda: Agenda, presentation: Presentation = PLAIN) -> str:
    """The agenda as a rich table: overdue first, then day by day, with flags."""
    from mil62sched.model.agenda import OVER_CAPACITY, OVERDUE

    tr = language(presentation.lang)
    headings = (
        *(N_("Date"), N_("Day"), N_("Participant"), N_("Visit"), N_("Window"), N_("Infusion")),
        N_("Flags"),
    )
    rows: list[tuple[str, ...]] = []
    styles: list[str | None] = []
    footnotes = Footnotes()
    for item in agenda.items:
        visit = item.visit
        style = None
        if presentation.styled and item.flags:
            style = "red" if OVERDUE in item.flags or OVER_CAPACITY in item.flags else "yellow"
        styles.append(style)
        off = "" if visit.working_day else day_text(visit, tr)
        rows.append(
            (
                footnotes.dated(visit, visit.date.isoformat()),
                f"{tr.weekday(visit.date, short=True)} {off}".strip(),
                item.participant,
                item.code,
                window_text(visit),
                label(visit, tr),
                tr(", ").join(tr(flag) for flag in item.flags),
            )
        )
    cells = [
        # The agenda's Day is the weekday and any day off: headed as a weekday in Chinese.
        _Column(
            heading,
            [row[i] for row in rows],
            label=tr("Weekday" if heading == "Day" and tr.chinese else heading),
        )
        for i, heading in enumerate(headings)
    ]
    out = io.StringIO()
    console = make_console(out, presentation)
    table, moved = _layout(cells, console.width, ("Participant", "Visit"), styles, tr)
    if agenda.unblinded:
        console.print(f"[bold white on red] {tr(UNBLINDED_NOTICE)} [/]")
    chairs = tr(", {chairs} a day", chairs=_chairs(agenda.chairs, tr)) if agenda.chairs else ""
    heading = tr(
        "Due {start} to {end}{chairs}",
        start=agenda.start.isoformat(),
        end=agenda.end.isoformat(),
        chairs=chairs,
    )
    console.print(literal(heading, style="bold"))
    untracked = untracked_note([u.participant for u in agenda.untracked])
    if untracked:
        _note(console, tr.message(untracked), tr, "bold" if presentation.styled else None)
    if not agenda.items:
        console.print(literal(tr("Nothing due and nothing overdue.")))
    else:
        console.print(table)
        for line in moved:
            console.print(literal(line))
        for line in footnotes.lines(tr):
            _note(console, line, tr, None)
    for day, count in agenda.over_capacity.items():
        line = tr(
            "* {day}: {count} infusions for {chairs}",
            day=day.isoformat(),
            count=count,
            chairs=_chairs(agenda.chairs, tr),
        )
        console.print(literal(line))
    return finish(out.getvalue(), presentation)


def _chairs(count: int | None, tr: Words = ENGLISH) -> str:
    """'1 chair', '2 chairs'.

    >>> _chairs(1), _chairs(2)
    ('1 chair', '2 chairs')
    """
    return tr(N_("{count} chair") if count == 1 else N_("{count} chairs"), count=count)


FORMAT = Format(
    name="table",
    extensions=(".txt",),
    render=render,
    write_roster=write_roster,
    render_agenda=render_agenda,
    terminal=True,
)
