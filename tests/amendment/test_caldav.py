"""A calendar exported after a protocol amendment updates the one exported before it, on a real
CalDAV server (issue 18 #5).

A Radicale server (filesystem storage, no authentication) is started on a free port of
127.0.0.1 in a temporary folder. The participant's calendar from before the amendment is put
with a CalDAV client (caldav), then the calendar exported under the amendment is imported as a
calendar client does (RFC 5546 2.1.5): an event whose UID the server has is replaced when the new
SEQUENCE is higher, any other is added. Then the server's events are counted.

The amendment here is the example one (OLP W157D1 and W183D1 added, RCP W25D1 given a window)
with two more made-up changes: the OLP assumed from RCP W57D1 instead of W53D1 (every OLP visit
28 days later), and W131D1 removed from the OLP. The participant is on the blinded journey from
Monday 2025-08-18, the amendment in force from 2025-12-01. By hand:
- RCP W1D1 2025-08-18, W3D1 2025-09-01, W25D1 2026-02-02 (+168), W27D1 2026-02-16 (+182):
  kept where they are (W25D1 gains its window).
- The OLP's W1D1 was 2025-08-18 + 364 = 2026-08-17 (RCP W53D1); it is now + 392 = 2026-09-14
  (RCP W57D1). Its W1D1, W3D1, W27D1, W53D1, W79D1 and W105D1 each move 28 days later.
- OLP W131D1 (2026-08-17 + 910 = 2029-02-12) is removed: cancelled, with its old UID.
- OLP W157D1 and W183D1 are added: two new UIDs.
So the server ends with 11 + 2 = 13 events, one per UID.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT, Run

caldav = pytest.importorskip("caldav", reason="the test extra installs caldav")
pytest.importorskip("radicale", reason="the test extra installs radicale")

EXAMPLE = ROOT / "examples" / "protocols" / "mil62-ct303-amendment-example.toml"
BEFORE = "1767225600"  # 2026-01-01T00:00:00Z: the export before the amendment
AFTER = "1767312000"  # a day later: the export under it


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A Radicale server on 127.0.0.1, its collections in a temporary folder; its URL."""
    port = _free_port()
    config = tmp_path / "radicale.conf"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "[auth]\n"
        "type = none\n"
        "[storage]\n"
        f"filesystem_folder = {tmp_path / 'collections'}\n"
        "[logging]\n"
        "level = warning\n",
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=1).close()
                break
            except urllib.error.HTTPError:
                break  # it answers
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    _, err = process.communicate(timeout=5)
                    pytest.fail(f"Radicale did not start: {err.decode(errors='replace')}")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def export(run: Run, monkeypatch: pytest.MonkeyPatch, stamp: str, *args: str) -> str:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", stamp)
    result = run(
        "plan", "--arm", "phase3", "--start", "2025-08-18", "--participant", "CT303-0001",
        "--no-holidays", "--format", "ics", *args,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    return result.stdout


def one_per_event(text: str) -> list[tuple[str, str]]:
    """(UID, a VCALENDAR of that event alone) for each event of an exported calendar, as a
    CalDAV client stores them (one calendar object resource per UID)."""
    import icalendar

    calendar = icalendar.Calendar.from_ical(text)
    found = []
    for event in calendar.walk("VEVENT"):
        alone = icalendar.Calendar()
        for name in ("PRODID", "VERSION", "CALSCALE"):
            alone.add(name.lower(), calendar[name])
        alone.add_component(event)
        found.append((str(event["UID"]), alone.to_ical().decode("utf-8")))
    return found


def imported(calendar: object, text: str) -> None:
    """Import an exported calendar as a client does: replace the event of the same UID when the
    new one's SEQUENCE is higher, add the others."""
    import icalendar

    for uid, ical in one_per_event(text):
        try:
            existing = calendar.event_by_uid(uid)  # type: ignore[attr-defined]
        except caldav.lib.error.NotFoundError:
            calendar.save_event(ical)  # type: ignore[attr-defined]
            continue
        stored = icalendar.Calendar.from_ical(existing.data).walk("VEVENT")[0]
        new = icalendar.Calendar.from_ical(ical).walk("VEVENT")[0]
        if int(new["SEQUENCE"]) > int(stored["SEQUENCE"]):
            existing.data = ical
            existing.save()


def amended_protocol(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8")
    for old, new in (
        ('starts = { OLP = "W53D1" }', 'starts = { OLP = "W57D1" }'),
        ('"W131D1", "W157D1", "W183D1"]', '"W157D1", "W183D1"]'),
    ):
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "amended.toml"
    path.write_text(text, encoding="utf-8")
    return path


# Starts a Radicale server and talks CalDAV to it: a slow test.
@pytest.mark.slow
def test_an_amended_calendar_updates_the_old_one_on_a_caldav_server(
    run: Run, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server: str
) -> None:
    import icalendar
    import vobject

    old_text = export(run, monkeypatch, BEFORE)
    new_text = export(
        run, monkeypatch, AFTER, "--protocol", str(amended_protocol(tmp_path)),
        "--amends", "builtin",
        "--effective", "2025-12-01",
    )  # fmt: skip
    # The amended calendar is valid for the strict parser and for the library that wrote it.
    parsed = vobject.readOne(new_text, validate=True)
    assert len(parsed.vevent_list) == 13
    assert len(icalendar.Calendar.from_ical(new_text).walk("VEVENT")) == 13

    client = caldav.DAVClient(url=server, username="site", password="any")
    calendar = client.principal().make_calendar(name="CT303-0001", cal_id="ct303-0001")
    imported(calendar, old_text)
    before = _events(calendar)
    assert len(before) == 11
    imported(calendar, new_text)
    after = _events(calendar)

    # No duplicate: one event per UID, the 11 from before and 2 added.
    assert len(after) == 13
    assert set(before) <= set(after)
    added = set(after) - set(before)
    assert {after[uid]["code"] for uid in added} == {"OLP W157D1", "OLP W183D1"}
    for uid, was in before.items():
        now = after[uid]
        assert now["sequence"] > was["sequence"], was["code"]  # every kept event was updated
        code = was["code"]
        if code == "OLP W131D1":
            assert now["status"] == "CANCELLED"
            assert was["status"] is None
        elif code.startswith("OLP"):
            assert now["start"] == was["start"] + timedelta(days=28), code  # moved in place
            assert now["status"] is None
        else:
            assert now["start"] == was["start"], code
    starts = {v["code"]: v["start"] for v in after.values()}
    assert starts["RCP W25D1"] == date(2026, 2, 2)
    assert starts["OLP W1D1"] == date(2026, 9, 14)
    assert starts["OLP W131D1"] == date(2029, 2, 12)  # cancelled on its old day


def _events(calendar: object) -> dict[str, dict[str, object]]:
    """The server's events by UID: their visit, start day, SEQUENCE and STATUS."""
    import icalendar

    found: dict[str, dict[str, object]] = {}
    for resource in calendar.events():  # type: ignore[attr-defined]
        event = icalendar.Calendar.from_ical(resource.data).walk("VEVENT")[0]
        uid = str(event["UID"])
        assert uid not in found, f"duplicate UID {uid}"
        summary = str(event["SUMMARY"])
        period = "OLP" if " OLP " in f" {summary} " else "RCP"
        code = next(word for word in summary.split() if word.startswith("W") and "D" in word)
        status = event.get("STATUS")
        found[uid] = {
            "code": f"{period} {code}",
            "start": event.decoded("DTSTART"),
            "sequence": int(event["SEQUENCE"]),
            "status": None if status is None else str(status),
        }
    return found
