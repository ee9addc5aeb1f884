"""The interview, driven without a terminal: keys go in through a prompt_toolkit pipe.

It asks copier.yml's questions (the jwt follow-ups only for jwt), explains the strategy, offers
"help me decide" and the full comparison, shows a summary with a chance to change any answer,
and Ctrl-C anywhere stops it with nothing written.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from authgen import interview, questions, schema
from conftest import REPO, Result, recorded_answers

ENTER, DOWN, UP, CTRL_C, CLEAR = "\r", "\x1b[B", "\x1b[A", "\x03", "\x15"

TEMPLATE = questions.load(REPO)
ASKED = [question.key for question in TEMPLATE.questions if not question.computed]
JWT_ONLY = ["jwt_algorithm", "jwt_revocation"]

# Keys that answer each question, in copier.yml's order.
NAME = CLEAR + "Acme Portal" + ENTER
SESSIONS = ENTER  # the first option, and the default
JWT = DOWN + ENTER
HELP_ME_DECIDE = DOWN + DOWN + ENTER
COMPARISON = DOWN + DOWN + DOWN + ENTER
SQLITE = ENTER
NO_GOOGLE = DOWN + ENTER  # "No" (the pointer starts on the default)
NO_TOTP = NO_PASSKEYS = DOWN + ENTER
PASSWORD = ENTER
YES, NO = ENTER, DOWN + ENTER  # a yes/no fact (no default: the pointer starts on Yes)
PAGES, API, BOTH = ENTER, DOWN + ENTER, DOWN + DOWN + ENTER
RENDER = ENTER
CHANGE = DOWN + ENTER


@contextmanager
def keyboard(*keys: str) -> Iterator[None]:
    """Type `keys` into whatever prompts run inside; when they run out, input ends."""
    with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
        pipe.send_text("".join(keys))
        pipe.close()
        yield


def interviewed(
    *keys: str, defaults: Mapping[str, object] | None = None
) -> tuple[interview.Interviewed, str]:
    out = io.StringIO()
    with keyboard(*keys):
        result = interview.run(TEMPLATE, Path("app"), defaults=defaults, out=out)
    return result, out.getvalue()


def test_every_default_gives_a_sessions_project() -> None:
    result, text = interviewed(
        ENTER, SESSIONS, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD, RENDER
    )
    assert result.given == {
        "project_name": "My App",
        "auth_strategy": "sessions",
        "database": "sqlite",
        "google_oauth": False,
        "totp": False,
        "passkeys": False,
        "password_min_length": 15,
    }
    assert result.decision is None
    assert "Nothing has been written yet." in text


def test_jwt_asks_its_follow_ups() -> None:
    result, text = interviewed(
        NAME,
        JWT,
        SQLITE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        DOWN + ENTER,
        DOWN + ENTER,
        RENDER,
    )
    assert result.given == {
        "project_name": "Acme Portal",
        "auth_strategy": "jwt",
        "database": "sqlite",
        "google_oauth": False,
        "totp": False,
        "passkeys": False,
        "password_min_length": 15,
        "jwt_algorithm": "HS256",
        "jwt_revocation": "every_request",
    }
    for key in JWT_ONLY:  # each follow-up explained with copier.yml's help
        [question] = [question for question in TEMPLATE.questions if question.key == key]
        assert " ".join(question.help.split()[:6]) in " ".join(text.split())


def test_the_interview_asks_exactly_copier_ymls_questions() -> None:
    """The interview, the schema and copier.yml ask the same keys (the drift check)."""
    sessions, _ = interviewed(
        ENTER, SESSIONS, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD, RENDER
    )
    jwt, _ = interviewed(
        ENTER, JWT, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD, ENTER, ENTER, RENDER
    )
    assert list(jwt.given) == ASKED
    assert list(sessions.given) == [key for key in ASKED if key not in JWT_ONLY]
    properties = schema.answers_schema(TEMPLATE)["properties"]
    assert isinstance(properties, dict)
    assert list(jwt.given) == [key for key in properties if key != "decide"]


def test_every_question_is_explained_before_it_is_asked() -> None:
    _, text = interviewed(
        ENTER, JWT, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD, ENTER, ENTER, RENDER
    )
    flat = " ".join(text.split())
    for question in TEMPLATE.questions:
        if not question.computed:
            assert " ".join(question.help.split()) in flat, question.key
    assert "coat-check ticket" in text  # the strategy question shows the two pictures
    assert "signed badge" in text


def test_typed_answers_are_checked_by_copier_ymls_rules() -> None:
    result, _ = interviewed(
        CLEAR + "2048 Portal" + ENTER,  # refused: must start with a letter; asked again
        NAME,
        SESSIONS,
        SQLITE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        CLEAR + "7" + ENTER,  # refused: below 8
        CLEAR + "twelve" + ENTER,  # refused: not a number
        CLEAR + "12" + ENTER,
        RENDER,
    )
    assert result.given["project_name"] == "Acme Portal"
    assert result.given["password_min_length"] == 12


def test_help_me_decide_then_accept() -> None:
    """The recommendation's follow-ups are taken too, so they are not asked."""
    result, text = interviewed(
        NAME,
        HELP_ME_DECIDE,
        YES,
        YES,
        NO,
        API,
        ENTER,
        SQLITE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        RENDER,
    )
    assert result.given["auth_strategy"] == "jwt"
    assert result.given["jwt_algorithm"] == "EdDSA"
    assert result.given["jwt_revocation"] == "every_request"
    assert result.decision is not None
    assert result.decision.facts.as_json() == {
        "cut_off_at_once": True,
        "verify_elsewhere": True,
        "many_servers_no_shared_store": False,
        "clients": "api",
    }
    assert "Recommended: jwt (jwt_algorithm EdDSA, jwt_revocation every_request)" in text
    flat = " ".join(text.split())
    for reason in result.decision.recommendation.reasons:
        assert reason in flat
    assert result.decision.record(result.given) == list(result.decision.recommendation.reasons)


