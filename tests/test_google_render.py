"""Google sign-in is all or nothing in a render: its code, dependencies and docs come only with
google_oauth, while the schema is the same either way (so turning Google on later with
`copier update` changes no table)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from conftest import Rendered, matrix_case

PACKAGE = "src/acme_portal"
# Text that may mention Google in any render: a password list and the recorded answers.
ANY_RENDER = {f"{PACKAGE}/common-passwords.txt", ".copier-answers.yml"}
GOOGLE_WORDS = re.compile(r"google|authlib|oidc|openid", re.IGNORECASE)
GOOGLE_FILES = [
    f"{PACKAGE}/auth/google.py",
    f"{PACKAGE}/auth/google_settings.py",
    f"{PACKAGE}/web/google_pages.py",
    f"{PACKAGE}/web/templates/_sign_in_options.html",
    f"{PACKAGE}/web/templates/_connected_accounts.html",
    "tests/test_google_sign_in.py",
    "tests/oidc_providers.py",
]

RenderFn = Callable[[str, Mapping[str, object]], Rendered]


def render(rendered: RenderFn, google: bool) -> Rendered:
    return rendered(*matrix_case("sessions", "sqlite", google))


def text(project: Rendered, name: str) -> str:
    return (project.path / name).read_text(encoding="utf-8")


def test_without_google_nothing_of_it_is_rendered(rendered: RenderFn) -> None:
    project = render(rendered, google=False)

    mentions = [
        f"{name}:{number}: {line.strip()}"
        for name in project.files
        if name not in ANY_RENDER
        for number, line in enumerate(text(project, name).splitlines(), start=1)
        if GOOGLE_WORDS.search(line)
    ]

    assert [name for name in project.files if "google" in name] == []
    assert mentions == []


def test_with_google_its_code_dependencies_and_docs_are_rendered(rendered: RenderFn) -> None:
    project = render(rendered, google=True)

    pyproject = text(project, "pyproject.toml")
    readme = text(project, "README.md")
    assert [name for name in GOOGLE_FILES if name not in project.files] == []
    assert '"authlib>=' in pyproject.split("[dependency-groups]")[0]
    assert '"oidc-provider-mock' in pyproject.split("[dependency-groups]")[1]
    assert "## Sign in with Google" in readme
    assert "<PUBLIC_URL>/auth/google/callback" in readme
    assert "GOOGLE_CLIENT_ID=" in text(project, ".env.example")


def test_the_schema_does_not_depend_on_google(rendered: RenderFn) -> None:
    with_google, without = render(rendered, google=True), render(rendered, google=False)

    schema_files = [
        name
        for name in with_google.files
        if name.startswith("migrations/") or name == f"{PACKAGE}/models.py"
    ]

    assert "migrations/versions/0004_oauth_accounts.py" in schema_files
    assert sorted(schema_files) == sorted(
        name
        for name in without.files
        if name.startswith("migrations/") or name == f"{PACKAGE}/models.py"
    )
    for name in schema_files:
        assert text(with_google, name) == text(without, name), name
