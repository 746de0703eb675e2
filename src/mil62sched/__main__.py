"""`python -m mil62sched`."""

from mil62sched.cli import main

if __name__ == "__main__":
    main()
