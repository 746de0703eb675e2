"""`python -m mil62sched`."""

from mil62sched.cli import main

main()
