"""The generator's code type-checks under mypy's strict mode."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO


def test_generator_type_checks_strictly() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "generator/"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"mypy found errors:\n{result.stdout}{result.stderr}"
