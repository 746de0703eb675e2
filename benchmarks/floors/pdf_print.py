"""Floor of `mil62sched roster ROSTER --split DIR --format pdf`: one headless Chromium printing
every card, from one HTML file of them all (the tool's `--format html`), with the flags the tool
gives it and a new profile, as the tool starts it.

    python floors/pdf_print.py CARDS.html OUT.pdf BROWSER
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path


def main(cards: str, out: str, browser: str) -> None:
    with tempfile.TemporaryDirectory(prefix="floor-pdf-", ignore_cleanup_errors=True) as work:
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                f"--user-data-dir={work}/profile",
                "--no-pdf-header-footer",
                f"--print-to-pdf={out}",
                Path(cards).resolve().as_uri(),
            ],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env={**os.environ, "TMPDIR": work, "TMP": work, "TEMP": work},
            check=True,
        )


if __name__ == "__main__":
    main(*sys.argv[1:])
