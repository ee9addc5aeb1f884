"""Inputs that used to give a broken project, a traceback or a silent surprise: each one now
gets exit 2, a line naming what is wrong and what is allowed, and nothing written."""

from __future__ import annotations

import json
import keyword
import re
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from authgen import answers, questions, schema
from authgen.cli import MAX_FILE_BYTES
from authgen.errors import AnswersError
from conftest import RENDERABLE, REPO, Result, as_sets, run_authgen

TEMPLATE = questions.load(REPO)
COPIER = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
RESERVED = set(COPIER["reserved_names"]["default"])


def assert_refused(result: Result, *lines: str) -> None:
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    assert result.err_lines == [f"authgen: {line}" for line in lines]
    assert result.out == ""


def accepted(given: dict[str, object]) -> bool:
    try:
        answers.validate(TEMPLATE, given)
    except AnswersError:
        return False
    return True


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("class", "class"),
        ("Import", "import"),
        ("test", "test"),
        ("Tests -", "tests"),
        ("FastAPI", "fastapi"),
        ("jwt", "jwt"),
        ("Email", "email"),
        ("Typing Extensions", "typing_extensions"),
        ("SQLAlchemy", "sqlalchemy"),
    ],
)
def test_a_name_whose_package_python_already_uses_is_refused(
    cli: Callable[..., Result], tmp_path: Path, name: str, package: str
) -> None:
    result = cli("new", tmp_path / "app", *as_sets({**RENDERABLE, "project_name": name}))
    assert_refused(
        result,
        f'project_name: given {json.dumps(name)}; gives the package name "{package}", which '
        "Python already uses (a keyword, a standard module, or a module the project or its "
        "tools import); choose another name",
    )
    assert not (tmp_path / "app").exists()


@pytest.mark.parametrize("name", ["Classy", "Test Portal", "My FastAPI App", "jwt-demo", "Emails"])
def test_a_name_that_only_contains_a_reserved_word_is_accepted(name: str) -> None:
    assert accepted({**RENDERABLE, "project_name": name})


def test_reserved_names_cover_keywords_the_standard_library_and_the_projects_imports() -> None:
    stdlib = {name.lower() for name in sys.stdlib_module_names if not name.startswith("_")}
    keywords = {word for word in keyword.kwlist if word.islower()}
    assert keywords <= RESERVED
    assert stdlib <= RESERVED
    imported = {"fastapi", "sqlalchemy", "alembic", "pydantic", "jwt", "argon2", "jinja2"}
    assert (
        imported | {"test", "tests", "migrations", "scripts", "pytest", "ruff", "mypy"} <= RESERVED
    )


IMPORT = re.compile(
    r"^\s*(?:from (?P<module>[A-Za-z_][\w.]*) import |import (?P<plain>[A-Za-z_][\w.]*)\s*$)",
    re.MULTILINE,
)


def test_every_import_of_the_template_is_reserved() -> None:
    """A module the generated code imports cannot be the project's own package."""
    imported = set()
    for path in (REPO / "template").rglob("*"):
        if path.suffix not in {".py", ".jinja"} or not path.is_file():
            continue
        for match in IMPORT.finditer(path.read_text(encoding="utf-8")):
            imported.add((match["module"] or match["plain"]).split(".")[0].lower())
    # The generated tests' own helper modules (tests/forge.py, ...) are imported by name.
    local = {path.name.split(".")[0] for path in (REPO / "template" / "tests").iterdir()}
    local.add("__future__")
    assert imported - local - RESERVED == set()


@pytest.mark.parametrize(
    "destination",
    [Path("/proc/authgen-cannot-write-here"), Path("/proc/self/status/app")],
    ids=["proc", "under-a-file"],
)
def test_an_unwritable_destination_is_refused_with_one_json_object(
    cli: Callable[..., Result], destination: Path
) -> None:
    result = cli("new", destination, *as_sets(RENDERABLE), "--json")
    assert result.code == 2, result.err
    assert "Traceback" not in result.err
    payload = result.json()
    assert payload["error"].startswith("DEST cannot be written")
    [problem] = payload["problems"]
    assert problem["key"] == "DEST"
    assert problem["allowed"] == "a directory you can write to"
    assert not destination.exists()


