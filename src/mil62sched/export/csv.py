"""CSV: a header and one row per infusion, for spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from mil62sched.engine import Plan
from mil62sched.export.fields import visit_fields

HEADER = (
    "protocol", "arm", "masking", "participant", "start",
    "code", "study_day", "date", "weekday", "treatment", "dose_mg", "blinded", "period",
)  # fmt: skip


def rows(plan: Plan) -> Iterator[list[Any]]:
    """One row per infusion, in HEADER's order."""
    head = [plan.protocol.id, plan.schedule.name, plan.schedule.masking, plan.participant or ""]
    for visit in plan.visits:
        fields = visit_fields(visit)
        dose = fields["dose_mg"]
        yield [
            *head, plan.start.isoformat(),
            fields["code"], fields["study_day"], fields["date"], fields["weekday"],
            fields["treatment"], "" if dose is None else dose,
            "true" if fields["blinded"] else "false", fields["period"],
        ]  # fmt: skip


def render(plan: Plan, *, styled: bool = False) -> str:
    """The plan as CSV text with Unix line endings."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(plan))
    return out.getvalue()
