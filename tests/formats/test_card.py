"""The visit card (issue 10) without a browser: what the HTML card, the roster's cards and the
infusion room's list say, the site file, and the PDF format's errors when no browser will do.

Dates checked by hand against the registry: phase3-olp from W1D1 = 2024-01-01 (a Monday) has
W3D1 = day 15 = 2024-01-15, W27D1 = day 183 = 2024-07-01, W53D1 = day 365 = 2024-12-30,
W79D1 = day 547 = 2025-06-30, W105D1 = day 729 = 2025-12-29, W131D1 = day 911 = 2026-06-29,
every one a Monday (周一).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mil62sched import formats
from mil62sched.formats import html, pdf
from tests.conftest import EXAMPLES, GOLDEN, Run, error_line, without_study_dates

OLP_DATES = {
    "W1D1": "2024-01-01",
    "W3D1": "2024-01-15",
    "W27D1": "2024-07-01",
    "W53D1": "2024-12-30",
    "W79D1": "2025-06-30",
    "W105D1": "2025-12-29",
    "W131D1": "2026-06-29",
}
CHINESE = {
    "W1D1": "第1周第1天",
    "W3D1": "第3周第1天",
    "W27D1": "第27周第1天",
    "W53D1": "第53周第1天",
    "W79D1": "第79周第1天",
    "W105D1": "第105周第1天",
    "W131D1": "第131周第1天",
}


_BLOCKS = {"div", "p", "li", "tr", "td", "th", "h1", "h2", "header", "section", "article"}


class _Page(HTMLParser):
    """The page's text, its table rows (class and cell texts) and the tags it uses."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.rows: list[tuple[str, list[str]]] = []
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []
        self._cell: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:  # a line of its own on the page, as a browser's innerText says
            self.text.append("\n")
        self.tags.add(tag)
        self.attributes += attrs
        if tag == "tr":
            self.rows.append((dict(attrs).get("class") or "", []))
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "style":
            self._in_style = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1][1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            return
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data + " ")


def page(text: str) -> _Page:
    parsed = _Page()
    parsed.feed(text)
    parsed.close()
    return parsed


def card_rows(text: str) -> dict[str, tuple[str, list[str]]]:
    """The card's visit rows by visit code: (row class, cell texts)."""
    rows = {}
    for kind, cells in page(text).rows:
        if len(cells) >= 5 and re.fullmatch(r"W\d+D\d", cells[1].split()[0]):
            rows[cells[1].split()[0]] = (kind, cells)
    return rows


def closed_line(text: str, code: str) -> str | None:
    """What the card says on the line of its own under the visit `code` (a closed day), or None
    when it says nothing there."""
    rows = page(text).rows
    for index, (_, cells) in enumerate(rows):
        if len(cells) > 1 and cells[1].split()[:1] == [code]:
            kind, below = rows[index + 1] if index + 1 < len(rows) else ("", [])
            return " ".join(cell for cell in below if cell) if "closed-row" in kind else None
    raise AssertionError(f"no row for {code}")


CT0042 = (
    "plan",
    "--arm",
    "phase3-ocp",
    "--start",
    "2024-01-01",
    "--participant",
    "CT303-0042",
    "--actual",
    "W1D1=2024-01-01",
    "--actual",
    "W3D1=2024-01-17",
    "--missed",
    "W27D1",
    "--today",
    "2024-11-01",
    "--format",
    "html",
)


def test_the_card_lists_every_infusion_with_its_chinese_reading_date_and_weekday(
    run: Run,
) -> None:
    result = run(*CT0042)
    assert result.exit_code == 0, result.stderr
    rows = card_rows(result.stdout)
    assert list(rows) == list(OLP_DATES)
    for code, (_, cells) in rows.items():
        _, visit, when, infusion, status = cells
        assert visit == f"{code} {CHINESE[code]}"
        expected = "2024-01-17" if code == "W3D1" else OLP_DATES[code]
        assert when.startswith(expected), (code, when)
        weekday = "Wed 周三" if code == "W3D1" else "Mon 周一"  # 2024-01-17 was a Wednesday
        assert weekday in when, (code, when)
        assert infusion.startswith("MIL62 1000 mg"), (code, infusion)
    # The done W3D1 shows the day it happened and, below, the day it was planned for.
    assert "原定 2024-01-15" in rows["W3D1"][1][2]


GOLDEN_CARD = GOLDEN / "phase3-olp_CT303-0042_2024-01-01.card.html"


def test_the_card_matches_its_golden_file(run: Run) -> None:
    """The whole page, byte for byte (the rows' dates are hand-checked in the test above; this
    pins the rest: words, marks, styles). Regenerate with MIL62SCHED_REGENERATE_GOLDEN=1."""
    text = run(*CT0042).stdout
    if os.environ.get("MIL62SCHED_REGENERATE_GOLDEN") == "1":
        GOLDEN_CARD.write_text(text, encoding="utf-8", newline="")
        pytest.skip("golden card regenerated")
    assert text == GOLDEN_CARD.read_text(encoding="utf-8")


def test_the_card_marks_done_missed_and_the_next_visit_with_marks_not_only_shades(
    run: Run,
) -> None:
    rows = card_rows(run(*CT0042).stdout)
    marks = {code: cells[0] for code, (_, cells) in rows.items()}
    assert marks["W1D1"] == "✓"
    assert marks["W3D1"] == "✓"
    assert marks["W27D1"] == "✗"
    # --today 2024-11-01: the next planned visit is W53D1 on 2024-12-30; only it is marked.
    assert marks["W53D1"] == "►"
    assert [code for code, (kind, _) in rows.items() if kind == "next"] == ["W53D1"]
    assert all(marks[code] == "" for code in ("W79D1", "W105D1", "W131D1"))
    assert "done 已完成" in rows["W1D1"][1][4]
    assert "missed 缺访" in rows["W27D1"][1][4]
    assert "next visit 下次访视" in rows["W53D1"][1][4]


