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
from mil62sched.formats.presentation import PLAIN, Presentation
from mil62sched.formats.wording import (
    UNBLINDED_NOTICE,
    after_study_completion,
    local_names,
    make_up_day,
    overdue,
    reason_text,
    tracked,
    untracked_note,
)
from mil62sched.i18n import N_
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

# The card's words in both languages, until the project's message catalogues reach this format.
WORDS: dict[str, tuple[str, str]] = {
    "card": ("Visit card", "访视卡"),
    "trial": ("Trial", "临床试验"),
    "site": ("Site", "研究中心"),
    "participant": ("Participant", "受试者编号"),
    "no_participant": ("no participant ID", "无受试者编号"),
    "arm": ("Arm", "组别"),
    "start": ("First infusion (W1D1)", "首次输注（第1周第1天）"),
    "visit": ("Visit", "访视"),
    "date": ("Date", "日期"),
    "infusion": ("Infusion", "输注"),
    "window": ("Window", "访视窗"),
    "status": ("Status", "状态"),
    "done": ("done", "已完成"),
    "missed": ("missed", "已错过"),
    "next": ("next visit", "下次访视"),
    "overdue": ("overdue", "已逾期"),
    "dropped": ("not given", "不再输注"),
    "planned": ("planned", "计划"),
    "contact": ("Contact us", "联系我们"),
    "address": ("Address", "地址"),
    "phone": ("Phone", "电话"),
    "coordinator": ("Coordinator", "研究协调员"),
    "bring": ("Please bring", "请携带"),
    "call": ("Call us if", "出现以下情况请致电"),
    "unblinded": (UNBLINDED_NOTICE, "非盲：显示治疗分配。仅限非盲药师。"),
    "agenda": ("Infusion room: what is due", "输注室：待输注列表"),
    "overdue_list": ("Overdue (window closed, nothing recorded)", "已逾期（访视窗已过，未记录）"),
    "chairs_available": ("chairs a day", "每日输注椅"),
    "chairs_used": ("chairs used", "已用输注椅"),
    "infusions": ("infusions", "输注人次"),
    "over": ("over capacity", "超出容量"),
    "nothing_due": ("Nothing is due in these days.", "这段时间没有待输注的访视。"),
    "flags": ("Note", "提示"),
    "due today": ("due today", "今日到期"),
    "non-working day": ("non-working day", "非工作日"),
    "over capacity": ("over capacity", "超出容量"),
    "window still open": ("window still open", "访视窗仍开放"),
    # Visits that are not infusions (a protocol file's `kind`): what the visit is for.
    "screening": ("Screening visit", "筛选访视"),
    "assessment": ("Assessment visit", "评估访视"),
    "end-of-treatment": ("End-of-treatment visit", "治疗结束访视"),
    "follow-up": ("Follow-up visit", "随访"),
}

# The card's sentences made since issue 16, said through the message catalogue (i18n):
# a planned day the site does not work, with the holiday's (or the weekend's) name;
SITE_CLOSED = N_("site closed ({reason})")
# a weekend day the site works in exchange for a holiday, so that nobody takes it for a mistake;
MAKE_UP_DAY = N_("make-up working day")
# visits after the registry's study completion date, which may move by amendment.
AFTER_COMPLETION = N_("Visits after the registry's study completion date ({date}) may change.")
# The card's footer: the protocol version it was planned on, when the file states one (issue 18).
VERSION_FOOTER = N_("Protocol {protocol}, version {version}")

# Used when the site file gives none: what any infusion visit asks of a participant.
DEFAULT_BRING: tuple[tuple[str, str], ...] = (
    ("This card", "本卡"),
    ("Your ID card and medical insurance card", "身份证和医保卡"),
    ("A list of the medicines you take", "正在服用的药物清单"),
)
DEFAULT_CALL: tuple[tuple[str, str], ...] = (
    ("You cannot come on the planned day", "无法在计划日期前来"),
    ("You have a fever or an infection", "发热或出现感染"),
    (
        "You have new or worse symptoms: eye pain, loss of vision, weakness, numbness",
        "出现新的或加重的症状：眼痛、视力下降、无力、麻木",
    ),
    ("You feel unwell after an infusion", "输注后感到不适"),
)

WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAYS_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
# The built-in arms' titles in Chinese; an arm not listed here keeps its English title.
ARM_TITLES_ZH = {
    "phase1b-500": "1b期，MIL62 500 mg",
    "phase1b-1000": "1b期，MIL62 1000 mg",
    "phase3-rcp": "3期随机对照期（设盲）",
    "phase3-rcp-mil62": "3期随机对照期，MIL62组",
    "phase3-rcp-placebo": "3期随机对照期，安慰剂组",
    "phase3-olp": "3期开放标签期（第3周第1天设盲）",
    "phase3-olp-from-mil62": "3期开放标签期，来自MIL62组",
    "phase3-olp-from-placebo": "3期开放标签期，来自安慰剂组",
    "phase3": "3期：随机对照期，然后开放标签期（设盲）",
    "phase3-mil62": "3期全程，MIL62组：随机对照期后开放标签期",
    "phase3-placebo": "3期全程，安慰剂组：随机对照期后开放标签期",
}
# Treatment words, longest first so that the blinded label is read as one phrase.
TREATMENTS_ZH = (
    ("MIL62 1000 mg or matching placebo", "MIL62 1000 mg 或匹配安慰剂"),
    ("Matching placebo", "匹配安慰剂"),
)


def chinese_code(code: str) -> str:
    """A visit code as Chinese readers say it: WnDm is week n, day m; Dn is study day n.

    >>> chinese_code("W1D1"), chinese_code("W25D3"), chinese_code("D15"), chinese_code("D-28")
    ('第1周第1天', '第25周第3天', '第15天', '第-28天')
    """
    text = code.strip().upper()
    if text.startswith("D"):
        return f"第{text[1:]}天"
    week, day = text[1:].split("D")
    return f"第{week}周第{day}天"


def chinese_treatment(label: str) -> str:
    """A treatment label in Chinese (the product and dose stay as written).

    >>> chinese_treatment("MIL62 1000 mg or matching placebo")
    'MIL62 1000 mg 或匹配安慰剂'
    """
    for english, chinese in TREATMENTS_ZH:
        if label == english:
            return chinese
    return label


def check_paper(paper: str) -> str:
    """`--paper`: a4 or a5."""
    from mil62sched.errors import UsageError

    key = paper.strip().lower()
    if key not in PAPERS:
        raise UsageError(
            "unknown paper size", value=paper, accepted=f"accepted: {', '.join(PAPERS)}"
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
        raise UsageError("unknown language", value=lang, accepted="accepted: en, zh, both")
    return (key,)


class _Say:
    """The card's words in the chosen languages: `say("visit")` -> [("en", "Visit"), ...]."""

    def __init__(self, languages: Sequence[str]) -> None:
        self.languages = tuple(languages)

    def __call__(self, key: str) -> list[tuple[str, str]]:
        return self.pair(WORDS[key])

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
    english, chinese = (i18n.words(lang)(msgid, **values) for lang in LANGUAGES)
    return say.pair((english, chinese))


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
        or [say.pair(item) for item in DEFAULT_BRING],
        "call": [[("", line)] for line in contact.call_us_if]
        or [say.pair(item) for item in DEFAULT_CALL],
    }


def _code(plan: Plan, visit: Visit, say: _Say) -> list[tuple[str, str]]:
    code = str(visit.code)
    english = f"{visit.period} {code}" if len(plan.periods) > 1 else code
    # The code itself (with its period, RCP or OLP, in a journey) is on every card, whatever
    # its languages: it is what the site's papers say. Its Chinese reading goes below it.
    return [("en", english)] + ([("zh", chinese_code(code))] if "zh" in say else [])


def _weekday(day: date, say: _Say) -> list[tuple[str, str]]:
    return say.pair((WEEKDAYS_EN[day.weekday()], WEEKDAYS_ZH[day.weekday()]))


