"""HTML: the participant's printed visit card (one page), a roster's cards (one per printed
page) and the infusion room's list of what is due, in English and Chinese.

One self-contained page: styles inline, no script, nothing fetched. The templates are Jinja2
(package data under `templates/`) with autoescaping on, so text from a roster or a site file is
shown as text, never run as markup. Jinja2 is imported only when a page is made.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date
from typing import IO, TYPE_CHECKING, Any

from mil62sched import i18n
from mil62sched.formats import Format
from mil62sched.formats.certainty import TO_BE_CONFIRMED, Footnotes, why
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.wording import (
    NOT_WORKING,
    UNBLINDED_NOTICE,
    holiday_country,
    make_up_day,
    overdue,
    tracked,
    untracked_note,
)
from mil62sched.i18n import N_
from mil62sched.messages import C_, LITERAL, Localized, Message, Weekday, msg
from mil62sched.model.contact import SiteContact
from mil62sched.model.plan import Plan, Visit
from mil62sched.model.protocol import Protocol

if TYPE_CHECKING:
    from jinja2 import Environment

    from mil62sched.model.agenda import Agenda

LANGUAGES = ("en", "zh")
PAPERS = ("a4", "a5")
# A card of more visits than this lists them in two columns (a compact layout), so that it
# still prints on one page: SAkuraStar's 26 visits do; the longest built-in arm has 11.
MOST_IN_ONE_COLUMN = 12
# ... or of visits taking more lines than this (`_lines`): 11 visits each on a closed day,
# with a line more under each, spilled onto a second page in one column (about 40 lines).
MOST_LINES_IN_ONE_COLUMN = 30

# The card's words, by what they are for: English msgids, said in each of the card's languages
# through the catalogue (i18n).
WORDS: dict[str, str] = {
    "card": N_("Visit card"),
    "trial": N_("Trial"),
    "site": N_("Site"),
    "participant": N_("Participant"),
    "no_participant": N_("no participant ID"),
    "arm": N_("Arm"),
    "holidays": N_("Holidays"),
    "start": N_("First infusion (W1D1)"),
    "visit": N_("Visit"),
    "date": N_("Date"),
    "infusion": N_("Infusion"),
    "window": N_("Window"),
    "status": N_("Status"),
    "done": N_("done"),
    "missed": N_("missed"),
    "next": N_("next visit"),
    "overdue": N_("overdue"),
    # A visit the participant will not have: they entered the next period first.
    "dropped": C_("a dropped visit", "not given"),
    "contact": N_("Contact us"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "coordinator": N_("Coordinator"),
    "bring": N_("Please bring"),
    "call": N_("Call us if"),
    "unblinded": UNBLINDED_NOTICE,
    "agenda": N_("Infusion room: what is due"),
    "overdue_list": N_("Overdue (window closed, nothing recorded)"),
    "chairs_available": N_("chairs a day"),
    "chairs_used": N_("chairs used"),
    "infusions": N_("infusions"),
    "over": N_("over capacity"),
    "nothing_due": N_("Nothing is due in these days."),
    "flags": N_("Note"),
    "due today": N_("due today"),
    "non-working day": N_("non-working day"),
    "over capacity": N_("over capacity"),
    "window still open": N_("window still open"),
    # Visits that are not infusions (a protocol file's `kind`): what the visit is for.
    "screening": N_("Screening visit"),
    "assessment": N_("Assessment visit"),
    "end-of-treatment": N_("End-of-treatment visit"),
    "follow-up": N_("Follow-up visit"),
    # A roster's page of cards, as its title names it.
    "cards": N_("Visit cards"),
    # Before the day a visit was planned on, under the day it was done.
    "was": C_("before the day a visit was planned on", "planned"),
}

# The card's sentences made since issue 16, said through the message catalogue (i18n):
# a planned day the site does not work, with the holiday's (or the weekend's) name;
SITE_CLOSED = N_("site closed ({reason})")
# a weekend day the site works in exchange for a holiday, so that nobody takes it for a mistake;
MAKE_UP_DAY = N_("make-up working day")
# The card's footer: the protocol version it was planned on, when the file states one (issue 18).
VERSION_FOOTER = N_("Protocol {protocol}, version {version}")

# Used when the site file gives none: what any infusion visit asks of a participant.
DEFAULT_BRING = (
    N_("This card"),
    N_("Your ID card and medical insurance card"),
    N_("A list of the medicines you take"),
)
DEFAULT_CALL = (
    N_("You cannot come on the planned day"),
    N_("You have a fever or an infection"),
    N_("You have new or worse symptoms: eye pain, loss of vision, weakness, numbness"),
    N_("You feel unwell after an infusion"),
)


def check_paper(paper: str) -> str:
    """`--paper`: a4 or a5."""
    from mil62sched.errors import UsageError

    key = paper.strip().lower()
    if key not in PAPERS:
        raise UsageError(
            msg(N_("unknown paper size")),
            value=paper,
            accepted=msg(N_("accepted: {names}"), names=list(PAPERS)),
        )
    return key


def check_languages(lang: str | None) -> tuple[str, ...]:
    """`--lang`: en or zh for one language; none (or `both`) for both on one card."""
    from mil62sched.errors import UsageError

    if lang is None or lang.strip().lower() == "both":
        return LANGUAGES
    key = lang.strip().lower().replace("_", "-")
    key = "zh" if key.startswith("zh") else "en" if key.startswith("en") else key
    if key not in LANGUAGES:
        raise UsageError(
            msg(N_("unknown language")),
            value=lang,
            accepted=msg(N_("accepted: {names}"), names=[*LANGUAGES, "both"]),
        )
    return (key,)


class _Say:
    """The card's words in the chosen languages: `say("visit")` -> [("en", "Visit"), ...]."""

    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = tuple(languages)
        chinese = self.languages == ("zh",)
        # Punctuation after the words: full width after Chinese, else a colon and a space.
        self.colon = "：" if chinese else ": "
        self.open, self.close = ("（", "）") if chinese else ("(", ")")

    def __call__(self, key: str) -> list[tuple[str, str]]:
        return self.each(Message(WORDS[key]))

    def each(self, message: Message) -> list[tuple[str, str]]:
        """A message in each of the card's languages."""
        english, chinese = (i18n.render(message, lang) for lang in LANGUAGES)
        return self.pair((english, chinese))

    def pair(self, texts: tuple[str, str]) -> list[tuple[str, str]]:
        """One text in English and Chinese, kept in the chosen languages; said once when both
        read the same (a product and dose)."""
        chosen = [(lang, text) for lang, text in zip(LANGUAGES, texts, strict=True) if lang in self]
        return chosen[:1] if len({text for _, text in chosen}) == 1 else chosen

    def __contains__(self, lang: object) -> bool:
        return lang in self.languages