def test_no_next_visit_after_the_last_one(run: Run) -> None:
    rows = card_rows(run(*CT0042[:-2], "--today", "2026-06-30", "--format", "html").stdout)
    assert "►" not in [cells[0] for _, cells in rows.values()]
    # Planned visits whose day passed, with visits recorded, are overdue: marked !.
    assert rows["W131D1"][1][0] == "!"


def test_the_card_names_trial_site_participant_and_arm(run: Run) -> None:
    text = " ".join("".join(page(run(*CT0042).stdout).text).split())
    assert "MIL62-CT303 (NCT05314010)" in text
    assert "Chinese PLA General Hospital, Beijing" in text
    assert "CT303-0042" in text
    assert "phase3-olp · Phase 3 open-label period (W3D1 blinded)" in text
    assert "First infusion (W1D1) 首次输注（第1周第1天） 2024-01-01" in text
    assert "Please bring 请携带" in text  # a " / " between them on the page, by CSS
    assert "Call us if 出现以下情况请致电" in text


def test_a_window_is_shown_only_where_one_is_set(run: Run) -> None:
    assert "访视窗" not in run(*CT0042).stdout
    rows = card_rows(run(*CT0042, "--window", "1,3").stdout)
    # W53D1 on 2024-12-30: one day before, three after.
    assert rows["W53D1"][1][4] == "2024-12-29 – 2025-01-02"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_language_on_request(run: Run, lang: str) -> None:
    result = run(*CT0042, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    parsed = page(result.stdout)
    text = " ".join(parsed.text)
    cjk = re.findall(r"[\u4e00-\u9fff]", text)
    if lang == "en":
        assert cjk == []
        assert "Please bring" in text
    else:
        assert "第53周第1天" in text
        assert "请携带" in text
        assert "Please bring" not in text
        assert "W53D1" in text  # the code itself stays: it is what the site's papers say
        assert '<html lang="zh-Hans">' in result.stdout


def test_an_unknown_language_or_paper_is_refused(run: Run) -> None:
    line = error_line(run(*CT0042, "--lang", "fr"))  # the project's --lang refuses it
    assert line == "unknown --lang 'fr': accepted: en, zh"
    line = error_line(run(*CT0042, "--paper", "letter"))
    assert line == "unknown paper size 'letter': accepted: a4, a5"


@pytest.mark.parametrize(("paper", "size"), [("a4", "A4"), ("a5", "A5"), ("A5", "A5")])
def test_the_paper_size_is_the_printed_page(run: Run, paper: str, size: str) -> None:
    text = run(*CT0042, "--paper", paper).stdout
    assert re.search(rf"@page {{ size: {size};", text)
    assert "break-inside: avoid" in text  # no row split across pages
    assert "page-break-after: always" in text  # one card per page


def test_the_card_is_self_contained(run: Run) -> None:
    text = run(*CT0042).stdout
    parsed = page(text)
    assert not {"script", "link", "img", "iframe", "object", "embed"} & parsed.tags
    assert not re.search(r"https?:|//[a-z]|url\(|@import", text, re.IGNORECASE)
    assert all(name not in ("src", "href") for name, _ in parsed.attributes)
    assert '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC"' in text


def test_an_unblinded_card_says_so_first(run: Run) -> None:
    text = run(
        "plan", "--arm", "phase3-rcp-placebo", "--start", "2024-01-01", "--format", "html"
    ).stdout
    words = " ".join(page(text[text.index("<body>") :]).text).split()
    assert words[:2] == ["UNBLINDED:", "reveals"]
    assert "<title>UNBLINDED " in text


# --- the site file --------------------------------------------------------------------------


def site_file(tmp_path: Path, body: str) -> str:
    path = tmp_path / "site.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_the_site_file_fills_the_card(run: Run) -> None:
    result = run(*CT0042, "--site", str(EXAMPLES / "site.toml"))
    assert result.exit_code == 0, result.stderr
    text = " ".join("".join(page(result.stdout).text).split())
    assert "28 Fuxing Road, Haidian District, Beijing" in text
    assert "010-0000 0000 (example)" in text
    assert "Monday to Friday 08:00-17:00" in text
    assert "Your ID card and medical insurance card · 身份证和医保卡" in text
    # The site's own lines replace the card's default ones.
    assert "You feel unwell after an infusion" not in text


def test_site_text_is_shown_as_text_never_run_as_markup(run: Run, tmp_path: Path) -> None:
    hostile = '<script>alert(1)</script> {{ 7*7 }} {% if 1 %}x{% endif %} & "q"'
    body = (
        f"name = '{hostile}'\n"
        "contact = ['<b>bold</b>', '</style><h1>out</h1>']\n"
        "what_to_bring = ['<img src=x onerror=alert(1)>']\n"
    )
    result = run(*CT0042, "--site", site_file(tmp_path, body))
    assert result.exit_code == 0, result.stderr
    parsed = page(result.stdout)
    assert "script" not in parsed.tags
    assert "img" not in parsed.tags
    assert "b" not in parsed.tags
    assert result.stdout.count("<h1>") == 1  # the card's own heading only
    text = "".join(parsed.text)
    assert hostile in text  # shown exactly as typed: {{ 7*7 }} is not 49
    assert "<b>bold</b>" in text
    assert "&lt;script&gt;" in result.stdout


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "name = 'A'\nphone_number = '1'\n",
            "unknown key 'phone_number': accepted: name, address, phone, coordinator, contact, "
            "what_to_bring, call_us_if, email, country, timezone, chairs",
        ),
        ("name = 'A'\nphone = 110\n", "key 'phone' must be text (a quoted string), not 110"),
        (
            "name = 'A'\nwhat_to_bring = 'this card'\n",
            'key \'what_to_bring\' must be a list of text lines, e.g. ["...", "..."], not '
            "'this card'",
        ),
        (
            "name = 'A'\ncall_us_if = ['fever', 3]\n",
            "key 'call_us_if' must be text (a quoted string), not 3",
        ),
        ("name = 'A'\nchairs = 0\n", "key 'chairs' must be a whole number of chairs, 1 or more"),
        ("name = 'A'\nchairs = true\n", "key 'chairs' must be a whole number of chairs, 1 or"),
        ("name = 'A'\ncountry = 'China'\n", "key 'country' is not a country code 'China'"),
        ("name = 'A'\ntimezone = 'Beijing'\n", "key 'timezone': unknown time zone 'Beijing'"),
        ("phone = '1'\n", "key 'name' is missing: give the site's name"),
        ("name = '  '\n", "key 'name' is empty"),
        ("name = 'A\n", "is not valid TOML"),
        # Control characters would reach the terminal raw (issue 15 #17): one rule, as for a
        # protocol file's text and a holiday's name; a site's text is one line each.
        (
            'name = "Ward 5\\u001b]0;pwned\\u0007"\n',
            "key 'name' contains a control character (U+001B): use plain text",
        ),
        (
            "name = 'A'\ncontact = [\"Mon-Fri\\n\\u0007\"]\n",
            "key 'contact' contains a control character (U+000A): use plain text",
        ),
        ("name = 'A'\ntimezone = \"Asia/\\u009bShanghai\"\n", "key 'timezone' contains a control"),
    ],
)
def test_a_bad_site_file_is_refused_in_one_line_naming_the_key(
    run: Run, tmp_path: Path, body: str, message: str
) -> None:
    path = site_file(tmp_path, body)
    line = error_line(run(*CT0042, "--site", path))
    assert line.startswith(f"site file {path!r}"), line
    assert message in line, line


