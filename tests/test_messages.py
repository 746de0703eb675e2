"""Messages (issue 16 #8): words made where they arise, as an English template (the gettext
msgid) with its values, and rendered once, at the edge, in the reader's language."""

from __future__ import annotations

from datetime import date

import pytest

from mil62sched.errors import BadRowsError, RecordError, UsageError
from mil62sched.i18n import render
from mil62sched.messages import Lines, Listing, Localized, Message, Weekday, lines, literal, msg


def test_str_is_english_and_values_keep_their_form() -> None:
    said = msg(
        "{count:,} rows in {file} from {day} ({weekday}); use {forms}",
        count=12345,
        file="roster.csv",
        day=date(2025, 10, 1),
        weekday=Weekday(date(2025, 10, 1)),
        forms=Listing(["a", "b", "c"], "or"),
    )
    assert str(said) == ("12,345 rows in roster.csv from 2025-10-01 (Wednesday); use a, b or c")
    assert render(said, "en") == str(said)


def test_chinese_comes_from_the_catalogue_and_values_stay_as_typed() -> None:
    # The catalogue's "{problem}: {accepted}" and "{where}: {problem}", with a literal inside.
    said = msg(
        "{where}: {problem}",
        where="r.csv",
        problem=msg("{problem}: {accepted}", problem=literal("bad"), accepted="x"),
    )
    assert render(said, "zh") == "r.csv：bad：x"
    assert str(said) == "r.csv: bad: x"


def test_lists_and_weekdays_in_chinese() -> None:
    assert render(msg("{x}", x=["a", "b"]), "zh") == "a，b"
    assert render(msg("{x}", x=Listing(["a", "b"], "or")), "zh") == "a或b"
    assert render(msg("{x}", x=Listing(["a"], "or")), "zh") == "a"
    assert render(msg("{x}", x=Weekday(date(2025, 10, 5), short=True)), "zh") == "周日"
    assert str(msg("{x}", x=Weekday(date(2025, 10, 5), short=True))) == "Sun"


def test_a_localized_word_is_its_english_everywhere_a_string_is_expected() -> None:
    import json

    holiday = Localized("National Day", {"zh": "国庆节"})
    assert holiday == "National Day"
    assert json.dumps({"reason": holiday}) == '{"reason": "National Day"}'
    assert render(msg("{x}", x=holiday), "zh") == "国庆节"
    assert render(msg("{x}", x=holiday), "en") == "National Day"
    # No word of its own: the catalogue's (a word of ours), else the English.
    assert render(msg("{x}", x=Localized("Monday")), "zh") == "周一"
    assert render(msg("{x}", x=Localized("Columbus Day")), "zh") == "Columbus Day"
    # A translation may itself be a message.
    made = Localized("Day off", {"zh": msg("{x}", x=Localized("Monday"))})
    assert render(msg("{x}", x=made), "zh") == "周一"


def test_a_plain_string_value_is_never_translated() -> None:
    assert render(msg("{x}", x="Monday"), "zh") == "Monday"


def test_messages_compare_hash_and_fill() -> None:
    first = msg("{record} is late", day=date(2025, 1, 1))
    assert first == msg("{record} is late", day=date(2025, 1, 1))
    assert hash(first) == hash(msg("{record} is late", day=date(2025, 1, 1)))
    assert {first: 1}[msg("{record} is late", day=date(2025, 1, 1))] == 1
    assert str(first.filled(record="W3D1")) == "W3D1 is late"
    assert str(Message("plain")) == "plain"


def test_lines_are_one_a_line() -> None:
    said = lines([msg("{x} one", x="a"), "literal two"])
    assert str(said) == "a one\nliteral two"
    assert render(msg("{x}", x=Lines(["a", "b"])), "zh") == "a\nb"


def test_an_error_is_its_parts_in_english_and_in_chinese() -> None:
    accepted = msg("accepted: {names}", names=["a"])
    error = UsageError(msg("unknown arm"), value="x", accepted=accepted)
    assert error.line() == str(error) == "unknown arm 'x': accepted: a"
    assert render(error.message(), "zh") == "未知的组别 'x'：可用：a"
    error.named("--arm")
    assert error.line() == "--arm 'x' unknown arm: accepted: a"


def test_a_record_error_names_its_record_as_each_front_end_shows_it() -> None:
    error = RecordError(
        msg("{record} is in the future (today is {date})", date=date(2024, 2, 1)),
        code="W3D1",
        record="W3D1=2030-01-01",
        source="actual",
        field="start",
    )
    assert error.line() == (
        "--actual W3D1=2030-01-01 is in the future (today is 2024-02-01) (--start)"
    )
    assert str(error.as_row("CT-1")) == (
        "CT-1: W3D1=2030-01-01 is in the future (today is 2024-02-01) (the roster's start)"
    )


def test_bad_rows_are_a_line_each() -> None:
    error = BadRowsError([msg("{file} line {line}", file="r.csv", line=2)], "1 bad row")
    assert error.line() == "r.csv line 2\n1 bad row"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_missing_value_is_a_defect_not_a_silent_gap(lang: str) -> None:
    with pytest.raises(KeyError):
        render(msg("{file} line {line}", file="r.csv"), lang)
