"""Every supported combination of answers renders a clean project whose own tests pass."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Mapping
from fnmatch import fnmatch
from itertools import product
from pathlib import Path

import pytest

from conftest import (
    TEST_DATABASE_URL,
    VARIANTS,
    Rendered,
    matrix_case,
    reset_postgres,
    run_in,
)

DATABASES = ["sqlite", "postgresql"]
GOOGLE = [False, True]

# Every combination renders clean (quick): no leftover tags, ruff clean. The second factor and
# passkeys are on in all of them, and both off once for each variant.
CASES = [
    pytest.param(case, id=case[0])
    for case in (
        *(
            matrix_case(variant, database, google)
            for variant, database, google in product(VARIANTS, DATABASES, GOOGLE)
        ),
        *(
            matrix_case(variant, "sqlite", False, totp=False, passkeys=False)
            for variant in VARIANTS
        ),
    )
]

# The generated project's own suite (slow) runs on a subset that still has every variant with
# the second factor and passkeys, each database and Google on and off, each of those at least
# twice; then the second factor off on one strategy and passkeys off on the other.
SUITE_CASES = [
    pytest.param(case, id=case[0])
    for case in (
        matrix_case("sessions", "sqlite", True),
        matrix_case("sessions", "postgresql", False),
        matrix_case("jwt-eddsa-on-refresh", "sqlite", True),
        matrix_case("jwt-eddsa-every-request", "postgresql", False),
        matrix_case("jwt-hs256-on-refresh", "postgresql", True),
        matrix_case("jwt-hs256-every-request", "sqlite", False),
        matrix_case("sessions", "sqlite", False, totp=False),
        matrix_case("jwt-eddsa-on-refresh", "postgresql", False, passkeys=False),
    )
]

# The app's own Jinja pages and mail: their tags are the app's, rendered at request time, not
# Copier's.
APP_TEMPLATES = ("src/*/web/templates/*", "src/*/mail/templates/*")
TEMPLATE_TAG = re.compile(r"\{\{|\{%|\{#")
COPIER_VARIABLE = re.compile(r"\{[{%][^}]*\b(project_name|package_name|auth_strategy|_copier\w*)\b")


@pytest.fixture(params=CASES)
def project(
    request: pytest.FixtureRequest,
    rendered: Callable[[str, Mapping[str, object]], Rendered],
) -> tuple[Rendered, Mapping[str, object]]:
    name, values = request.param
    return rendered(name, values), values


def test_no_template_tags_left(project: tuple[Rendered, Mapping[str, object]]) -> None:
    rendered, _ = project
    leftovers = []
    for name in rendered.files:
        if TEMPLATE_TAG.search(name):
            leftovers.append(f"{name}: in the file name")
            continue
        try:
            text = (rendered.path / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        is_app_template = any(fnmatch(name, glob) for glob in APP_TEMPLATES)
        pattern = COPIER_VARIABLE if is_app_template else TEMPLATE_TAG
        leftovers += [
            f"{name}:{number}: {line.strip()}"
            for number, line in enumerate(text.splitlines(), start=1)
            if pattern.search(line)
        ]
    assert leftovers == []


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(["check", "--no-cache", "."], id="check"),
        pytest.param(["format", "--check", "--no-cache", "."], id="format"),
    ],
)
def test_ruff_is_clean(project: tuple[Rendered, Mapping[str, object]], command: list[str]) -> None:
    """With the rules of the generated pyproject.toml."""
    rendered, _ = project
    run_in(rendered.path, [sys.executable, "-m", "ruff", *command], timeout=120)


@pytest.mark.slow
@pytest.mark.parametrize("case", SUITE_CASES)
def test_mypy_strict_is_clean(
    case: tuple[str, Mapping[str, object]],
    rendered: Callable[[str, Mapping[str, object]], Rendered],
    synced: Callable[[Rendered], Path],
) -> None:
    """`uv run mypy` with the generated pyproject.toml's settings: strict, over src/."""
    path = synced(rendered(*case))
    out = run_in(path, ["uv", "run", "mypy", "--strict", "src/"], timeout=600)
    assert out.startswith("Success: no issues found")


@pytest.mark.slow
@pytest.mark.parametrize("case", SUITE_CASES)
def test_generated_test_suite_passes(
    case: tuple[str, Mapping[str, object]],
    rendered: Callable[[str, Mapping[str, object]], Rendered],
    synced: Callable[[Rendered], Path],
) -> None:
    name, values = case
    path = synced(rendered(name, values))
    database: dict[str, str] = {}
    if values["database"] == "postgresql":
        reset_postgres(path)
        database["TEST_DATABASE_URL"] = TEST_DATABASE_URL
    run_in(path, ["uv", "run", "pytest", "-q"], timeout=1200, **database)


# scripts/load.py, run briefly against each kind of project: it must finish clean.
LOAD_CASES = [
    pytest.param(case, id=case[0])
    for case in (
        matrix_case("sessions", "sqlite", True),
        matrix_case("jwt-eddsa-every-request", "postgresql", False),
        matrix_case("jwt-hs256-every-request", "sqlite", False, totp=False),
    )
]


@pytest.mark.slow
@pytest.mark.parametrize("case", LOAD_CASES)
def test_the_load_script_finishes_clean(
    case: tuple[str, Mapping[str, object]],
    rendered: Callable[[str, Mapping[str, object]], Rendered],
    synced: Callable[[Rendered], Path],
) -> None:
    name, values = case
    path = synced(rendered(name, values))
    command = ["uv", "run", "python", "scripts/load.py", "--clients", "20", "--seconds", "3"]
    if values["database"] == "postgresql":
        reset_postgres(path)
        command += ["--database-url", TEST_DATABASE_URL]
    report = run_in(path, command, timeout=300).splitlines()

    assert "5xx: 0" in report
    assert '"database is locked": 0' in report
    assert "accounts lost: 0" in report
