"""Refuse commit subjects over 72 characters, from a given commit on (CHANGELOG.md and the commit
bodies carry the detail). Standard library only; run by .ci/run:

    python tools/commit_subjects.py SINCE

Commits before SINCE are history and are not judged; a clone without SINCE (a shallow one) has
nothing to judge and passes.
"""

from __future__ import annotations

import subprocess
import sys

LONGEST = 72


def main(since: str) -> int:
    known = subprocess.run(
        ["git", "rev-parse", "--quiet", "--verify", f"{since}^{{commit}}"],
        capture_output=True,
        check=False,
    )
    if known.returncode != 0:
        print(f"commit_subjects: {since} is not in this clone: nothing to judge")
        return 0
    log = subprocess.run(
        ["git", "log", "--format=%h %s", f"{since}..HEAD"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
    )
    long = [line for line in log.stdout.splitlines() if len(line.partition(" ")[2]) > LONGEST]
    for line in long:
        print(f"commit subject over {LONGEST} characters: {line}")
    return 1 if long else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
