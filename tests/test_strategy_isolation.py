"""Each auth strategy renders alone: a jwt project holds nothing of sessions, a sessions project
nothing of JWTs, and each jwt variant only its own algorithm's and revocation mode's files.

The decision record (docs/decisions/) weighs one strategy against the other, and the line
pointing to it says which was chosen over which: those alone may name the other strategy.
Google sign-in speaks OpenID Connect, whose ID tokens are JWTs, so the strict word checks run
on renders without it; the settings, cookies and routes of each strategy are checked with it
too.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from copier import run_copy
from copier.errors import DirtyLocalWarning

from conftest import REPO, VARIANTS

JWT_VARIANTS = [name for name in VARIANTS if name.startswith("jwt")]

# What only a sessions project may say: its settings, its cookie, its words.
SESSION_SETTINGS = re.compile(r"session_idle_timeout|session_lifetime", re.IGNORECASE)
SESSION_COOKIE = re.compile(r"""cookie_name\(\s*["']session["']|COOKIE = ["']session["']""")
# pytest's own scope="session" is no session of ours.
SESSION_WORDS = re.compile(r"""\bsessions?\b(?<!scope="session)""", re.IGNORECASE)
# What only a jwt project may say.
JWT_SETTINGS = re.compile(r"jwt_keys|jwt_signing_kid|refresh_reuse_interval", re.IGNORECASE)
JWT_ROUTES = re.compile(r"/api/auth/refresh|/\.well-known/jwks\.json|TokenRenewalMiddleware")
JWT_WORDS = re.compile(
    r"jwt|jwks|refresh[_ ]tokens?|access[_ ]tokens?|at\+jwt|renewal", re.IGNORECASE
)
DECISION_RECORD = "docs/decisions/"
POINTER_TO_THE_RECORD = re.compile(r"rather than .* is recorded in")


@pytest.fixture(scope="module")
def render(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, bool], Path]:
    """Render a variant once per module with plain Copier, from this checkout."""
    cache: dict[tuple[str, bool], Path] = {}

    def render_once(variant: str, google: bool) -> Path:
        key = (variant, google)
        if key not in cache:
            destination = tmp_path_factory.mktemp("isolation") / "project"
            answers = {"project_name": "Acme Portal", "google_oauth": google, **VARIANTS[variant]}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DirtyLocalWarning)
                run_copy(
                    str(REPO),
                    destination,
                    data=answers,
                    defaults=True,
                    quiet=True,
                    vcs_ref="HEAD",
                    unsafe=False,
                )
            cache[key] = destination
        return cache[key]

    return render_once


def lines(project: Path) -> Iterator[tuple[str, int, str]]:
    """Every line of every text file of a project, with its path and number, but for the
    decision record and the pointer to it."""
    for path in sorted(project.rglob("*")):
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        relative = path.relative_to(project).as_posix()
        if relative.startswith(DECISION_RECORD):
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            if not POINTER_TO_THE_RECORD.search(line):
                yield relative, number, line


def found(project: Path, *patterns: re.Pattern[str]) -> list[str]:
    return [
        f"{path}:{number}: {line.strip()}"
        for path, number, line in lines(project)
        if any(pattern.search(line) for pattern in patterns)
    ]


def names(project: Path) -> set[str]:
    return {path.relative_to(project).as_posix() for path in project.rglob("*")}


@pytest.mark.parametrize("variant", JWT_VARIANTS)
def test_a_jwt_project_says_nothing_of_sessions(
    render: Callable[[str, bool], Path], variant: str
) -> None:
    project = render(variant, False)

    assert found(project, SESSION_SETTINGS, SESSION_COOKIE, SESSION_WORDS) == []
    assert not {name for name in names(project) if "session" in name}


def test_a_sessions_project_says_nothing_of_jwts(render: Callable[[str, bool], Path]) -> None:
    project = render("sessions", False)

    assert found(project, JWT_SETTINGS, JWT_ROUTES, JWT_WORDS) == []
    # (keys.py is jwt's signing keys; passkeys are no strategy's.)
    pattern = re.compile(r"jwt|token|(?<!pass)keys|renewal")
    assert not {name for name in names(project) if pattern.search(name)}


@pytest.mark.parametrize("variant", [*JWT_VARIANTS, "sessions"])
def test_with_google_sign_in_each_strategy_still_stands_alone(
    render: Callable[[str, bool], Path], variant: str
) -> None:
    project = render(variant, True)

    if variant == "sessions":
        assert found(project, JWT_SETTINGS, JWT_ROUTES) == []
        assert "pyjwt" not in (project / "pyproject.toml").read_text().lower()
    else:
        assert found(project, SESSION_SETTINGS, SESSION_COOKIE) == []


@pytest.mark.parametrize("variant", JWT_VARIANTS)
def test_a_jwt_project_holds_only_its_own_choices(
    render: Callable[[str, bool], Path], variant: str
) -> None:
    project = render(variant, False)
    package = project / "src" / "acme_portal"
    eddsa = VARIANTS[variant]["jwt_algorithm"] == "EdDSA"
    keys = (package / "auth" / "keys.py").read_text()
    access = (package / "auth" / "access.py").read_text()
    dependencies = (project / "pyproject.toml").read_text()

    assert (package / "web" / "jwks.py").exists() == eddsa
    assert (project / "tests" / "test_public_keys.py").exists() == eddsa
    assert (project / "tests" / "test_shared_secret.py").exists() != eddsa
    assert ("Ed25519" in keys) == eddsa
    assert ("HS256" in keys) != eddsa
    assert ("cryptography" in dependencies) == eddsa
    assert '"pyjwt>=2.13"' in dependencies
    if VARIANTS[variant]["jwt_revocation"] == "on_refresh":
        assert "select" not in access
        assert "checks sign-ins when they refresh" in access
    else:
        assert "select(" in access
        assert "checks sign-ins on every request" in access
    assert not (project / "tests" / "test_sessions.py").exists()


def test_a_sessions_project_keeps_its_own_files(render: Callable[[str, bool], Path]) -> None:
    project = render("sessions", False)

    assert (project / "tests" / "test_sessions.py").exists()
    settings = project / "src" / "acme_portal" / "auth" / "sign_in_settings.py"
    assert "session_idle_timeout" in settings.read_text()
    for jwt_only in ("auth/tokens.py", "auth/keys.py", "auth/access.py", "web/renewal.py"):
        assert not (project / "src" / "acme_portal" / jwt_only).exists(), jwt_only
