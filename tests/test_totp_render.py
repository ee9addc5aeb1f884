"""The second factor is all or nothing in a render: its code, dependencies, pages and docs come
only with `totp`, while the schema is the same either way (so turning it on later with
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
TOTP_WORDS = re.compile(
    r"totp|pyotp|segno|authenticator|recovery.code|second.factor|second.step|two-step|\bmfa\b"
    r"|one-time-code|qr.code",
    re.IGNORECASE,
)
TOTP_FILES = [
    f"{PACKAGE}/auth/totp.py",
    f"{PACKAGE}/auth/second_step.py",
    f"{PACKAGE}/web/totp_api.py",
    f"{PACKAGE}/web/totp_pages.py",
    f"{PACKAGE}/web/second_step_pages.py",
    f"{PACKAGE}/web/qr_codes.py",
    f"{PACKAGE}/web/templates/_authenticator_app.html",
    f"{PACKAGE}/web/templates/second_step.html",
    "tests/test_totp.py",
    "tests/test_second_step.py",
]

RenderFn = Callable[[str, Mapping[str, object]], Rendered]


def render(rendered: RenderFn, totp: bool, google: bool = False) -> Rendered:
    # Without passkeys, whose WebAuthn "authenticators" share a word with the app's.
    return rendered(*matrix_case("sessions", "sqlite", google, totp=totp, passkeys=False))


def text(project: Rendered, name: str) -> str:
    return (project.path / name).read_text(encoding="utf-8")


def test_without_totp_nothing_of_it_is_rendered(rendered: RenderFn) -> None:
    project = render(rendered, totp=False, google=True)

    mentions = [
        f"{name}:{number}: {line.strip()}"
        for name in project.files
        if name not in ANY_RENDER and not SCHEMA.fullmatch(name)
        for number, line in enumerate(text(project, name).splitlines(), start=1)
        if TOTP_WORDS.search(line) and not OPTIONAL_SECTION.fullmatch(line.strip())
    ]

    assert [name for name in TOTP_FILES if name in project.files] == []
    assert mentions == []


def test_with_totp_its_code_dependencies_and_docs_are_rendered(rendered: RenderFn) -> None:
    project = render(rendered, totp=True)

    dependencies = text(project, "pyproject.toml").split("[dependency-groups]")[0]
    assert [name for name in TOTP_FILES if name not in project.files] == []
    assert '"pyotp>=' in dependencies
    assert '"segno>=' in dependencies
    assert "### A second factor: an authenticator app" in text(project, "docs/auth.md")
    assert "/api/auth/login/mfa" in text(project, f"{PACKAGE}/web/api_sign_in.py")


def test_the_schema_does_not_depend_on_totp(rendered: RenderFn) -> None:
    with_totp, without = render(rendered, totp=True), render(rendered, totp=False)

    schema_files = sorted(name for name in with_totp.files if SCHEMA.fullmatch(name))

    assert "migrations/versions/0009_second_factor.py" in schema_files
    assert schema_files == sorted(name for name in without.files if SCHEMA.fullmatch(name))
    for name in schema_files:
        assert text(with_totp, name) == text(without, name), name