@functools.cache
def _environment() -> Environment:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("mil62sched.formats", "templates"),
        autoescape=True,  # every value is text, never markup
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _page(template: str, presentation: Presentation, **values: Any) -> str:
    say = _Say(presentation.languages)
    return (
        _environment()
        .get_template(template)
        .render(
            say=say,
            paper=presentation.paper,
            lang="zh-Hans" if say.languages == ("zh",) else "en",
            **values,
        )
    )


def _in_each(say: _Say, msgid: str, **values: object) -> list[tuple[str, str]]:
    """A catalogue message with its values, in the card's languages."""
    return say.each(Message(msgid, values))


def _term(say: _Say, text: str) -> list[tuple[str, str]]:
    """A word of the protocol file (an arm's title, a treatment's label) in the card's
    languages: the catalogue's, else as written."""
    return say.each(Message(LITERAL, {"text": Localized(text)}))


def _site_name(contact: SiteContact, say: _Say) -> list[tuple[str, str]]:
    """The site's name: in English and Chinese when the protocol gives both, else as written."""
    return say.pair((contact.name, contact.name_zh)) if contact.name_zh else [("", contact.name)]


def _site(protocol: Protocol, presentation: Presentation) -> dict[str, Any]:
    contact = presentation.contact or SiteContact.of(protocol)
    say = _Say(presentation.languages)
    return {
        "name": _site_name(contact, say),
        "address": contact.address,
        "phone": contact.phone,
        "coordinator": contact.coordinator,
        "contact": list(contact.contact),
        # The site's own lines as written; else the card's defaults in its languages.
        "bring": [[("", line)] for line in contact.what_to_bring]
        or [say.each(Message(item)) for item in DEFAULT_BRING],
        "call": [[("", line)] for line in contact.call_us_if]
        or [say.each(Message(item)) for item in DEFAULT_CALL],
    }


