"""The terminal table (rich): visit code, study day, date, weekday and what is infused."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

from mil62sched.formats import Format
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.table_columns import columns
from mil62sched.formats.wording import (
    UNBLINDED_NOTICE,
    day_text,
    notes,
    record_text,
    title,
    window_text,
)
from mil62sched.model.plan import Plan

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from mil62sched.roster.agenda import Agenda

# A file or pipe gets the table at its natural width (up to this); a terminal gets its own width.
FILE_WIDTH = 200


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """The plan as a rich table; ANSI styles only when styled (a terminal)."""
    from rich import box
    from rich.table import Table

    styled = presentation.styled
    table = Table(box=box.SIMPLE_HEAVY)
    chosen = columns(plan)
    for column in chosen:
        table.add_column(column.heading, justify="right" if column.numeric else "left")
    for visit in plan.visits:
        style = None
        if styled:
            if visit.status == "missed" or visit.note:
                style = "red"
            elif not visit.working_day and not visit.moved:
                style = "magenta"
            elif visit.treatment.blinded:
                style = "yellow"
        table.add_row(*(literal(column.text(visit)) for column in chosen), style=style)
    out = io.StringIO()
    console = make_console(out, presentation)
    if plan.unblinded:
        console.print(f"[bold white on red] {UNBLINDED_NOTICE} [/]")
    console.print(literal(title(plan), style="bold"))
    console.print(literal(f"{plan.arm.title}: {len(plan.given)} infusions. "), end="")
    console.print(literal(f"Source: {plan.protocol.registry} registry text."))
    console.print(table)
    notes_console = make_console(out, presentation, width=min(presentation.width or 100, 100))
    for line in notes(plan):
        notes_console.print(literal(f"* {line}"), style="bold" if styled else None)
    return finish(out.getvalue(), presentation)


def render_many(plans: Iterable[Plan], presentation: Presentation = PLAIN) -> str:
    """Every plan's visits in one table, one row per infusion, participant first."""
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAVY)
    for heading in ("Participant", "Arm", "Visit", "Period", "Date", "Weekday", "Infusion"):
        table.add_column(heading)
    table.add_column("Window")
    table.add_column("Day")
    table.add_column("Record")
    unblinded = False
    count = 0
    remarks: list[str] = []
    for plan in plans:
        unblinded = unblinded or plan.unblinded
        count += 1
        remarks += [f"{plan.participant or plan.start.isoformat()}: {line}" for line in notes(plan)]
        for visit in plan.visits:
            cells = (
                plan.participant or "",
                plan.arm.name,
                str(visit.code),
                visit.period,
                visit.date.isoformat(),
                f"{visit.date:%a}",
                visit.treatment.label,
                window_text(visit),
                day_text(visit),
                record_text(visit),
            )
            table.add_row(*(literal(cell) for cell in cells))
    out = io.StringIO()
    console = make_console(out, presentation)
    if unblinded:
        console.print(f"[bold white on red] {UNBLINDED_NOTICE} [/]")
    console.print(f"[bold]{count} participants[/]")
    console.print(table)
    for line in remarks:
        console.print(literal(f"* {line}"), style="bold" if presentation.styled else None)
    return finish(out.getvalue(), presentation)


def literal(text: str, style: str = "") -> Text:
    """`text` for rich as it is: never read as markup (`[/]`, `[link=...]`) or emoji codes.

    Everything built from data (holiday names, IDs, titles from files) goes through here; only
    our own fixed banners use markup.
    """
    from rich.text import Text

    return Text(text, style=style)


def make_console(out: io.StringIO, presentation: Presentation, width: int | None = None) -> Console:
    """A rich console writing to `out`: ANSI styles only when styled, at the terminal's width
    (else `width`, else FILE_WIDTH)."""
    from rich.console import Console

    return Console(
        file=out,
        width=width or presentation.width or FILE_WIDTH,
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
    from rich import box
    from rich.table import Table

    from mil62sched.roster.agenda import OVER_CAPACITY, OVERDUE

    table = Table(box=box.SIMPLE_HEAVY)
    for heading in ("Date", "Day", "Participant", "Visit", "Window", "Infusion", "Flags"):
        table.add_column(heading)
    for item in agenda.items:
        visit = item.visit
        style = None
        if presentation.styled and item.flags:
            style = "red" if OVERDUE in item.flags or OVER_CAPACITY in item.flags else "yellow"
        cells = (
            visit.date.isoformat(),
            f"{visit.date:%a} {day_text(visit) if not visit.working_day else ''}".strip(),
            item.participant,
            item.code,
            window_text(visit),
            visit.treatment.label,
            ", ".join(item.flags),
        )
        table.add_row(*(literal(cell) for cell in cells), style=style)
    out = io.StringIO()
    console = make_console(out, presentation)
    if agenda.unblinded:
        console.print(f"[bold white on red] {UNBLINDED_NOTICE} [/]")
    chairs = f", {_chairs(agenda.chairs)} a day" if agenda.chairs else ""
    console.print(f"[bold]Due {agenda.start.isoformat()} to {agenda.end.isoformat()}{chairs}[/]")
    if not agenda.items:
        console.print("Nothing due and nothing overdue.")
    else:
        console.print(table)
    for day, count in agenda.over_capacity.items():
        console.print(f"* {day.isoformat()}: {count} infusions for {_chairs(agenda.chairs)}")
    return finish(out.getvalue(), presentation)


def _chairs(count: int | None) -> str:
    """'1 chair', '2 chairs'.

    >>> _chairs(1), _chairs(2)
    ('1 chair', '2 chairs')
    """
    return f"{count} chair{'' if count == 1 else 's'}"


FORMAT = Format(
    name="table",
    extensions=(".txt",),
    render=render,
    write_roster=write_roster,
    render_agenda=render_agenda,
    terminal=True,
)
