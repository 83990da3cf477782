"""Start-up time of the commands that only read: each run as a user runs it (a new process),
on a demo database built once in a temporary folder. Prints the median of N runs per command.

    .venv/bin/python bench/startup.py [--runs 5]

What it shows: a read-only command must not import spaCy or scipy (the pipeline's
dependencies); `--version` is the floor (Python, typer, rich, the config model).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MONITOR = [sys.executable, "-m", "monitor"]
COMMANDS = [
    ["--version"],
    ["search", "cuba", "--json"],
    ["search", "cuba"],
    ["entities"],
    ["entity", "cossio"],
    ["figures", "--json"],
    ["feeds", "--json"],
    ["report"],
]


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def heavy_modules(args: list[str]) -> list[str]:
    """Which of spaCy, scipy and datasketch a command imports."""
    code = ("import sys, runpy; sys.argv = ['monitor', *sys.argv[1:]]\n"
            "try:\n    runpy.run_module('monitor', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            "print('HEAVY:' + ','.join(m for m in ('spacy', 'scipy', 'datasketch')"
            " if m in sys.modules), file=sys.stderr)")
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    line = next(x for x in out.stderr.splitlines() if x.startswith("HEAVY:"))
    return [m for m in line.removeprefix("HEAVY:").split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        subprocess.run([*MONITOR, "demo", "--db", str(db)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"{'command':32} {'median s':>9} {'min s':>7}  imports")
        for command in COMMANDS:
            args = [*MONITOR, *command] + ([] if command == ["--version"] else
                                           ["--db", str(db)])
            times = [timed(args) for _ in range(runs)]
            heavy = heavy_modules(args[3:])
            print(f"{' '.join(command):32} {statistics.median(times):9.2f} "
                  f"{min(times):7.2f}  {', '.join(heavy) or '-'}")


if __name__ == "__main__":
    main()