def _code(plan: Plan, visit: Visit, say: _Say) -> list[tuple[str, str]]:
    code = str(visit.code)
    english = f"{visit.period} {code}" if len(plan.periods) > 1 else code
    # The code itself (with its period, RCP or OLP, in a journey) is on every card, whatever
    # its languages: it is what the site's papers say. Its Chinese reading goes below it.
    said = reading(code)  # none of its own for a day before D1 (D-28 says it)
    return [("en", english)] + ([("zh", said)] if "zh" in say and said != code else [])


def reading(code: str) -> str:
    """A visit code as Chinese readers say it: WnDm is week n, day m.

    >>> reading("W1D1"), reading("W25D3")
    ('第1周第1天', '第25周第3天')
    """
    return i18n.words("zh").reading(code)


def _weekday(day: date, say: _Say) -> list[tuple[str, str]]:
    return say.each(Message(LITERAL, {"text": Weekday(day, short=True)}))


def _given(visit: Visit, say: _Say) -> list[tuple[str, str]]:
    """What is infused, or what a visit that is not an infusion is for."""
    if visit.kind != "infusion":
        return say(visit.kind) if visit.kind in WORDS else [("en", visit.kind)]
    return _term(say, visit.treatment.label)


def _window(visit: Visit) -> list[str]:
    """The window's first and last day, or nothing without a window."""
    if visit.window_start is None or visit.window_end is None:
        return []
    return [visit.window_start.isoformat(), visit.window_end.isoformat()]


def _next_visit(plan: Plan) -> Visit | None:
    """The first planned visit on or after the plan's today."""
    today = plan.policy.today
    if today is None:
        return None
    return next((v for v in plan.visits if v.status == "planned" and v.date >= today), None)


def _visit_row(
    plan: Plan, visit: Visit, say: _Say, footnotes: Footnotes, *, is_next: bool, is_tracked: bool
) -> dict[str, Any]:
    late = overdue(plan, visit, is_tracked)
    if visit.status == "done":
        mark, status = "✓", say("done")
    elif visit.status == "missed":
        mark, status = "✗", say("missed")
    elif visit.status == "dropped":
        mark, status = "–", say("dropped")
    elif is_next:
        mark, status = "►", say("next")
    elif late:
        mark, status = "!", say("overdue")
    else:
        mark, status = "", []
    when = visit.date  # the actual date once done
    window = _window(visit)
    # A planned day the site does not work (a weekend, a holiday) that --adjust did not move:
    # the card says so, and why, for the coordinator to settle before the participant takes it
    # home; a planned weekend day the site works says that it does.
    closed = visit.status == "planned" and not visit.working_day and not visit.moved
    make_up = visit.status == "planned" and make_up_day(plan, visit.date)
    return {
        "closed": _closed(visit, say, plan.policy.site) if closed else [],
        "make_up": _in_each(say, MAKE_UP_DAY) if make_up else [],
        "code": _code(plan, visit, say),
        "date": when.isoformat(),
        # A date that is not firm: the numbers of its footnotes, as a superscript.
        "tbc": ",".join(map(str, footnotes.numbers(visit))),
        # A done visit off its protocol date says, below, the day it was planned for.
        "planned": visit.target.isoformat()
        if visit.status == "done" and when != visit.target
        else "",
        "weekday": _weekday(when, say),
        "infusion": _given(visit, say),
        "other": [],  # what a compact card says under the code (`card` sets it)
        "window": window,
        "mark": mark,
        "status": status,
        "state": "next" if is_next else visit.status,
    }


def _footnotes(footnotes: Footnotes, say: _Say) -> dict[str, Any]:
    """Each footnote met, by number, in the page's languages: "Date to be confirmed" said
    once, then why each numbered date is (a card in two languages has no line to spare)."""
    notes = footnotes.notes()
    chinese = i18n.words("zh")
    return {
        "heading": _in_each(say, TO_BE_CONFIRMED) if notes else [],
        "notes": [(number, say.pair((why(d), why(d, chinese)))) for number, d in notes],
    }


