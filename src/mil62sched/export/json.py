"""JSON: one object per plan; the public contract documented in the README."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import IO

from mil62sched.engine import Plan
from mil62sched.export import PLAIN, Presentation
from mil62sched.export.fields import plan_fields, visit_fields


def document(plan: Plan) -> dict[str, object]:
    """The plan as JSON-ready values, keys in a stable order."""
    return {**plan_fields(plan), "visits": [visit_fields(v) for v in plan.visits]}


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """The plan as a JSON document."""
    return json.dumps(document(plan), indent=2, ensure_ascii=False) + "\n"


def write_many(plans: Iterable[Plan], presentation: Presentation, stream: IO[str]) -> None:
    """A JSON array of plan documents, written one plan at a time."""
    stream.write("[")
    for number, plan in enumerate(plans):
        stream.write(",\n" if number else "\n")
        text = json.dumps(document(plan), indent=2, ensure_ascii=False)
        stream.write("  " + text.replace("\n", "\n  "))
    stream.write("\n]\n")
