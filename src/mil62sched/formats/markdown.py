"""Markdown: a table for notes and e-mails."""

from __future__ import annotations

import re

from mil62sched.formats import Format
from mil62sched.formats.certainty import Footnotes
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.table_columns import columns
from mil62sched.formats.wording import (
    UNBLINDED_NOTICE,
    about,
    holidays_used,
    language,
    notes,
    title,
)
from mil62sched.model.plan import Plan

# Backslash-escaped: a pipe would end a table cell; brackets and `<` make a link, an image or
# HTML; asterisk, tilde, backtick and ampersand emphasis, code or an entity; a backslash would
# escape the character after it. An underscore only where it could start or end emphasis: inside
# a word (`olp_start`) Markdown already shows it as it is.
_MARKDOWN = re.compile(r"[\\|\[\]<*~`&]|(?<![^\W_])_|_(?![^\W_])")


def literal(text: str) -> str:
    r"""`text` as Markdown that shows it as it is, on one line: line breaks become spaces.

    >>> print(literal("Site | closed\nall day"))
    Site \| closed all day
    >>> print(literal("_x_ in olp_start"))
    \_x\_ in olp_start
    """
    return _MARKDOWN.sub(lambda special: "\\" + special[0], " ".join(text.splitlines()))


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """The plan as a Markdown heading, pipe table and notes."""
    tr = language(presentation.lang)
    lines = [f"## {literal(title(plan, tr))}", ""]
    if plan.unblinded:
        lines += [f"> **{tr(UNBLINDED_NOTICE)}**", ""]
    footnotes = Footnotes()
    chosen = columns(plan, tr, footnotes)
    lines += [
        literal(about(plan, tr, count=False)),
        "",
        literal(tr.message(holidays_used(plan))),
        "",
        "| " + " | ".join(literal(tr(column.heading)) for column in chosen) + " |",
        "|" + "|".join("---:" if column.numeric else "---" for column in chosen) + "|",
    ]
    lines += [
        "| " + " | ".join(literal(column.text(visit)) for column in chosen) + " |"
        for visit in plan.visits
    ]
    extra = [*footnotes.lines(tr), *notes(plan, tr)]
    if extra:
        lines += ["", *(f"- {literal(line)}" for line in extra)]
    return "\n".join(lines) + "\n"


FORMAT = Format(name="md", extensions=(".md",), render=render)