def test_help_me_decide_then_pick_the_other() -> None:
    result, _ = interviewed(
        NAME,
        HELP_ME_DECIDE,
        NO,
        NO,
        NO,
        PAGES,
        DOWN + ENTER,  # "Use jwt instead" of the recommended sessions
        SQLITE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        ENTER,  # jwt_algorithm, asked since nothing recommended one
        ENTER,  # jwt_revocation
        RENDER,
    )
    assert result.given["auth_strategy"] == "jwt"
    assert result.decision is not None
    assert result.decision.recommendation.auth_strategy == "sessions"
    assert result.decision.record(result.given)[-1] == (
        "These answers recommend sessions; jwt was chosen instead."
    )


def test_help_me_decide_can_go_back() -> None:
    result, _ = interviewed(
        NAME,
        HELP_ME_DECIDE,
        NO,
        NO,
        NO,
        PAGES,
        DOWN + DOWN + ENTER,  # back to the strategy question
        SESSIONS,
        SQLITE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        RENDER,
    )
    assert result.given["auth_strategy"] == "sessions"
    assert result.decision is None


def test_the_full_comparison_can_be_read_first() -> None:
    result, text = interviewed(
        NAME,
        COMPARISON,
        JWT,
        SQLITE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        ENTER,
        ENTER,
        RENDER,
    )
    assert result.given["auth_strategy"] == "jwt"
    assert "Where the state lives" in text
    assert "Words used here" in text


def test_the_summary_lists_the_answers_and_the_reasons() -> None:
    result, text = interviewed(
        NAME,
        HELP_ME_DECIDE,
        NO,
        NO,
        NO,
        BOTH,
        ENTER,
        SQLITE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        RENDER,
    )
    summary = text.split("Summary:")[1]
    for key, value in result.given.items():
        assert key in summary
        assert str(value).lower() in summary.lower()
    assert "docs/decisions/0001-auth-strategy.md" in summary
    assert "Nothing has been written yet." in summary


def test_the_summary_goes_back_to_change_an_answer() -> None:
    """Switching to jwt asks its follow-ups; switching back drops them."""
    to_jwt, _ = interviewed(
        NAME, SESSIONS, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD,
        CHANGE, DOWN + ENTER,  # which answer: auth_strategy (the second)
        JWT, ENTER, DOWN + ENTER,  # the follow-ups, now asked
        RENDER,
    )  # fmt: skip
    assert to_jwt.given["auth_strategy"] == "jwt"
    assert to_jwt.given["jwt_revocation"] == "every_request"
    back, _ = interviewed(
        NAME, JWT, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD, ENTER, ENTER,
        CHANGE, DOWN + ENTER, UP + ENTER,  # the pointer starts on the current answer, jwt
        CHANGE, ENTER, CLEAR + "Other Name" + ENTER,
        RENDER,
    )  # fmt: skip
    assert back.given == {
        "project_name": "Other Name",
        "auth_strategy": "sessions",
        "database": "sqlite",
        "google_oauth": False,
        "totp": False,
        "passkeys": False,
        "password_min_length": 15,
    }


