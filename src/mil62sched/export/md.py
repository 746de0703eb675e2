"""Markdown: a table for notes and e-mails."""

from __future__ import annotations

from mil62sched.engine import Plan
from mil62sched.export.fields import UNBLINDED_NOTICE, title


def render(plan: Plan, *, styled: bool = False) -> str:
    """The plan as a Markdown heading and pipe table."""
    lines = [f"## {title(plan)}", ""]
    if plan.unblinded:
        lines += [f"> **{UNBLINDED_NOTICE}**", ""]
    lines += [
        f"{plan.schedule.title}. Source: {plan.protocol.registry} registry text.",
        "",
        "| Visit | Study day | Date | Weekday | Infusion |",
        "|---|---:|---|---|---|",
    ]
    lines += [
        f"| {v.code} | {v.study_day} | {v.date.isoformat()} | {v.date:%A} | {v.treatment.label} |"
        for v in plan.visits
    ]
    return "\n".join(lines) + "\n"
