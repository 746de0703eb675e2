"""Floor of `mil62sched roster ROSTER --format csv -o OUT` as the issue sets it: python and
csv.writer writing the same rows, read from the tool's own file with csv.reader, one at a time
(nothing planned: the least a process that writes those rows can do).

    python floors/csv_copy.py REFERENCE.csv OUT
"""

import csv
import sys

with (
    open(sys.argv[1], newline="", encoding="utf-8") as source,
    open(sys.argv[2], "w", newline="", encoding="utf-8") as target,
):
    csv.writer(target, lineterminator="\n").writerows(csv.reader(source))
