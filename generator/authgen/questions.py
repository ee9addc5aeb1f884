"""The questions, read from the template's copier.yml: the one place they are defined."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import Problem, TemplateError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment

TYPES = ("str", "int", "float", "bool", "yaml")

# Data for the template that is never asked nor recorded: why auth_strategy was chosen, when the
# "help me decide" facts chose it (a `when: false` question of copier.yml, default []).
DECISION_REASONS = "decision_reasons"

# What each choice means, in plain words: the interview shows it under the highlighted choice and
# the schema puts it in the descriptions. copier.yml's labels are the short form; a test checks
# that every choice of copier.yml (and yes and no of each yes/no question) has one here.
CHOICE_HELP: dict[str, dict[object, str]] = {
    "auth_strategy": {
        "sessions": "The server writes down each sign-in and the browser holds a random ticket "
        "for it (a cookie). Every request is looked up, and deleting the record ends that "
        "sign-in at once. The natural fit for pages served by this app.",
        "jwt": "The server hands out a short-lived signed pass that any server with the key can "
        "check without a lookup, and a refresh token to get the next one. Scales out and lets "
        "other services check identity; ending a sign-in takes effect when the pass runs out, "
        "unless every request checks.",
    },
    "database": {
        "sqlite": "One file next to the app, nothing to install or run: right for starting "
        "out, for tests, and for a small site on one server.",
        "postgresql": "A database server, for production and for several app servers. .env "
        "gets a placeholder DATABASE_URL to point at yours.",
    },
    "google_oauth": {
        True: "A 'Sign in with Google' button; a Google account is linked by Google's own id, "
        "never by email alone. Hidden until you set the Google client id and secret.",
        False: "Email and password only. Google can be added later: "
        "authgen update --set google_oauth=true.",
    },
    "totp": {
        True: "After the password (or Google), users who turned it on type a six-digit code from "
        "an app on their phone. A phished or leaked password alone no longer opens the account; "
        "recovery codes, each usable once, stand in for a lost phone.",
        False: "The password (or Google) alone signs in. A second factor can be added later: "
        "authgen update --set totp=true.",
    },
    "passkeys": {
        True: "A 'Sign in with a passkey' button, and passkeys to add on the account page: a key "
        "the phone or laptop keeps and unlocks with a fingerprint or PIN. No password to steal, "
        "nothing to phish; the button shows only where the browser supports it.",
        False: "No passkeys. They can be added later: authgen update --set passkeys=true.",
    },
    "jwt_algorithm": {
        "EdDSA": "A private key signs and a public key verifies (served at "
        "/.well-known/jwks.json): other services can check tokens but never make them.",
        "HS256": "One secret both signs and verifies: simplest when only this app checks "
        "tokens, but whoever holds the secret could make tokens too.",
    },
    "jwt_revocation": {
        "on_refresh": "No request reads the database. After a sign-out or a revoked device the "
        "refresh token dies at once; the access token works until it expires (15 minutes).",
        "every_request": "Each request checks in one indexed read that its sign-in is alive, "
        "so a sign-out or a revoked device cuts access at once.",
    },
}


@dataclass(frozen=True)
class Choice:
    label: str
    value: object
    description: str = ""


@dataclass(frozen=True)
class Question:
    """One answer the template takes. `when` and `validator` are Jinja, as Copier reads them."""

    key: str
    type: str
    default: object
    help: str = ""
    choices: tuple[Choice, ...] = ()
    when: bool | str = True
    validator: str = ""

    @property
    def computed(self) -> bool:
        """Never asked nor recorded: Copier derives it from the other answers (package_name),
        or authgen passes it (decision_reasons)."""
        return self.when is False

    @property
    def options(self) -> tuple[Choice, ...]:
        """What the interview offers: copier.yml's choices, or yes and no for a yes/no question,
        each with its plain explanation from CHOICE_HELP. Empty for a typed-in answer."""
        listed = self.choices
        if not listed and self.type == "bool":
            listed = (Choice("Yes", True), Choice("No", False))
        explained = CHOICE_HELP.get(self.key, {})
        return tuple(
            Choice(choice.label, choice.value, explained.get(choice.value, "")) for choice in listed
        )


@dataclass(frozen=True)
class Template:
    """Where the template lives and what it asks."""

    root: Path
    questions: tuple[Question, ...]
    answers_file: str
    envops: dict[str, Any]

    def jinja_env(self) -> SandboxedEnvironment:
        """The Jinja environment Copier renders copier.yml with (filters included)."""
        from jinja2.sandbox import SandboxedEnvironment

        options = {"keep_trailing_newline": True, **self.envops}
        return SandboxedEnvironment(
            extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"], **options
        )


def template_root() -> Path:
    """The bundled template of an installed authgen, else the checkout this code runs from."""
    package = Path(__file__).resolve().parent
    for root in (package / "_template", package.parents[1]):
        if (root / "copier.yml").is_file():
            return root
    raise TemplateError(
        "authgen's template is missing",
        [
            Problem(
                key="template",
                given=str(package / "_template"),
                allowed="an authgen installed from its wheel or run from its repository",
                message=f"template: copier.yml not found in {package / '_template'} nor in "
                f"{package.parents[1]}; reinstall authgen",
            )
        ],
    )


@cache
def load(root: Path | None = None) -> Template:
    """Read copier.yml under `root` (default: `template_root()`)."""
    root = root or template_root()
    config = yaml.safe_load((root / "copier.yml").read_text(encoding="utf-8"))
    questions = tuple(
        _question(key, spec) for key, spec in config.items() if not key.startswith("_")
    )
    return Template(
        root=root,
        questions=questions,
        answers_file=str(config.get("_answers_file", ".copier-answers.yml")),
        envops=dict(config.get("_envops", {})),
    )


def _question(key: str, spec: object) -> Question:
    if not isinstance(spec, dict):
        spec = {"default": spec, "type": _type_of(spec)}
    kind = spec.get("type", _type_of(spec.get("default")))
    if kind not in TYPES:
        raise TemplateError(
            "copier.yml uses a question type authgen does not read",
            [
                Problem(
                    key=key,
                    given=kind,
                    allowed=", ".join(TYPES),
                    message=f"copier.yml: {key} has type {kind}; authgen reads {', '.join(TYPES)}",
                )
            ],
        )
    return Question(
        key=key,
        type=kind,
        default=spec.get("default"),
        help=" ".join(str(spec.get("help", "")).split()),
        choices=_choices(spec.get("choices")),
        when=_when(spec.get("when", True)),
        validator=str(spec.get("validator", "")),
    )


def _when(value: object) -> bool | str:
    """Copier's `when`: a bool, or Jinja that renders to one."""
    return value if isinstance(value, bool) else str(value)


def _type_of(value: object) -> str:
    for kind, python_type in (("bool", bool), ("int", int), ("float", float)):
        if isinstance(value, python_type):
            return kind
    return "str"


def _choices(choices: object) -> tuple[Choice, ...]:
    if isinstance(choices, dict):
        return tuple(
            Choice(str(label), value["value"] if isinstance(value, dict) else value)
            for label, value in choices.items()
        )
    if isinstance(choices, list):
        return tuple(Choice(str(value), value) for value in choices)
    return ()