@pytest.mark.parametrize("depth", [40, 600, 5000])
def test_a_deeply_nested_site_file_is_one_line(run: Run, tmp_path: Path, depth: int) -> None:
    """600 nested arrays (2 KB) ended in a RecursionError (issue 15 #12); a site file nests
    2 deep, so 40 is refused too, and 5000 is past what the TOML parser itself can recurse."""
    path = site_file(tmp_path, f"name = 'A'\ncontact = {'[' * depth}{']' * depth}\n")
    line = error_line(run(*CT0042, "--site", path))
    assert line.startswith(f"site file {path!r}: arrays and tables nested more than 32"), line


def test_a_missing_site_file_is_refused(run: Run, tmp_path: Path) -> None:
    line = error_line(run(*CT0042, "--site", str(tmp_path / "none.toml")))
    assert line.startswith(f"cannot read site file {str(tmp_path / 'none.toml')!r}")


def test_the_site_file_overrides_the_protocols_country_and_zone(run: Run, tmp_path: Path) -> None:
    import json

    path = site_file(tmp_path, "name = 'Boston'\ncountry = 'us'\ntimezone = 'America/New_York'\n")
    # 2024-07-04 is Independence Day in the US and a working day in China.
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2024-07-04", "--format", "json", "--site", path
    )
    document = json.loads(result.stdout)
    assert document["country"] == "US"
    assert document["visits"][0]["non_working_reason"] == "Independence Day"
    # --country on the command line still wins over the site file.
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2024-07-04", "--format", "json",
        "--site", path, "--country", "CN",
    )  # fmt: skip
    assert json.loads(result.stdout)["country"] == "CN"


# --- roster and agenda ----------------------------------------------------------------------


ROSTER = str(EXAMPLES / "roster.csv")
ACTUALS = str(EXAMPLES / "actuals.csv")


def test_the_roster_prints_every_participants_card_one_per_page(run: Run) -> None:
    result = run(
        "roster", ROSTER, "--actuals", ACTUALS, "--today", "2025-09-29", "--format", "html"
    )
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.count('<article class="page card">') == 5
    ids = re.findall(r'<div class="participant-id">([^<]+)</div>', text)
    assert ids == [f"CT303-000{n}" for n in range(1, 6)]
    assert text.count("<!DOCTYPE html>") == 1