def _given(visit: Visit, say: _Say) -> list[tuple[str, str]]:
    """What is infused, or what a visit that is not an infusion is for."""
    if visit.kind != "infusion":
        return say(visit.kind) if visit.kind in WORDS else [("en", visit.kind)]
    label = visit.treatment.label
    return say.pair((label, chinese_treatment(label)))


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
    plan: Plan, visit: Visit, say: _Say, *, is_next: bool, is_tracked: bool
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
        # A done visit off its protocol date says, below, the day it was planned for.
        "planned": visit.target.isoformat()
        if visit.status == "done" and when != visit.target
        else "",
        "weekday": _weekday(when, say),
        "infusion": _given(visit, say),
        "window": window,
        "mark": mark,
        "status": status,
        "state": "next" if is_next else visit.status,
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

    A long schedule (more than MOST_IN_ONE_COLUMN visits) is compact: its visits in two
    columns, what most infusions give said once above them (a visit that gives something else,
    or is no infusion, says what under its code), and no status words (the marks and the legend
    say them). In either layout a closed day is said on a line of its own under its visit.
    """
    say = _Say(presentation.languages)
    following = _next_visit(plan)
    is_tracked = tracked(plan)
    completion = plan.protocol.study_completion
    late = completion is not None and any(after_study_completion(plan, v) for v in plan.given)
    rows = [
        _visit_row(plan, v, say, is_next=v is following, is_tracked=is_tracked) for v in plan.visits
    ]
    compact = len(rows) > MOST_IN_ONE_COLUMN
    common = _common_label(plan) if compact else None
    for row, visit in zip(rows, plan.visits, strict=True):
        gives_the_common = visit.kind == "infusion" and visit.treatment.label == common
        row["other"] = row["infusion"] if compact and not gives_the_common else []
    half = _balanced(rows) if compact else len(rows)
    parts = [(0, half), (half, len(rows))] if compact else [(0, len(rows))]
    return {
        "compact": compact,
        "infusion": say.pair((common, chinese_treatment(common))) if common else [],
        # Each column of visits with a window column when any of its visits has a window.
        "columns": [
            {
                "rows": rows[first:last],
                "windows": any(v.window is not None for v in plan.visits[first:last]),
            }
            for first, last in parts
        ],
        "unblinded": plan.unblinded,
        "trial": f"{plan.protocol.id} ({plan.protocol.registry})",
        "site": _site(plan.protocol, presentation),
        # A short line, once: the registry's dates move by amendment (see wording's notes).
        "after_completion": _in_each(say, AFTER_COMPLETION, date=completion.isoformat())
        if late and completion is not None
        else [],
        "version": []
        if plan.protocol.version is None
        else _in_each(
            say, VERSION_FOOTER, protocol=plan.protocol.id, version=plan.protocol.version
        ),
        "participant": plan.participant,
        "arm": plan.arm.name,
        "arm_title": say.pair((plan.arm.title, ARM_TITLES_ZH.get(plan.arm.name, plan.arm.title))),
        "start": plan.start.isoformat(),
    }


def render(plan: Plan, presentation: Presentation = PLAIN) -> str:
    """One participant's visit card as a self-contained HTML page."""
    return _page("card.html.j2", presentation, cards=[card(plan, presentation)])


def write_roster(plans: Iterable[Plan], presentation: Presentation, stream: IO[str]) -> None:
    """Every participant's card in one page, one card per printed page, written as each comes."""
    # The page's title is the roster's name, which says UNBLINDED when any arm is.
    page = _page("roster.html.j2", presentation, cards=[], heading=presentation.heading)
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
    reason = visit.non_working_reason or "not working"
    chinese = i18n.words("zh")
    local = reason_text(reason, chinese, local_names(site, [visit], chinese))
    return say.pair((i18n.ENGLISH(SITE_CLOSED, reason=reason), chinese(SITE_CLOSED, reason=local)))


def _flag(flag: str, visit: Visit, say: _Say, site: object = None) -> list[tuple[str, str]]:
    """An agenda flag in the page's languages; a non-working day says which (the holiday's
    name as the holiday data gives it, in Chinese from the `holidays` package's zh_CN names)."""
    words = say(flag) if flag in WORDS else [("en", flag)]
    reason = visit.non_working_reason
    if flag != "non-working day" or not reason:
        return words
    chinese = i18n.words("zh")
    names = {"zh": reason_text(reason, chinese, local_names(site, [visit], chinese))}
    return [(lang, f"{text}: {names.get(lang, reason)}") for lang, text in words]


def agenda_days(agenda: Agenda, presentation: Presentation) -> dict[str, Any]:
    """The values of the infusion room's list: overdue first, then day by day with chairs."""
    say = _Say(presentation.languages)

    def line(item: Any) -> dict[str, Any]:
        visit = item.visit
        zh = chinese_code(item.code.split()[-1])
        return {
            "participant": item.participant,
            "code": [("en", item.code)] + ([("zh", zh)] if "zh" in say else []),
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
    names = [u.participant for u in agenda.untracked]
    untracked = [untracked_note(names, i18n.words(lang)) or "" for lang in LANGUAGES]
    return {
        "unblinded": agenda.unblinded,
        "untracked": say.pair((untracked[0], untracked[1])) if names else [],
        "start": agenda.start.isoformat(),
        "end": agenda.end.isoformat(),
        "chairs": agenda.chairs,
        "site": _site_name(presentation.contact, say) if presentation.contact else None,
        "overdue": overdue_items,
        "days": list(days.values()),
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