def _lines(row: dict[str, Any]) -> int:
    """About how many lines a visit's row takes on the card: its code or date and weekday, and
    the lines said under them or below the row."""
    return 2 + bool(row["make_up"]) + bool(row["planned"]) + len(row["other"]) + len(row["closed"])


def _balanced(rows: list[dict[str, Any]]) -> int:
    """Where to split the rows into two columns of about the same height (rows in order, the
    first column not the shorter one on a tie)."""
    lines = [_lines(row) for row in rows]
    total = sum(lines)
    best, best_height, above = 1, total, 0
    for split in range(1, len(rows)):
        above += lines[split - 1]
        height = max(above, total - above)
        if height < best_height or (height == best_height and above >= total - above):
            best, best_height = split, height
    return best


def _common_label(plan: Plan) -> str | None:
    """The treatment label most infusions of the plan share (the first such, on a tie)."""
    from collections import Counter

    labels = Counter(v.treatment.label for v in plan.visits if v.kind == "infusion")
    return labels.most_common(1)[0][0] if labels else None


def card(plan: Plan, presentation: Presentation) -> dict[str, Any]:
    """The values one card shows.

    A long schedule (more than MOST_IN_ONE_COLUMN visits, or MOST_LINES_IN_ONE_COLUMN lines)
    is compact: its visits in two columns, what most infusions give said once above them (a
    visit that gives something else, or is no infusion, says what under its code), and no
    status words (the marks and the legend say them). In either layout a closed day is said on
    a line of its own under its visit.
    """
    say = _Say(presentation.languages)
    following = _next_visit(plan)
    is_tracked = tracked(plan)
    footnotes = Footnotes()
    rows = [
        _visit_row(plan, v, say, footnotes, is_next=v is following, is_tracked=is_tracked)
        for v in plan.visits
    ]
    compact = len(rows) > MOST_IN_ONE_COLUMN or sum(map(_lines, rows)) > MOST_LINES_IN_ONE_COLUMN
    common = _common_label(plan) if compact else None
    for row, visit in zip(rows, plan.visits, strict=True):
        gives_the_common = visit.kind == "infusion" and visit.treatment.label == common
        row["other"] = row["infusion"] if compact and not gives_the_common else []
    half = _balanced(rows) if compact else len(rows)
    parts = [(0, half), (half, len(rows))] if compact else [(0, len(rows))]
    return {
        "compact": compact,
        "infusion": _term(say, common) if common else [],
        # Each column of visits with a window column when any of its visits has a window.
        "columns": [
            {
                "rows": rows[first:last],
                "windows": any(v.window is not None for v in plan.visits[first:last]),
            }
            for first, last in parts
        ],
        "unblinded": plan.unblinded,
        "title": card_title(plan),
        "trial": _trial(plan),
        "site": _site(plan.protocol, presentation),
        # Why a marked date is to be confirmed, once per reason (issue 16 #3).
        "footnotes": _footnotes(footnotes, say),
        "version": []
        if plan.protocol.version is None
        else _in_each(
            say, VERSION_FOOTER, protocol=plan.protocol.id, version=plan.protocol.version
        ),
        "participant": plan.participant,
        "arm": plan.arm.name,
        "arm_title": _term(say, plan.arm.title),
        "holidays": say.each(holiday_country(plan)),
        "start": plan.start.isoformat(),
    }


def _trial(plan: Plan) -> str:
    return f"{plan.protocol.id} ({plan.protocol.registry})"


def card_title(plan: Plan) -> str:
    """The title of a participant's card, its page's and its PDF's: the trial and the participant
    (the start date when there is none), after UNBLINDED on an unblinded plan."""
    loud = "UNBLINDED " if plan.unblinded else ""
    return f"{loud}{_trial(plan)} {plan.participant or plan.start.isoformat()}"


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """One participant's visit card as a self-contained HTML page."""
    return _page("card.html.j2", presentation, cards=[card(plan, presentation)])


