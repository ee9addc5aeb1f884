"""scripts/load.py, run small: it serves the app, drives its clients and reports honestly."""

import subprocess
import sys

from conftest import PROJECT


def test_a_small_load_run_reports_no_errors_and_no_lost_accounts() -> None:
    completed = subprocess.run(
        [sys.executable, "scripts/load.py", "--clients", "3", "--seconds", "0.5"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert completed.returncode == 0, completed.stdout + completed.stderr
    report = completed.stdout.splitlines()
    assert "5xx: 0" in report
    assert '"database is locked": 0' in report
    assert "accounts lost: 0" in report
    requests = next(line for line in report if line.startswith("requests: "))
    assert int(requests.removeprefix("requests: ")) > 3