def test_changing_a_follow_up_is_noted_against_the_recommendation() -> None:
    result, _ = interviewed(
        NAME, HELP_ME_DECIDE, YES, NO, NO, API, ENTER,
        SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD,
        CHANGE, DOWN * 8 + ENTER,  # jwt_revocation, the ninth answer
        UP + ENTER,  # on_refresh instead of the recommended every_request (the pointer's)
        RENDER,
    )  # fmt: skip
    assert result.given["jwt_revocation"] == "on_refresh"
    assert result.decision is not None
    assert result.decision.record(result.given)[-1] == (
        "jwt_revocation on_refresh was chosen instead of the recommended every_request."
    )


def test_team_defaults_are_the_offered_defaults() -> None:
    team = {"database": "postgresql", "password_min_length": 20, "google_oauth": False}
    result, _ = interviewed(
        ENTER, SESSIONS, ENTER, ENTER, ENTER, ENTER, ENTER, RENDER, defaults=team
    )
    assert result.given["database"] == "postgresql"
    assert result.given["password_min_length"] == 20
    assert result.given["google_oauth"] is False


INTERRUPTIONS = [
    pytest.param([], id="at-the-first-question"),
    pytest.param([NAME], id="at-the-strategy"),
    pytest.param([NAME, COMPARISON], id="after-the-comparison"),
    pytest.param([NAME, HELP_ME_DECIDE, YES], id="in-help-me-decide"),
    pytest.param([NAME, HELP_ME_DECIDE, YES, YES, NO, API], id="at-the-recommendation"),
    pytest.param(
        [NAME, JWT, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD], id="at-a-follow-up"
    ),
    pytest.param(
        [NAME, SESSIONS, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, CLEAR + "12"], id="while-typing"
    ),
    pytest.param(
        [NAME, SESSIONS, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD], id="at-the-summary"
    ),
    pytest.param(
        [NAME, SESSIONS, SQLITE, NO_GOOGLE, NO_TOTP, NO_PASSKEYS, PASSWORD, CHANGE],
        id="changing-an-answer",
    ),
]


@pytest.mark.parametrize("before", INTERRUPTIONS)
def test_ctrl_c_stops_the_interview(before: list[str]) -> None:
    with pytest.raises(KeyboardInterrupt):
        interviewed(*before, CTRL_C, ENTER, ENTER, ENTER)


class _Terminal:
    def isatty(self) -> bool:
        return True


@pytest.fixture
def at_a_terminal(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """Run `authgen ARGS` with stdin a terminal, typing `keys` into its prompts."""

    def run(*args: str | Path, keys: tuple[str, ...] = ()) -> Result:
        monkeypatch.setattr(sys, "stdin", _Terminal())
        with keyboard(*keys):
            return cli(*args)

    return run


@pytest.mark.parametrize("before", INTERRUPTIONS)
def test_ctrl_c_exits_130_and_writes_nothing(
    at_a_terminal: Callable[..., Result], tmp_path: Path, before: list[str]
) -> None:
    result = at_a_terminal("new", tmp_path / "app", keys=(*before, CTRL_C))
    assert result.code == 130
    assert result.err_lines == ["authgen: interrupted; nothing was written"]
    assert list(tmp_path.iterdir()) == []


def test_the_interview_renders_the_project(
    at_a_terminal: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        NAME,
        JWT,
        SQLITE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        DOWN + ENTER,
        ENTER,
        RENDER,
    )
    result = at_a_terminal("new", tmp_path / "app", keys=keys)
    assert result.code == 0, result.err
    answers = recorded_answers(tmp_path / "app")
    assert answers["auth_strategy"] == "jwt"
    assert answers["jwt_algorithm"] == "HS256"
    assert "Rendered Acme Portal (jwt, sqlite)" in result.out
    assert (tmp_path / "app" / ".env").is_file()


def test_help_me_decide_reasons_reach_the_decision_record(
    at_a_terminal: Callable[..., Result], tmp_path: Path
) -> None:
    keys = (
        NAME,
        HELP_ME_DECIDE,
        YES,
        NO,
        NO,
        PAGES,
        ENTER,
        SQLITE,
        NO_GOOGLE,
        NO_TOTP,
        NO_PASSKEYS,
        PASSWORD,
        RENDER,
    )
    result = at_a_terminal("new", tmp_path / "app", keys=keys)
    assert result.code == 0, result.err
    record = (tmp_path / "app" / "docs" / "decisions" / "0001-auth-strategy.md").read_text()
    flat = " ".join(record.split())
    assert "You must be able to cut off a user or a device at once" in flat
    assert "decision_reasons" not in recorded_answers(tmp_path / "app")  # never recorded


def test_a_non_empty_destination_is_refused_before_any_question(
    at_a_terminal: Callable[..., Result], tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = at_a_terminal("new", tmp_path)  # no keys: a question would end the input
    assert result.code == 2
    assert "is not empty" in result.err
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]
