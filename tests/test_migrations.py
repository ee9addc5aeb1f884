"""A rendered project's migrations go up, down and up again on SQLite and on PostgreSQL, and
end where its models are."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from conftest import TEST_DATABASE_URL, Rendered, matrix_case, reset_postgres, run_in

pytestmark = pytest.mark.slow

TABLES = """
import json, sys
import sqlalchemy as sa
url = sys.argv[1]
if url.startswith("postgresql://"):
    url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
engine = sa.create_engine(url)
print(json.dumps(sorted(sa.inspect(engine).get_table_names())))
engine.dispose()
"""

FEATURE_TABLES = {"users", "sign_ins", "login_throttles"}


def tables(project: Path, url: str) -> set[str]:
    output = run_in(project, ["uv", "run", "python", "-c", TABLES, url], timeout=120)
    return set(json.loads(output.splitlines()[-1]))


@pytest.mark.parametrize("database", ["sqlite", "postgresql"])
def test_upgrade_downgrade_upgrade(
    rendered: Callable[[str, Mapping[str, object]], Rendered],
    synced: Callable[[Rendered], Path],
    tmp_path: Path,
    database: str,
) -> None:
    project = synced(rendered(*matrix_case("sessions", database, google=False)))
    if database == "postgresql":
        url = TEST_DATABASE_URL
        reset_postgres(project, url)
    else:
        url = f"sqlite:///{tmp_path / 'migrations.db'}"

    def alembic(*args: str) -> str:
        return run_in(project, ["uv", "run", "alembic", *args], timeout=300, DATABASE_URL=url)

    alembic("upgrade", "head")
    assert tables(project, url) >= FEATURE_TABLES | {"alembic_version"}
    alembic("check")  # the migrations end exactly where the models are
    alembic("downgrade", "base")
    assert tables(project, url) <= {"alembic_version"}
    alembic("upgrade", "head")
    assert tables(project, url) >= FEATURE_TABLES
    assert "(head)" in alembic("current")
