"""The CSV exporter writes its rows by hand for speed; they must say what visit_fields says."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from mil62sched import engine, protocol
from mil62sched.formats import csv_rows as csv_export
from mil62sched.formats.contract import (
    KIND_COLUMNS,
    PROTOCOL_DATE_COLUMNS,
    STUDY_DATE_COLUMNS,
    TRACKING_COLUMNS,
    VERSION_COLUMNS,
    plan_fields,
    plan_visits,
    protocol_date_fields,
    visit_fields,
)
from mil62sched.model.codes import VisitCode
from mil62sched.model.plan import Policy, Records, VisitKey
from mil62sched.model.protocol import Window
from mil62sched.site.workdays import SiteCalendar

P = protocol.load()
CN = SiteCalendar("CN")
ARMS = sorted(P.arms)


@settings(max_examples=60, deadline=None)
@given(
    arm=st.sampled_from(ARMS),
    start=st.dates(date(2023, 1, 1), date(2026, 12, 31)),
    window=st.none() | st.builds(Window, st.integers(0, 5), st.integers(0, 5)),
    adjust=st.booleans(),
    late=st.integers(1, 6),
)
def test_rows_say_what_visit_fields_say(
    arm: str, start: date, window: Window | None, adjust: bool, late: int
) -> None:
    first = P.arm(arm).legs[0].period
    journey = len(P.arm(arm).legs) > 1
    w3d1 = VisitKey(VisitCode(3, 1), first if journey else None)
    records = Records({w3d1: start + timedelta(days=14 + late)})
    today = start + timedelta(days=30)
    plan = engine.plan(
        P,
        arm,
        start,
        participant="CT303-0042",
        window=window,
        records=records,
        policy=Policy(site=CN, adjust=adjust, today=today),
    )
    over_full = {start + timedelta(days=14)}  # W3D1's protocol date, as if over capacity
    documented = plan_visits(plan, over_full)
    for visit, row, fields in zip(
        plan.visits, csv_export.rows(plan, over_full), documented, strict=True
    ):
        assert fields == {
            **visit_fields(visit),
            **{k: fields[k] for k in TRACKING_COLUMNS},
            **protocol_date_fields(visit),
            "after_study_completion": fields["after_study_completion"],
            "kind": fields["kind"],
            "protocol_version": None,  # issue 18: the built-in file states no version
        }
        assert fields["kind"] == "infusion"  # every MIL62-CT303 visit of the built-in file
        columns = csv_export.VISIT_COLUMNS + TRACKING_COLUMNS + PROTOCOL_DATE_COLUMNS
        # The plan's before_study_start is repeated on every row, as its start is.
        plan_wide = {"before_study_start": plan_fields(plan)["before_study_start"]}
        expected = (
            [csv_export.cell(fields[name]) for name in columns]
            + [csv_export.cell({**fields, **plan_wide}[name]) for name in STUDY_DATE_COLUMNS]
            + [csv_export.cell(fields[name]) for name in KIND_COLUMNS]
            + [csv_export.cell(fields[name]) for name in VERSION_COLUMNS]
        )
        assert row[len(csv_export.PLAN_COLUMNS) :] == expected
        assert row[: len(csv_export.PLAN_COLUMNS)] == [
            "MIL62-CT303", plan.arm.name, plan.arm.masking, "CT303-0042", start.isoformat(),
        ]  # fmt: skip


def test_text_that_a_spreadsheet_would_run_is_neutralised_but_numbers_are_not() -> None:
    assert csv_export.cell("=1+2") == "'=1+2"
    assert csv_export.cell("+1") == "'+1"
    assert csv_export.cell("-x") == "'-x"
    assert csv_export.cell("@SUM(A1)") == "'@SUM(A1)"
    assert csv_export.cell(-3) == "-3"
    assert csv_export.cell("National Day") == "National Day"
