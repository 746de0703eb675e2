"""Markdown: a table for notes and e-mails."""

from __future__ import annotations

from mil62sched.formats import Format
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.table_columns import columns
from mil62sched.formats.wording import UNBLINDED_NOTICE, notes, title
from mil62sched.model.plan import Plan


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """The plan as a Markdown heading, pipe table and notes."""
    lines = [f"## {title(plan)}", ""]
    if plan.unblinded:
        lines += [f"> **{UNBLINDED_NOTICE}**", ""]
    chosen = columns(plan)
    lines += [
        f"{plan.arm.title}. Source: {plan.protocol.registry} registry text.",
        "",
        "| " + " | ".join(column.heading for column in chosen) + " |",
        "|" + "|".join("---:" if column.numeric else "---" for column in chosen) + "|",
    ]
    lines += [
        "| " + " | ".join(column.text(visit) for column in chosen) + " |" for visit in plan.visits
    ]
    extra = notes(plan)
    if extra:
        lines += ["", *(f"- {line}" for line in extra)]
    return "\n".join(lines) + "\n"


FORMAT = Format(name="md", extensions=(".md",), render=render)
