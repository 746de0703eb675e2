"""JSON: one object per plan; the public contract documented in the README."""

from __future__ import annotations

import json
from collections.abc import Container, Iterable
from datetime import date
from typing import IO, TYPE_CHECKING

from mil62sched.formats import Format
from mil62sched.formats.contract import agenda_document, plan_fields, plan_visits
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.model.plan import Plan

if TYPE_CHECKING:
    from mil62sched.model.agenda import Agenda


def document(plan: Plan, over_full: Container[date] | None = None) -> dict[str, object]:
    """The plan as JSON-ready values, keys in a stable order; `over_full`: the site's days with
    more infusions than chairs, when chairs were counted."""
    return {**plan_fields(plan), "visits": plan_visits(plan, over_full)}


def render(
    plan: Plan, presentation: Presentation = PLAIN, over_full: Container[date] | None = None
) -> str:
    """The plan as a JSON document."""
    return json.dumps(document(plan, over_full), indent=2, ensure_ascii=False) + "\n"


def write_many(
    plans: Iterable[Plan],
    presentation: Presentation,
    stream: IO[str],
    over_full: Container[date] | None = None,
) -> None:
    """A JSON array of plan documents, written one plan at a time."""
    stream.write("[")
    for number, plan in enumerate(plans):
        stream.write(",\n" if number else "\n")
        text = json.dumps(document(plan, over_full), indent=2, ensure_ascii=False)
        stream.write("  " + text.replace("\n", "\n  "))
    stream.write("\n]\n")


def render_agenda(agenda: Agenda, presentation: Presentation = PLAIN) -> str:
    """The agenda as one JSON object."""
    return json.dumps(agenda_document(agenda), indent=2, ensure_ascii=False) + "\n"


FORMAT = Format(
    name="json",
    extensions=(".json",),
    render=render,
    write_roster=write_many,
    render_agenda=render_agenda,
)
