"""Passkeys are all or nothing in a render: their code, dependency, script, pages and docs come
only with `passkeys`, while the schema is the same either way (so turning them on later with
`copier update` changes no table)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from conftest import Rendered, matrix_case

PACKAGE = "src/acme_portal"
SCHEMA = re.compile(rf"migrations/.*|{PACKAGE}/models\.py")
# Text that may mention it in any render: a password list and the recorded answers.
ANY_RENDER = {f"{PACKAGE}/common-passwords.txt", ".copier-answers.yml"}
# A page takes each optional feature's section with `{% include "..." ignore missing %}`: the
# line stays, and includes nothing when the feature's template was not rendered.
OPTIONAL_SECTION = re.compile(r'\{% include "_\w+\.html" ignore missing %\}')
PASSKEY_WORDS = re.compile(r"passkey|webauthn|\bcbor|credentials\.(get|create)", re.IGNORECASE)
PASSKEY_FILES = [
    f"{PACKAGE}/auth/passkeys.py",
    f"{PACKAGE}/web/passkey_api.py",
    f"{PACKAGE}/web/passkey_pages.py",
    f"{PACKAGE}/web/static/passkeys.js",
    f"{PACKAGE}/web/templates/_passkeys.html",
    f"{PACKAGE}/web/templates/_passkey_sign_in.html",
    "tests/passkey_device.py",
    "tests/test_passkeys.py",
]

RenderFn = Callable[[str, Mapping[str, object]], Rendered]


def render(rendered: RenderFn, passkeys: bool) -> Rendered:
    return rendered(*matrix_case("sessions", "sqlite", True, passkeys=passkeys))


def text(project: Rendered, name: str) -> str:
    return (project.path / name).read_text(encoding="utf-8")


def test_without_passkeys_nothing_of_them_is_rendered(rendered: RenderFn) -> None:
    project = render(rendered, passkeys=False)

    mentions = [
        f"{name}:{number}: {line.strip()}"
        for name in project.files
        if name not in ANY_RENDER and not SCHEMA.fullmatch(name)
        for number, line in enumerate(text(project, name).splitlines(), start=1)
        if PASSKEY_WORDS.search(line) and not OPTIONAL_SECTION.fullmatch(line.strip())
    ]

    assert [name for name in PASSKEY_FILES if name in project.files] == []
    assert mentions == []


def test_with_passkeys_their_code_dependency_and_docs_are_rendered(rendered: RenderFn) -> None:
    project = render(rendered, passkeys=True)

    dependencies = text(project, "pyproject.toml").split("[dependency-groups]")[0]
    assert [name for name in PASSKEY_FILES if name not in project.files] == []
    assert '"webauthn>=' in dependencies
    assert "### Passkeys" in text(project, "docs/auth.md")
    sign_in = text(project, f"{PACKAGE}/web/templates/_passkey_sign_in.html")
    assert '<script src="/static/passkeys.js" defer></script>' in sign_in


def test_the_schema_does_not_depend_on_passkeys(rendered: RenderFn) -> None:
    with_them, without = render(rendered, passkeys=True), render(rendered, passkeys=False)

    schema_files = sorted(name for name in with_them.files if SCHEMA.fullmatch(name))

    assert "migrations/versions/0010_passkeys.py" in schema_files
    assert schema_files == sorted(name for name in without.files if SCHEMA.fullmatch(name))
    for name in schema_files:
        assert text(with_them, name) == text(without, name), name
