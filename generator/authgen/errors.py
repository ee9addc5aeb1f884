"""Every error authgen reports, in one place.

An error carries one `Problem` per thing to fix; the command line prints one line per problem
(or one JSON object with all of them) and exits with the error's `exit_code`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass


def shown(value: object) -> str:
    """A value as the user would write it in an answers file: "text", 15, true."""
    return json.dumps(value, default=str, ensure_ascii=False)


@dataclass(frozen=True)
class Problem:
    """One thing to fix: which key (or flag), what was given, what is allowed."""

    key: str
    given: object
    allowed: str
    message: str

    def as_json(self) -> dict[str, object]:
        given = self.given
        try:
            json.dumps(given)
        except (TypeError, ValueError):
            given = str(given)
        return {"key": self.key, "given": given, "allowed": self.allowed, "message": self.message}


class AuthgenError(Exception):
    """Something the user can fix. Nothing has been written when it is raised."""

    exit_code = 2

    def __init__(self, summary: str, problems: Sequence[Problem]) -> None:
        super().__init__(summary)
        self.summary = summary
        self.problems = tuple(problems)


class UsageError(AuthgenError):
    """The command line is wrong: a bad flag, a malformed --set, no answers and no terminal."""


class AnswersFileError(AuthgenError):
    """The answers file is missing, unreadable, or not a mapping of keys to values."""


class AnswersError(AuthgenError):
    """Answers were refused: unknown key, wrong type, value not allowed, a rule broken."""

    @classmethod
    def refusing(cls, problems: Sequence[Problem]) -> AnswersError:
        count = f"{len(problems)} problem{'s' if len(problems) > 1 else ''}"
        return cls(f"answers refused ({count}); nothing was written", problems)


class DestinationError(AuthgenError):
    """DEST may not be written: not empty without --force, or a file is in the way."""


class TemplateError(AuthgenError):
    """The template or copier.yml is broken: a bug in authgen, not in the user's answers."""

    exit_code = 1


class UpdateError(AuthgenError):
    """A project cannot be updated as asked: not a project authgen made, a dirty work tree, a
    version this authgen cannot reproduce, a locked answer. Nothing has been changed."""


class LockedError(AuthgenError):
    """An answer differs from the value the team's defaults file locks. Nothing was written."""
