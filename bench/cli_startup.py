"""How fast authgen answers the commands that load no template: --help, --version, schema.

Prints the median and best wall time of each over several runs, as a fresh process would see
them (`python -m authgen ...`, this checkout's code first on the path). The goal is well under
half a second each; nothing here asserts it, the figures are for reading.

    python bench/cli_startup.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
COMMANDS = (["--help"], ["--version"], ["schema"], ["new", "--help"], ["update", "--help"])


def timed(args: list[str], runs: int) -> list[float]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "generator")}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "authgen", *args],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
        )  # fmt: skip
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    baseline = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        baseline.append(time.perf_counter() - started)
    print(f"{'command':<22} {'median':>8} {'best':>8}   ({runs} runs each)")
    print(f"{'python -c pass':<22} {statistics.median(baseline):>7.3f}s {min(baseline):>7.3f}s")
    for args in COMMANDS:
        times = timed(args, runs)
        label = "authgen " + " ".join(args)
        print(f"{label:<22} {statistics.median(times):>7.3f}s {min(times):>7.3f}s")


if __name__ == "__main__":
    main()
