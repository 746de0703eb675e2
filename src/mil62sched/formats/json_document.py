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


def indented(value: object, newline: str = "\n") -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)`, byte for byte, its lines starting
    with `newline` (a deeper one nests it in an array), its keys strings.

    json.dumps encodes an indented document in pure Python, several times slower than its C
    encoder (65 % of a roster's JSON, issue 21): here the C encoder writes every run of
    scalars, such as a whole visit, with the indent in its item separator, and only the few
    objects and arrays around them are laid out in Python."""
    inner = newline + "  "
    flat = _flat.get(inner)
    if flat is None:
        flat = _flat[inner] = json.JSONEncoder(ensure_ascii=False, separators=("," + inner, ": "))
    if isinstance(value, dict) and value:
        if _SCALARS.issuperset(map(type, value.values())):  # a visit: all in C
            return "{" + inner + flat.encode(value)[1:-1] + newline + "}"
        parts = []
        run: dict[str, object] = {}  # scalars (and empty arrays and objects) in a row
        for key, item in value.items():
            if isinstance(item, (dict, list, tuple)) and item:
                if run:
                    parts.append(flat.encode(run)[1:-1])
                    run = {}
                parts.append(flat.encode(key) + ": " + indented(item, inner))
            else:
                run[key] = item
        if run:
            parts.append(flat.encode(run)[1:-1])
        return "{" + inner + ("," + inner).join(parts) + newline + "}"
    if isinstance(value, (list, tuple)) and value:
        if _SCALARS.issuperset(map(type, value)):
            return "[" + inner + flat.encode(value)[1:-1] + newline + "]"
        items = (indented(item, inner) for item in value)
        return "[" + inner + ("," + inner).join(items) + newline + "]"
    return flat.encode(value)


_SCALARS = frozenset((str, int, float, bool, type(None)))
_flat: dict[str, json.JSONEncoder] = {}  # by indent: an encoder for each depth of nesting


def render(
    plan: Plan, presentation: Presentation = PLAIN, over_full: Container[date] | None = None
) -> str:
    """The plan as a JSON document."""
    return indented(document(plan, over_full)) + "\n"


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
        stream.write("  " + indented(document(plan, over_full), "\n  "))
    stream.write("\n]\n")


def render_agenda(agenda: Agenda, presentation: Presentation = PLAIN) -> str:
    """The agenda as one JSON object."""
    return indented(agenda_document(agenda)) + "\n"


FORMAT = Format(
    name="json",
    extensions=(".json",),
    render=render,
    write_roster=write_many,
    render_agenda=render_agenda,
)
