"""The terminal table (rich): visit code, study day, date, weekday and what is infused."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table

from mil62sched.engine import Plan
from mil62sched.export.fields import UNBLINDED_NOTICE, title

FILE_WIDTH = 100


def render(plan: Plan, *, styled: bool = False, width: int | None = None) -> str:
    """The plan as a rich table; ANSI styles only when `styled` (a terminal)."""
    table = Table(box=box.SIMPLE_HEAVY, title_justify="left")
    table.add_column("Visit", style="bold")
    table.add_column("Study day", justify="right")
    table.add_column("Date")
    table.add_column("Weekday")
    table.add_column("Infusion")
    for visit in plan.visits:
        style = "yellow" if visit.treatment.blinded else None
        table.add_row(
            str(visit.code),
            str(visit.study_day),
            visit.date.isoformat(),
            f"{visit.date:%a}",
            visit.treatment.label,
            style=style if styled else None,
        )
    out = io.StringIO()
    console = Console(
        file=out,
        width=width or FILE_WIDTH,
        force_terminal=styled,
        color_system="standard" if styled else None,
        highlight=False,
    )
    if plan.unblinded:
        console.print(f"[bold white on red] {UNBLINDED_NOTICE} [/]")
    console.print(f"[bold]{title(plan)}[/]")
    console.print(f"{plan.schedule.title}: {len(plan.visits)} infusions. ", end="")
    console.print(f"Source: {plan.protocol.registry} registry text.")
    console.print(table)
    text = out.getvalue()
    # rich pads every line to the table's width; a file or pipe has no use for the spaces.
    return text if styled else "\n".join(line.rstrip() for line in text.splitlines()) + "\n"