def test_an_unwritable_destination_leaves_nothing_behind(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        result = cli("new", locked / "deeper" / "app", *as_sets(RENDERABLE))
        if result.code == 0:
            pytest.skip("running as a user that can write anywhere (root)")
        assert result.code == 2
        assert "Traceback" not in result.err
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


SCHEMA = schema.answers_schema(TEMPLATE)
jsonschema = pytest.importorskip("jsonschema")
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def test_the_schema_states_the_range_of_password_min_length() -> None:
    prop = SCHEMA["properties"]["password_min_length"]  # type: ignore[index]
    assert (prop["minimum"], prop["maximum"]) == (8, 64)


@pytest.mark.parametrize(
    "given",
    [
        {"password_min_length": length}
        for length in (-1, 0, 7, 8, 9, 15, 63, 64, 65, 1000)
    ]
    + [
        {"project_name": name}
        for name in (
            "Acme Portal", "a", "A" * 60, "A" * 61, "2048 Portal", "my app!", "x-y_z 1",
            "class", "Class", "CLASS -", "import", "Test", "tests_", "test suite", "fastapi",
            "Fast API", "jwt", "JWT Tools", "typing extensions", "typing-extensions",
            "typing__extensions", "email", "emails", "os", "OS X", "Über", "sql alchemy",
        )
    ],
    ids=json.dumps,
)  # fmt: skip
def test_schema_and_authgen_agree(given: dict[str, object]) -> None:
    """Both ways: whatever authgen refuses the schema refuses, and the other way round."""
    full = {**RENDERABLE, **given}
    assert accepted(full) == (list(VALIDATOR.iter_errors(full)) == [])


def test_a_file_larger_than_the_cap_is_refused_unread(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    big = tmp_path / "answers.yml"
    big.write_text("project_name: Big\n" + "# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    result = cli("new", tmp_path / "app", "--answers-file", big)
    assert_refused(
        result,
        f"--answers-file: {big} is larger than 1024 KiB, far more than any answers; it was not "
        "read",
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        pytest.param(
            "answers.yml",
            "database: sqlite\nproject_name: One\ndatabase: postgresql\n",
            "gives the key 'database' twice (line 3); say each answer once",
            id="yaml",
        ),
        pytest.param(
            "answers.yml",
            "project_name: Nested\ndecide:\n  clients: api\n  clients: pages\n",
            "gives the key 'clients' twice (line 4); say each answer once",
            id="yaml-nested",
        ),
        pytest.param(
            "answers.json",
            '{"database": "sqlite", "database": "postgresql"}',
            "gives the key 'database' twice; say each answer once",
            id="json",
        ),
        pytest.param(
            "answers.yml",
            "",
            "holds no answers (it is empty); give at least one key, or use --defaults for every "
            "default",
            id="empty",
        ),
        pytest.param(
            "answers.yml",
            "# nothing but a comment\n",
            "holds no answers (it is empty); give at least one key, or use --defaults for every "
            "default",
            id="only-comments",
        ),
        pytest.param(
            "answers.json",
            "{}",
            "holds no answers (it is empty); give at least one key, or use --defaults for every "
            "default",
            id="empty-json-object",
        ),
    ],
)
def test_answers_file_surprises_are_refused(
    cli: Callable[..., Result], tmp_path: Path, name: str, content: str, reason: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    result = cli("new", tmp_path / "app", "--answers-file", path)
    assert_refused(result, f"--answers-file: {path} {reason}")
    assert not (tmp_path / "app").exists()


@pytest.mark.parametrize("value", ["1", "0", "2"])
def test_a_number_for_a_yes_no_answer_names_what_a_file_may_say(
    cli: Callable[..., Result], tmp_path: Path, value: str
) -> None:
    path = tmp_path / "answers.yml"
    path.write_text(f"google_oauth: {value}\n")
    result = cli("new", tmp_path / "app", "--answers-file", path)
    assert_refused(
        result, f"google_oauth: given {value}, which is not true or false; allowed: true or false"
    )


def test_a_team_file_with_two_problems_reports_both(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    team = tmp_path / "team.yml"
    team.write_text("password_min_length: 3\ndatabase: mysql\n_locked: [colour]\n")
    result = cli("new", tmp_path / "app", "--defaults-file", team, "--defaults")
    assert_refused(
        result,
        f'--defaults-file {team}: database: given "mysql", which is not one of the choices; '
        "allowed: sqlite, postgresql",
        f"--defaults-file {team}: password_min_length: given 3; must be a whole number from 8 "
        "to 64",
        f'--defaults-file {team}: _locked: "colour" is not a question; allowed: project_name, '
        "auth_strategy, database, google_oauth, totp, passkeys, password_min_length, "
        "jwt_algorithm, jwt_revocation",
    )


def test_version_is_the_packages(cli: Callable[..., Result]) -> None:
    version = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]
    result = cli("--version")
    assert (result.code, result.out) == (0, f"authgen {version}\n")


def test_no_command_is_a_usage_error(cli: Callable[..., Result]) -> None:
    result = cli()
    assert result.code == 2
    assert "a command is required" in result.err


HEAVY = ("copier", "questionary", "prompt_toolkit", "plumbum")


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["schema"], ["new", "--help"]])
def test_quick_commands_load_neither_copier_nor_the_prompt_library(args: list[str]) -> None:
    """What keeps --help fast; bench/cli_startup.py measures the time itself."""
    probe = (
        "import sys\n"
        "from authgen.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        f"print('LOADED', sorted(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", probe],
        env={"PYTHONPATH": str(REPO / "generator"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "LOADED []" in completed.stderr


def test_installing_authgen_brings_uv() -> None:
    """The README's two commands need uv on a machine that has only Python."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = [
        dependency.split(">")[0].split("=")[0].strip() for dependency in project["dependencies"]
    ]
    assert "uv" in names


def test_version_from_the_command_line(tmp_path: Path) -> None:
    result = run_authgen("--version", cwd=tmp_path)
    assert result.code == 0
    assert result.out.startswith("authgen ")
