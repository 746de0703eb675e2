"""Start-up stays lean: a heavy library is imported only where it is used.

Every run lists the formats (`--help`, `--format`) and loads a protocol; neither may pay for the
card's template engine (jinja2), the workbook library (openpyxl), the JSON Schema validator
(jsonschema), the public-holiday package (holidays) or the PDF splitter of --split (pikepdf),
which cost tens of milliseconds each at every start (`benchmarks/run.py --only startup`). Each
check runs a fresh interpreter: in this one, other tests have imported them all. (These checks
lived in the card, workbook, protocol file and working-day tests; issue 17 #9 gathered them
here.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

PROTOCOLS = EXAMPLES / "protocols"
# The modules watched: the heavy libraries, and a module of ours that imports one on use.
WATCHED = ("jinja2", "openpyxl", "jsonschema", "holidays", "pikepdf", "mil62sched.formats.html")


def imported(code: str, cache: Path, *arguments: str) -> set[str]:
    """Which of WATCHED a fresh interpreter has imported after running `code` (with
    `arguments` in sys.argv[1:] and an empty per-user cache of its own, `cache`)."""
    report = f"\nimport sys\nprint(' '.join(m for m in {WATCHED!r} if m in sys.modules))\n"
    done = subprocess.run(
        [sys.executable, "-c", code + report, *arguments],
        env={**os.environ, "MIL62SCHED_CACHE_DIR": str(cache)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_listing_the_formats_imports_neither_jinja2_nor_openpyxl(tmp_path: Path) -> None:
    """The CLI lists every format at each start: the card's template engine and the workbook
    library are imported only when a card or a workbook is made. (The html format's module is
    imported, which shows that the check sees it.)"""
    code = "from mil62sched import cli, formats\nformats.all_formats()"
    assert imported(code, tmp_path / "cache") == {"mil62sched.formats.html"}


def test_the_working_day_calendar_imports_holidays_only_on_use(tmp_path: Path) -> None:
    """Importing the site's working-day calendar does not import holidays (the package is read
    when a year is first asked for, then cached)."""
    assert imported("import mil62sched.site.workdays", tmp_path / "cache") == set()


@pytest.mark.slow  # seconds of CPU in processes: the full run has it
def test_jsonschema_and_holidays_are_imported_only_to_check_a_new_file(tmp_path: Path) -> None:
    """Loading the built-in file, or a file found valid before, imports neither jsonschema nor
    holidays (for the site's country, issue 10); a file not seen before is checked, which
    needs both."""
    path = tmp_path / "trial.toml"
    path.write_text((PROTOCOLS / "satralizumab-sakurastar.toml").read_text(encoding="utf-8"))
    code = (
        "import sys\nfrom pathlib import Path\nfrom mil62sched import protocol\n"
        "protocol.load(None if sys.argv[1] == '-' else Path(sys.argv[1]))"
    )
    cache = tmp_path / "cache"
    assert imported(code, cache, "-") == set()
    assert imported(code, cache, str(path)) == {"jsonschema", "holidays"}  # a new file: checked
    assert imported(code, cache, str(path)) == set()  # found valid before