def test_the_agenda_lists_overdue_first_then_day_by_day_with_chairs(
    run: Run, tmp_path: Path
) -> None:
    path = site_file(tmp_path, "name = 'Ward 5'\nchairs = 1\n")
    result = run(
        "agenda", ROSTER, "--actuals", ACTUALS, "--from", "2025-09-29", "--days", "14",
        "--today", "2025-09-29", "--site", path, "--format", "html",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    parsed = page(result.stdout)
    text = " ".join("".join(parsed.text).split())
    # The README's agenda: CT303-0003's W3D1 (2025-09-08, window to 09-11) is overdue; on
    # 2025-09-29 two infusions for the site file's one chair; on 2025-10-01 (National Day) one.
    overdue_at = text.index("Overdue")
    first_day = text.index("2025-09-29 Mon 周一 · chairs used 已用输注椅: 2 / 1")
    second_day = text.index("2025-10-01 Wed 周三 · chairs used 已用输注椅: 1 / 1")
    assert overdue_at < text.index("CT303-0003") < first_day < second_day
    assert "Ward 5" in text
    assert "over capacity" in text[first_day:second_day]
    assert "over capacity" not in text[second_day:]
    assert "non-working day: National Day" in text[second_day:]
    assert first_day < text.index("CT303-0004") < second_day
    assert first_day < text.index("CT303-0005", first_day) < second_day
    # CT303-0005 has no record: named once at the top, in both languages (issue 16 #2).
    untracked = "1 participant has no recorded visits: their past visits are not flagged"
    assert text.index(untracked) < text.index("CT303-0005") < overdue_at
    assert "1 名受试者没有访视记录，其既往访视不予标记：CT303-0005。" in text[:overdue_at]


# --- pdf without a usable browser -----------------------------------------------------------


def test_pdf_without_a_browser_says_how_to_get_one(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser on PATH
    line = error_line(run(*CT0042[:-1], "pdf", "-o", str(tmp_path / "card.pdf")), 1)
    assert line == (
        "--format pdf needs a Chromium-based browser and none of chromium, chromium-browser, "
        "google-chrome, google-chrome-stable is on PATH: install one (Debian/Ubuntu: apt install "
        "chromium) or give --browser PATH"
    )
    assert not (tmp_path / "card.pdf").exists()


def test_pdf_with_a_browser_that_is_not_there(run: Run, tmp_path: Path) -> None:
    missing = str(tmp_path / "chrome")
    line = error_line(run(*CT0042[:-1], "pdf", "--browser", missing, "-o", str(tmp_path / "c")))
    assert line.startswith(f"browser not found or not executable {missing!r}: install one")


def _fake_browser(tmp_path: Path, script: str) -> str:
    path = tmp_path / "fake-chromium"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def test_a_failing_browser_gives_one_line_and_no_file(run: Run, tmp_path: Path) -> None:
    browser = _fake_browser(tmp_path, "echo 'cannot open display' >&2; exit 3")
    out = tmp_path / "card.pdf"
    line = error_line(run(*CT0042[:-1], "pdf", "--browser", browser, "-o", str(out)), 1)
    assert line == (
        f"the browser {browser} failed to print the PDF (exit status 3): cannot open display"
    )
    assert not out.exists()


def test_a_browser_that_hangs_is_stopped(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 1)
    browser = _fake_browser(tmp_path, "sleep 30")
    line = error_line(run(*CT0042[:-1], "pdf", "--browser", browser, "-o", str(tmp_path / "c")), 1)
    assert line == f"the browser {browser} did not print the PDF within 1 s"


# Issue 15 #18: what a browser leaves behind, and a helper that keeps its output open.
# A fake Chromium's PDF: what --print-to-pdf=PATH names, written as the browser writes it.
WRITE_PDF = """for a in "$@"; do
  case "$a" in --print-to-pdf=*) out="${a#--print-to-pdf=}";; esac
done
printf '%%PDF-1.4\\n1 0 obj << >> endobj\\n%%%%EOF\\n' > "$out"
"""
# Chromium keeps its shared memory and sockets in TMPDIR, org.chromium.Chromium.XXXXXX, and
# removes them only when it ends normally.
CHROMIUM_TEMP = 'mktemp -d "${TMPDIR:-/tmp}/org.chromium.Chromium.XXXXXX" >/dev/null'


@pytest.fixture
def temp_folder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The machine's temporary folder, for this test alone (TMPDIR, as a browser reads it): a
    short path, as the machine's usually is (`pdf._short_temporary_folder`)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="tmp-", dir="/tmp" if Path("/tmp").is_dir() else None))
    monkeypatch.setenv("TMPDIR", str(folder))
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder
    shutil.rmtree(folder)


@pytest.mark.parametrize(
    ("ending", "message"),
    [
        ("sleep 30", "did not print the PDF within 1 s"),
        ("kill -9 $$", "failed to print the PDF (exit status -9)"),
    ],
    ids=["timed out", "killed"],
)
def test_a_browser_that_does_not_end_normally_leaves_nothing_in_the_temporary_folder(
    run: Run, tmp_path: Path, temp_folder: Path, monkeypatch: pytest.MonkeyPatch, ending: str,
    message: str,
) -> None:  # fmt: skip
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 1)
    browser = _fake_browser(tmp_path, f"{CHROMIUM_TEMP}\n{ending}")
    out = tmp_path / "card.pdf"
    line = error_line(run(*CT0042[:-1], "pdf", "--browser", browser, "-o", str(out)), 1)
    assert line == f"the browser {browser} {message}"
    assert list(temp_folder.iterdir()) == []
    assert not out.exists()


def test_the_browser_gets_a_profile_and_a_temporary_folder_of_the_run(
    run: Run, tmp_path: Path, temp_folder: Path
) -> None:
    seen = tmp_path / "seen.txt"
    script = (
        f'for a in "$@"; do echo "$a" >> {seen}; done\necho "TMPDIR=$TMPDIR" >> {seen}\n'
        f"{CHROMIUM_TEMP}\n{WRITE_PDF}"
    )
    browser = _fake_browser(tmp_path, script)
    out = tmp_path / "card.pdf"
    result = run(*CT0042[:-1], "pdf", "--browser", browser, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-1.4")
    said = seen.read_text(encoding="utf-8").splitlines()
    profile = next(a for a in said if a.startswith("--user-data-dir="))
    browser_temp = next(a for a in said if a.startswith("TMPDIR="))
    run_folder = Path(profile.removeprefix("--user-data-dir=")).parent
    assert Path(browser_temp.removeprefix("TMPDIR=")) == run_folder
    assert run_folder.parent == temp_folder
    assert list(temp_folder.iterdir()) == []  # the run's folder, profile and all, is gone


def test_a_browser_helper_that_keeps_standard_output_open_does_not_stall_the_print(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The browser writes the PDF and exits, leaving a helper that holds its standard output
    and error: the PDF is there, the run takes it at once, and the helper is ended."""
    import time

    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 10)
    helper = tmp_path / "helper.pid"
    browser = _fake_browser(tmp_path, f"{WRITE_PDF}sleep 60 &\necho $! > {helper}\nexit 0")
    out = tmp_path / "card.pdf"
    began = time.monotonic()
    result = run(*CT0042[:-1], "pdf", "--browser", browser, "-o", str(out))
    took = time.monotonic() - began
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-1.4")
    assert took < 8, took  # not waiting for the helper (60 s), nor the timeout (10 s)
    status = Path(f"/proc/{helper.read_text(encoding='utf-8').strip()}/stat")
    if status.parent.parent.is_dir():  # Linux: the helper is gone, or a zombie left to reap
        time.sleep(0.2)
        assert not status.exists() or status.read_text().split(") ")[1][0] == "Z"


def test_a_browser_that_printed_and_stays_on_is_ended_and_its_pdf_kept(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 10)
    browser = _fake_browser(tmp_path, f"{WRITE_PDF}sleep 60")
    out = tmp_path / "card.pdf"
    began = time.monotonic()
    result = run(*CT0042[:-1], "pdf", "--browser", browser, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF-1.4")
    assert time.monotonic() - began < 8


def test_pdf_is_a_binary_format_and_html_a_text_one() -> None:
    assert formats.named("pdf").binary
    assert formats.named("pdf").extensions == (".pdf",)
    assert not formats.named("html").binary


def test_the_chinese_reading_of_a_visit_code() -> None:
    # W n D m = 第n周第m天 (week n, day m).
    assert html.reading("W1D1") == "第1周第1天"
    assert html.reading("w209d7") == "第209周第7天"


def test_roster_split_writes_one_card_per_participant(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    result = run(
        "roster", ROSTER, "--today", "2025-09-29", "--format", "html", "--split", str(folder)
    )
    assert result.exit_code == 0, result.stderr
    names = sorted(path.name for path in folder.iterdir())
    assert names == [f"CT303-000{n}.html" for n in range(1, 6)]
    for path in folder.iterdir():
        text = path.read_text(encoding="utf-8")
        assert text.count('<article class="page card">') == 1
        assert path.stem in text


# Issue 21 #4: --split to PDF prints every card with one browser, spoken to over its DevTools
# pipe; a browser that fails or hangs there is reported as for one card, and nothing is written.
@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("echo 'cannot open display' >&2; exit 3",
         "failed to print the PDF (exit status 3): cannot open display"),
        ("sleep 30", "did not print the PDF within 1 s"),
        # Exits, leaving a helper that holds the pipe open: seen at once, not at the timeout.
        ("sleep 30 & exit 4", "failed to print the PDF (exit status 4)"),
    ],
    ids=["fails", "hangs", "exits-leaving-a-helper"],
)  # fmt: skip
def test_split_pdf_with_a_browser_that_fails_writes_nothing(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, message: str
) -> None:
    import time

    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 1)
    browser = _fake_browser(tmp_path, script)
    folder = tmp_path / "cards"
    began = time.monotonic()
    result = run("roster", ROSTER, "--today", "2025-09-29", "--format", "pdf",
                 "--browser", browser, "--split", str(folder))  # fmt: skip
    assert error_line(result, 1) == f"the browser {browser} {message}"
    assert time.monotonic() - began < 10
    assert not folder.exists()
    assert [p.name for p in tmp_path.iterdir()] == ["fake-chromium"]  # no staged folder left


def test_a_planned_visit_on_a_day_the_site_is_closed_says_so(run: Run) -> None:
    # 2025-10-01 is National Day (国庆节), a Wednesday; without --adjust the card keeps the date.
    text = run(
        "plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--today", "2025-09-17",
        "--format", "html",
    ).stdout  # fmt: skip
    rows = card_rows(text)
    assert rows["W3D1"][1][2] == "2025-10-01 Wed 周三"
    # Issue 16 #5: which holiday, in each language (停诊, not 不开诊), on a line of its own
    # under the visit, across the table.
    assert closed_line(text, "W3D1") == "site closed (National Day) 停诊（国庆节）"
    assert closed_line(text, "W25D1") is None
    assert rows["W3D1"][1][4] == ""  # no status word: the visit is planned, not yet due


@pytest.mark.parametrize(
    ("lang", "closed"),
    [("en", "site closed (National Day)"), ("zh", "停诊（国庆节）")],
)
def test_a_card_in_one_language_names_the_holiday_in_it(run: Run, lang: str, closed: str) -> None:
    # As above: W3D1 of a W1D1 on Wed 2025-09-17 is Wed 2025-10-01, National Day (国庆节).
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2025-09-17", "--today", "2025-09-17",
        "--format", "html", "--lang", lang,
    )  # fmt: skip
    assert closed_line(result.stdout, "W3D1") == closed


def test_a_visit_on_a_weekend_day_says_the_site_is_closed_for_the_weekend(run: Run) -> None:
    # W1D1 Sun 2025-09-07 (W1D1 is never moved); W3D1 = Sun 09-21, an ordinary weekend day.
    text = run(
        "plan", "--arm", "phase3-rcp", "--start", "2025-09-07", "--today", "2025-09-01",
        "--format", "html",
    ).stdout  # fmt: skip
    assert card_rows(text)["W3D1"][1][2] == "2025-09-21 Sun 周日"
    assert closed_line(text, "W3D1") == "site closed (weekend) 停诊（周末）"


def test_a_visit_on_a_make_up_saturday_says_it_is_a_working_day(run: Run) -> None:
    """Issue 16 #5. W1D1 Tue 2025-09-02: W25D1 = day 169 = Tue 2026-02-17 (春节); with a ±3 day
    window and --adjust it moves to Sat 2026-02-14, a make-up working day of the 2026 notice
    (the hand-checked search is in tests/site/test_workdays.py). The card says so under the
    Saturday, so that nobody takes it for a mistake; no other visit gets the remark."""
    args = (
        "plan", "--arm", "phase3-rcp", "--start", "2025-09-02", "--window", "3", "--adjust",
        "--today", "2025-09-01", "--format", "html",
    )  # fmt: skip
    text = run(*args).stdout
    rows = card_rows(text)
    assert rows["W25D1"][1][2] == "2026-02-14 Sat 周六 make-up working day 调休上班日"
    assert closed_line(text, "W25D1") is None
    assert [code for code, (_, cells) in rows.items() if "make-up" in cells[2]] == ["W25D1"]
    chinese = card_rows(run(*args, "--lang", "zh").stdout)
    assert chinese["W25D1"][1][2] == "2026-02-14 周六 调休上班日"


def test_the_agenda_counts_chairs_only_on_the_days_it_covers(run: Run, tmp_path: Path) -> None:
    # A from 2025-09-01 (W1D1 recorded): W3D1 2025-09-15, window 3 days (to 09-18), not
    # recorded. An agenda from 2025-09-17 lists it (window still open) under 09-15, a day it
    # does not count chairs on.
    roster = tmp_path / "roster.csv"
    roster.write_text("participant,arm,start,window\nA,phase3-rcp,2025-09-01,3\n", encoding="utf-8")
    actuals = tmp_path / "actuals.csv"
    actuals.write_text("participant,code,date\nA,W1D1,2025-09-01\n", encoding="utf-8")
    result = run(
        "agenda", str(roster), "--actuals", str(actuals), "--from", "2025-09-17", "--days", "7",
        "--today", "2025-09-17", "--chairs", "2", "--format", "html",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = " ".join("".join(page(result.stdout).text).split())
    assert "2025-09-15 Mon 周一 Participant" in text
    assert "chairs used" not in text
    assert "window still open 访视窗仍开放" in text


def test_a_protocol_file_with_day_codes_and_a_screening_visit(run: Run) -> None:
    # SAkuraStar (examples/protocols): screening at D-28, then D1, D15, D29 ... From D1 on
    # 2024-01-01 (a Monday), D-28 is 28 days before D1 (no day 0): 2023-12-04, a Monday;
    # D15 = 2024-01-15 and D29 = 2024-01-29, Mondays.
    satra = EXAMPLES / "protocols" / "satralizumab-sakurastar.toml"
    result = run(
        "plan", "--protocol", str(satra), "--arm", "sakurastar-db", "--start", "2024-01-01",
        "--today", "2024-01-10", "--format", "html",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    # 26 visits: the compact card (two columns; the screening visit says what it is under its
    # code, as the infusions share one label, said once above them).
    rows = {cells[1].split()[0]: cells for _, cells in page(result.stdout).rows if len(cells) >= 3}
    assert rows["D-28"][1:3] == ["D-28 Screening visit 筛选访视", "2023-12-04 Mon 周一"]
    assert rows["D15"][:3] == ["►", "D15 第15天", "2024-01-15 Mon 周一"]
    assert rows["D29"][1:3] == ["D29 第29天", "2024-01-29 Mon 周一"]


# --- the compact card of a long schedule (issue 16 #7) ---------------------------------------


def _trial_of(tmp_path: Path, weeks: int) -> str:
    """A protocol file with one open-label schedule of `weeks` weekly infusions (W1D1, W2D1,
    ...), matching placebo at W3D1."""
    visits = ", ".join(f'"W{week}D1"' for week in range(1, weeks + 1))
    path = tmp_path / "trial.toml"
    path.write_text(
        'format = 1\n\n[protocol]\nid = "T-1"\nregistry = "NCT00000000"\ntitle = "A trial"\n'
        'sponsor = "Nobody"\nsite = "Nowhere"\ncountry = "CN"\ntimezone = "Asia/Shanghai"\n'
        'source = "none"\n\n[treatments.drug]\nlabel = "Drug 100 mg"\nproduct = "drug"\n'
        'dose_mg = 100\n\n[treatments.placebo]\nlabel = "Matching placebo"\n'
        'product = "placebo"\ndose_mg = 0\n\n[[schedules]]\nname = "open"\n'
        'title = "Open label"\nperiod = "OL"\nmasking = "open-label"\n'
        f'visits = [{visits}]\ntreatment = "drug"\noverrides = {{ W3D1 = "placebo" }}\n'
        'cites = "A sentence."\n',
        encoding="utf-8",
    )
    return str(path)


@pytest.mark.parametrize("weeks", [html.MOST_IN_ONE_COLUMN, html.MOST_IN_ONE_COLUMN + 1])
def test_a_card_of_more_than_twelve_visits_lists_them_in_two_columns(
    run: Run, tmp_path: Path, weeks: int
) -> None:
    # W1D1 Mon 2024-01-08; WnD1 = 2024-01-08 + 7(n-1) days, every Monday: W6D1 = + 35 days =
    # 2024-02-12, inside the 2024 notice's Spring Festival break (02-10 to 02-17 off); W12D1 =
    # + 77 days = 2024-03-25; W13D1 = + 84 days = 2024-04-01 (2024 is a leap year).
    result = run(
        "plan", "--protocol", _trial_of(tmp_path, weeks), "--arm", "open",
        "--start", "2024-01-08", "--today", "2024-01-08", "--format", "html",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    parsed = page(text)
    rows = [
        cells
        for _, cells in parsed.rows
        if cells and re.fullmatch(r"W\d+D1", cells[1][:5].split()[0])
    ]
    assert [cells[1].split()[0] for cells in rows] == [f"W{n}D1" for n in range(1, weeks + 1)]
    flat = " ".join("".join(parsed.text).split())
    # In either layout, the closed day is said on a line of its own under its visit.
    assert (
        closed_line(text, "W6D1") == "site closed (Chinese New Year (Spring Festival)) 停诊（春节）"
    )
    if weeks <= 12:  # one table, what each visit gives and its status in columns of their own
        assert '<article class="page card">' in text
        assert text.count('<table class="visits">') == 1
        assert [cells[3] for cells in rows[1:3]] == ["Drug 100 mg", "Matching placebo 匹配安慰剂"]
        return
    assert '<article class="page card compact">' in text
    assert text.count('<table class="visits">') == 2
    assert '<div class="visit-columns">' in text
    assert "Status" not in flat  # the marks and the legend say it
    # What most infusions give, said once; the W3D1 placebo under its code.
    assert "Infusion 输注: Drug 100 mg" in flat
    assert rows[2][1] == "W3D1 第3周第1天 Matching placebo 匹配安慰剂"
    assert rows[1][1] == "W2D1 第2周第1天"
    assert rows[12][2] == "2024-04-01 Mon 周一"
    assert rows[0][0] == "►"  # the next visit is still marked


def test_the_longest_built_in_arm_keeps_one_column(run: Run) -> None:
    # The phase 3 journey: 4 RCP and 7 OLP infusions, 11 rows.
    text = run("plan", "--arm", "phase3", "--start", "2025-08-25", "--format", "html").stdout
    assert '<article class="page card">' in text
    assert text.count('<table class="visits">') == 1


def test_the_card_stays_bilingual_when_only_the_environment_chooses_a_language(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MIL62SCHED_LANG", "zh")
    text = " ".join(page(run(*CT0042).stdout).text)
    assert "Please bring" in text
    assert "请携带" in text


@pytest.mark.parametrize(
    ("args", "warning"),
    [
        (("--format", "csv", "--paper", "a5"),
         "--paper applies to the printed card (html, pdf) only; ignored for csv"),
        (("--format", "html", "--browser", "/nonexistent/chromium"),
         "--browser applies to --format pdf only; ignored for html"),
        (("--format", "ics", "--paper", "a4", "--browser", "chromium"),
         "--paper applies to the printed card (html, pdf) only; ignored for ics"),
    ],
)  # fmt: skip
def test_card_options_for_another_format_are_said_to_be_ignored(
    run: Run, args: tuple[str, ...], warning: str
) -> None:
    """--paper and --browser are never silently ignored (as --time outside .ics is not)."""
    result = run("plan", "--arm", "phase3-rcp", "--start", "2025-08-18", *args)
    assert result.exit_code == 0, result.stderr
    assert f"mil62sched: warning: {warning}\n" in result.stderr
    if "--browser" in args and "ics" in args:
        assert "--browser applies to --format pdf only; ignored for ics" in result.stderr


def test_card_options_used_by_their_format_give_no_warning(run: Run) -> None:
    result = run(
        "plan", "--arm", "phase3-rcp", "--start", "2025-08-18", "--format", "html", "--paper", "a5",
        "--site", str(EXAMPLES / "site.toml"),  # with a phone number: no warning for its lack
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "warning" not in result.stderr


def test_the_agenda_card_names_a_holiday_in_each_language(run: Run) -> None:
    """2025-10-01 is National Day (国庆节, State Council notice for 2025): the Chinese flag names
    it in Chinese, the English flag in English."""
    roster = str(EXAMPLES / "roster.csv")
    args = ("agenda", roster, "--from", "2025-09-29", "--today", "2025-09-29", "--days", "7",
            "--format", "html")  # fmt: skip
    both = run(*args)
    assert both.exit_code == 0, both.stderr
    assert "non-working day: National Day" in both.stdout
    assert "非工作日：国庆节" in both.stdout  # full-width after Chinese (issue 16 #9)
    chinese = run(*args, "--lang", "zh")
    assert "非工作日：国庆节" in chinese.stdout
    assert "National Day" not in chinese.stdout


# --- the site's name, its phone and the study's dates on the card (issue 16 #6) ---------------

SITE_EN, SITE_ZH = "Chinese PLA General Hospital, Beijing", "中国人民解放军总医院"


def _card_text(result_stdout: str) -> str:
    return " ".join("".join(page(result_stdout).text).split())


def test_the_card_names_the_protocols_site_in_english_and_chinese(run: Run) -> None:
    # Without --site, the built-in protocol's site: its name in both languages, in the heading
    # and in the contact box.
    text = _card_text(run(*CT0042).stdout)
    assert text.count(f"{SITE_EN} {SITE_ZH}") == 2
    chinese = _card_text(run(*CT0042, "--lang", "zh").stdout)
    assert chinese.count(SITE_ZH) == 2
    assert "PLA" not in chinese
    english = _card_text(run(*CT0042, "--lang", "en").stdout)
    assert english.count(SITE_EN) == 2
    assert SITE_ZH not in english


def test_a_site_files_name_is_shown_as_written(run: Run) -> None:
    # examples/site.toml names the site in both languages itself: nothing is added to it.
    result = run(*CT0042, "--site", str(EXAMPLES / "site.toml"))
    text = _card_text(result.stdout)
    assert text.count(f"{SITE_EN} · {SITE_ZH}") == 2
    assert text.count(SITE_ZH) == 2


NO_PHONE = {
    "en": "mil62sched: warning: the card shows no phone number to call: put the site's phone in "
    "a site file (key phone) and give it with --site FILE\n",
    "zh": "mil62sched: warning: 访视卡上没有可拨打的电话号码：请在研究中心文件中填写电话（'phone' "
    "项），并用 --site FILE 指定该文件\n",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_card_without_a_phone_number_says_so_once(run: Run, lang: str) -> None:
    result = run(*CT0042, "--lang", lang)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == NO_PHONE[lang]


def test_a_roster_of_cards_without_a_phone_number_says_so_once(run: Run, tmp_path: Path) -> None:
    result = run("roster", ROSTER, "--today", "2025-09-29", "--format", "html")
    assert result.exit_code == 0, result.stderr
    assert without_study_dates(result.stderr) == NO_PHONE["en"]
    folder = tmp_path / "cards"  # one card per file: still one warning
    result = run("roster", ROSTER, "--today", "2025-09-29", "--format", "html", "--split",
                 str(folder))  # fmt: skip
    assert without_study_dates(result.stderr) == NO_PHONE["en"]


@pytest.mark.parametrize(
    "args",
    [
        (*CT0042, "--site", str(EXAMPLES / "site.toml")),  # a phone number on the card
        (*CT0042[:-1], "csv"),  # no card
        ("agenda", ROSTER, "--today", "2025-09-29", "--format", "html"),  # no phone on the list
    ],
    ids=["site-file-with-phone", "csv", "agenda"],
)
def test_no_phone_warning_where_a_phone_is_shown_or_none_is_asked_for(
    run: Run, args: tuple[str, ...]
) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert "phone" not in result.stderr


def test_a_site_file_without_a_phone_number_gets_the_warning(run: Run, tmp_path: Path) -> None:
    result = run(*CT0042, "--site", site_file(tmp_path, "name = 'Ward 5'\n"))
    assert result.stderr == NO_PHONE["en"]


# Issue 16 #3: the card marks each date after the study completion date and says why once, in
# a footnote (no separate line besides): "Date to be confirmed:" once, then the numbered reasons.
COMPLETION = (
    "after the study completion date 2027-03-31 (NCT05314010)",
    "晚于研究完成日期 2027-03-31（NCT05314010）",
)
TO_BE_CONFIRMED = ("Date to be confirmed:", "日期待定：")


def test_the_card_says_visits_after_the_study_completion_date_may_change(run: Run) -> None:
    # phase1b-500 from Mon 2025-08-25: W79D1 = day 547 = +546 days = Mon 2027-02-22, before the
    # registry's completion 2027-03-31; W105D1 = day 729 = +728 days (104 weeks) = Mon 2027-08-23,
    # after it.
    args = ("plan", "--arm", "phase1b-500", "--start", "2025-08-25", "--today", "2025-08-25",
            "--format", "html", "--site", str(EXAMPLES / "site.toml"))  # fmt: skip
    both = run(*args).stdout
    text = _card_text(both)
    assert text.count(" ".join(TO_BE_CONFIRMED)) == 1
    assert re.search(rf"\d {re.escape(' '.join(COMPLETION))}", text), text
    number = re.search(r'2027-08-23<sup class="tbc">(?:[0-9],)*([0-9])</sup>', both)
    assert number is not None  # W105D1 marked; its last footnote is this one
    assert f"{number[1]} {COMPLETION[0]}" in text
    english = _card_text(run(*args, "--lang", "en").stdout)
    assert TO_BE_CONFIRMED[0] in english
    assert COMPLETION[0] in english
    chinese = _card_text(run(*args, "--lang", "zh").stdout)
    assert TO_BE_CONFIRMED[1] in chinese
    assert COMPLETION[1] in chinese
    assert COMPLETION[0] not in chinese
    # CT303-0042's last visit is W131D1 on 2026-06-29: before it, no such line.
    assert "study completion" not in _card_text(run(*CT0042).stdout)


def test_the_agenda_sheet_names_the_protocols_site_in_both_languages(run: Run) -> None:
    args = ("agenda", ROSTER, "--today", "2025-09-29", "--format", "html")
    heading = page(run(*args).stdout)
    text = " ".join("".join(heading.text).split())
    assert f"{SITE_EN} {SITE_ZH} · 2025-09-29" in text
    chinese = " ".join("".join(page(run(*args, "--lang", "zh").stdout).text).split())
    assert f"{SITE_ZH} · 2025-09-29" in chinese
    assert SITE_EN not in chinese
