"""The benchmark of issue #13 runs end to end and prints its table (figures are not checked:
speed is read from the printed table, never asserted)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow

ONE_QUERY = "the most a lookup there can reach"


@pytest.mark.skipif(shutil.which("uv") is None, reason="the benchmark installs projects with uv")
def test_the_benchmark_prints_its_tables(tmp_path: Path) -> None:
    command = [sys.executable, str(REPO / "bench" / "run.py"), "--only", "sessions-sqlite"]
    command += ["sessions-pg"]
    command += ["--duration", "1", "--rounds", "1", "--rows", "2000", "--workdir", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    cells = {
        line.split("|")[1].strip(): [cell.strip() for cell in line.split("|")[2:-1]]
        for line in lines
        if line.startswith("| ")
    }
    rows = list(cells)
    assert "sessions, SQLite" in rows
    assert "sessions, PostgreSQL" in rows
    # What one PostgreSQL round trip alone leaves of a bare request: a ratio, in the /api/me column.
    one_query = cells[f"plain FastAPI making one PostgreSQL query ({ONE_QUERY})"]
    assert one_query[2].endswith("\N{MULTIPLICATION SIGN}"), one_query
    assert "plain FastAPI (the ceiling)" in rows
    assert "plain FastAPI sending the apps' security headers" in rows
    assert "fastapi-users 15 (JWT bearer / database token)" in rows
    assert any("sign-ins/s" in line for line in lines)
    assert any("2,000 rows" in line for line in lines)
