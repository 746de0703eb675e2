"""JSON: one object per plan; the public contract documented in the README."""

from __future__ import annotations

import json

from mil62sched.engine import Plan
from mil62sched.export.fields import plan_fields, visit_fields


def render(plan: Plan, *, styled: bool = False) -> str:
    """The plan as a JSON document, keys in a stable order."""
    document = {**plan_fields(plan), "visits": [visit_fields(v) for v in plan.visits]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
