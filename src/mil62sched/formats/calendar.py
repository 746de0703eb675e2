"""`--format calendar`: month grids for the terminal, infusion days, windows and days off.

Declared here; drawn by `calendar_grid` (rich), which is imported only when a grid is drawn.
"""

from __future__ import annotations

from mil62sched.formats import Format
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.model.plan import Plan


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """The plan as month grids."""
    from mil62sched.formats import calendar_grid

    return calendar_grid.render(plan, presentation)


FORMAT = Format(name="calendar", extensions=(), render=render, terminal=True)