def write_roster(plans: Iterable[Plan], presentation: Presentation, stream: IO[str]) -> None:
    """Every participant's card in one page, one card per printed page, written as each comes."""
    # The page's title is the roster's name, which says UNBLINDED when any arm is.
    cards = " · ".join(dict.fromkeys(text for _, text in _Say(presentation.languages)("cards")))
    page = _page(
        "roster.html.j2", presentation, cards=[], heading=presentation.heading, title=cards
    )
    head, tail = page.split("<!-- cards -->")
    stream.write(head)
    card_template = _environment().get_template("one_card.html.j2")
    say = _Say(presentation.languages)
    for plan in plans:
        stream.write(card_template.render(say=say, card=card(plan, presentation)))
    stream.write(tail)


def _closed(visit: Visit, say: _Say, site: object) -> list[tuple[str, str]]:
    """'site closed (National Day)' / '停诊（国庆节）': the planned day's reason in each language
    (the holiday's name from the holiday data, in Chinese its zh_CN name; 周末 for a weekend)."""
    return _in_each(say, SITE_CLOSED, reason=visit.non_working_reason or NOT_WORKING)


def _flag(flag: str, visit: Visit, say: _Say, site: object = None) -> list[tuple[str, str]]:
    """An agenda flag in the page's languages; a non-working day says which (the holiday's
    name as the holiday data gives it, in Chinese from the `holidays` package's zh_CN names)."""
    words = say(flag) if flag in WORDS else [("en", flag)]
    reason = visit.non_working_reason
    if flag != "non-working day" or not reason:
        return words
    return say.each(msg(N_("{flag}: {reason}"), flag=Localized(WORDS[flag]), reason=reason))


def agenda_days(agenda: Agenda, presentation: Presentation) -> dict[str, Any]:
    """The values of the infusion room's list: overdue first, then day by day with chairs."""
    say = _Say(presentation.languages)
    footnotes = Footnotes()

    def line(item: Any) -> dict[str, Any]:
        visit = item.visit
        zh = reading(item.code.split()[-1])
        return {
            "participant": item.participant,
            "code": [("en", item.code)]
            + ([("zh", zh)] if "zh" in say and zh not in item.code else []),
            "tbc": ",".join(map(str, footnotes.numbers(visit))),
            "date": visit.date.isoformat(),
            "weekday": _weekday(visit.date, say),
            "window": _window(visit),
            "infusion": _given(visit, say),
            "flags": [_flag(flag, visit, say, item.site) for flag in item.flags],
            "overdue": "overdue" in item.flags,
        }

    overdue_items = [line(item) for item in agenda.items if "overdue" in item.flags]
    days: dict[str, dict[str, Any]] = {}
    for item in agenda.items:
        if "overdue" in item.flags:
            continue
        day = item.visit.date
        entry = days.setdefault(
            day.isoformat(),
            {
                "date": day.isoformat(),
                "weekday": _weekday(day, say),
                # Chairs are counted for the days the agenda covers; a visit still in its
                # window from before them is listed under its own day, uncounted.
                "used": agenda.chairs_used.get(day, 0)
                if agenda.start <= day <= agenda.end
                else None,
                "over": day in agenda.over_capacity,
                "lines": [],
            },
        )
        entry["lines"].append(line(item))
    room = msg(N_("Infusion room {start} – {end}"), start=agenda.start, end=agenda.end)
    if agenda.unblinded:
        room = msg(N_("UNBLINDED {name}"), name=room)

    names = [u.participant for u in agenda.untracked]
    untracked = untracked_note(names)
    return {
        "title": " · ".join(dict.fromkeys(text for _, text in say.each(room))),
        "unblinded": agenda.unblinded,
        "untracked": say.each(untracked) if untracked else [],
        "start": agenda.start.isoformat(),
        "end": agenda.end.isoformat(),
        "chairs": agenda.chairs,
        "site": _site_name(presentation.contact, say) if presentation.contact else None,
        "overdue": overdue_items,
        "days": list(days.values()),
        "footnotes": _footnotes(footnotes, say),
    }


def render_agenda(agenda: Agenda, presentation: Presentation = PLAIN) -> str:
    """The infusion room's list as a self-contained HTML page."""
    return _page("agenda.html.j2", presentation, agenda=agenda_days(agenda, presentation))


FORMAT = Format(
    name="html",
    extensions=(".html", ".htm"),
    render=render,
    write_roster=write_roster,
    render_agenda=render_agenda,
    named=True,
    printed=True,
)
