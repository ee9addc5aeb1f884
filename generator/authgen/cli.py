"""The `authgen` command: flags, exit codes and output; the work is done elsewhere."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import yaml

from . import advisor, answers, explain, interview, questions, render, schema
from .errors import AnswersFileError, AuthgenError, Problem, UsageError

INTERRUPTED = 130
DEFAULTS_ENV = "AUTHGEN_DEFAULTS_FILE"

NEW_EPILOG = f"""\
answers:
  --answers-file and --set are non-interactive: any key not given takes its default.
  --set overrides the file key by key; --defaults alone takes every default. With none of
  them and a terminal on stdin, the questions are asked there. Keys starting with "_" are
  ignored, so a project's .copier-answers.yml works as an answers file. `authgen schema`
  prints the format of the file.

help me decide:
  Instead of auth_strategy, an answers file may give the facts under "decide" (see
  `authgen schema`); the recommendation is applied and, with --json, reported.

team defaults:
  --defaults-file FILE (else the file ${DEFAULTS_ENV} names) holds the answers every
  project starts from.
  Precedence: copier.yml's defaults < team defaults < answers file < --set.

DEST and --force:
  DEST must be missing or empty. With --force the project is also added to a non-empty DEST,
  but no existing file is ever deleted or overwritten: if any file of the project (or .env)
  is already there, nothing is written and each one is named.

exit codes:
  0    rendered
  1    the template failed to render (a bug in authgen); nothing was written
  2    bad usage or bad answers, one line per problem; nothing was written
  130  interrupted (Ctrl-C); nothing was left behind
"""


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so --json can report usage errors too."""

    def error(self, message: str) -> NoReturn:
        line = f"{message} (see {self.prog} --help)"
        usage = " ".join(self.format_usage().split())
        raise UsageError(line, [Problem("usage", None, usage, line)])


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in arguments
    try:
        options = _parser().parse_args(arguments)
        if options.command == "explain":
            return _page(explain.comparison(explain.terminal_width()))
        if options.command == "schema":
            answers_schema = schema.answers_schema(questions.load())
            return _page(json.dumps(answers_schema, indent=2, ensure_ascii=False) + "\n")
        return _new(options)
    except AuthgenError as error:
        for problem in error.problems:
            print(f"authgen: {problem.message}", file=sys.stderr)
        if as_json:
            _print_json({"error": error.summary, "problems": [p.as_json() for p in error.problems]})
        return error.exit_code
    except KeyboardInterrupt:
        # An interrupt can land while the prompt library is still building its event loop; the
        # half-built loop then fails to finalize at exit. That is noise after a clean stop.
        sys.unraisablehook = _ignore_unraisable
        print("\nauthgen: interrupted; nothing was written", file=sys.stderr)
        if as_json:
            _print_json({"error": "interrupted; nothing was written", "problems": []})
        return INTERRUPTED


def _ignore_unraisable(_: sys.UnraisableHookArgs) -> None:
    """Say nothing of errors in finalizers (see the KeyboardInterrupt branch of `main`)."""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="authgen",
        description="Render a secure FastAPI project with email and password sign-in.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    new = commands.add_parser(
        "new",
        help="render a new project into DEST",
        description="Render a new project into DEST, then write its git-ignored .env of secrets.",
        epilog=NEW_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    new.add_argument("destination", metavar="DEST", type=Path, help="where to create the project")
    new.add_argument(
        "--answers-file",
        metavar="FILE",
        type=Path,
        help="a YAML or JSON file mapping question keys to answers",
    )
    new.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="assignments",
        help="one answer, e.g. --set database=postgresql (repeatable)",
    )
    new.add_argument(
        "--defaults", action="store_true", help="take the default of every answer not given"
    )
    new.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout (destination, answers, next steps, or the "
        "problems); human text goes to stderr",
    )
    new.add_argument(
        "--force",
        action="store_true",
        help="allow a non-empty DEST (existing files are never deleted or overwritten)",
    )
    new.add_argument(
        "--defaults-file",
        metavar="FILE",
        type=Path,
        help=f"a YAML or JSON file of team defaults (default: ${DEFAULTS_ENV}, if set)",
    )
    commands.add_parser(
        "explain",
        help="explain sessions and JWTs in plain words",
        description="Print the plain-language comparison of sessions and JWTs.",
    )
    commands.add_parser(
        "schema",
        help="print the JSON Schema of an answers file",
        description="Print the JSON Schema (draft 2020-12) of the answers file that "
        "`authgen new --answers-file` reads.",
    )
    return parser


def _new(options: argparse.Namespace) -> int:
    template = questions.load()
    team = _team_defaults(options, template)
    given = _given(options)
    if given is None:
        _require_terminal(as_json=options.json)
        render.check_destination(options.destination, force=options.force)
        interviewed = interview.run(template, options.destination, defaults=team)
        given, decision = interviewed.given, interviewed.decision
    else:
        given, decision = advisor.apply(given)
    notes = {questions.DECISION_REASONS: decision.record(given)} if decision else None
    clean = answers.validate(template, given, defaults=team, notes=notes)
    rendered = render.render(options.destination, clean, template, force=options.force)
    steps = next_steps(options.destination, rendered.answers)
    out = sys.stderr if options.json else sys.stdout
    _say_rendered(rendered, steps, out)
    if decision:
        print("The help-me-decide reasons are in docs/decisions/0001-auth-strategy.md.", file=out)
    if options.json:
        payload: dict[str, object] = {
            "destination": str(rendered.destination),
            "answers": rendered.answers.values,
            "next_steps": steps,
        }
        if decision:
            payload["decision"] = decision.as_json(given)
        _print_json(payload)
    return 0


def next_steps(destination: Path, clean: answers.Answers) -> list[str]:
    """The commands that take a fresh project to a running app."""
    package = clean.derived["package_name"]
    steps = [] if destination.resolve() == Path.cwd() else [f"cd {shlex.quote(str(destination))}"]
    return [*steps, "uv run alembic upgrade head", f"uv run uvicorn {package}.main:app"]


def _given(options: argparse.Namespace) -> dict[str, object] | None:
    """The answers from --answers-file then --set, or None when none were given at all."""
    if not (options.answers_file or options.assignments or options.defaults):
        return None
    given = _read_mapping(options.answers_file, "--answers-file") if options.answers_file else {}
    given.update(_parse_assignments(options.assignments))
    return given


def _team_defaults(options: argparse.Namespace, template: questions.Template) -> dict[str, object]:
    """The team's defaults: --defaults-file, else the file $AUTHGEN_DEFAULTS_FILE names."""
    source, path = "--defaults-file", options.defaults_file
    if path is None and os.environ.get(DEFAULTS_ENV):
        source, path = DEFAULTS_ENV, Path(os.environ[DEFAULTS_ENV])
    if path is None:
        return {}
    return answers.team_defaults(template, _read_mapping(path, source), f"{source} {path}")


def _read_mapping(path: Path, source: str) -> dict[str, object]:
    """A YAML or JSON file of answers; `source` (the flag) names it in every problem."""

    def refuse(reason: str, allowed: str) -> AnswersFileError:
        message = f"{source}: {path} {reason}"
        return AnswersFileError(message, [Problem(source, str(path), allowed, message)])

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise refuse("does not exist", "a readable YAML or JSON file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise refuse(f"cannot be read ({error})", "a readable YAML or JSON file") from error
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise refuse(f"is not valid JSON ({error.msg} at {where})", "a JSON object") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or "invalid syntax"
        raise refuse(f"is not valid YAML ({reason}{where})", "a YAML mapping") from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        kind = type(data).__name__
        raise refuse(f"holds a {kind}, not a mapping of keys to answers", "key: value lines")
    return {str(key): value for key, value in data.items()}


def _parse_assignments(assignments: Sequence[str]) -> dict[str, object]:
    parsed: dict[str, object] = {}
    problems = []
    for assignment in assignments:
        key, equals, value = assignment.partition("=")
        if not equals or not key.strip():
            message = f"--set: given {assignment!r}; allowed: KEY=VALUE, e.g. database=sqlite"
            problems.append(Problem("--set", assignment, "KEY=VALUE", message))
        else:
            parsed[key.strip()] = value
    if problems:
        raise UsageError("malformed --set; nothing was written", problems)
    return parsed


def _require_terminal(*, as_json: bool) -> None:
    if as_json or not sys.stdin.isatty():
        reason = "--json needs its answers up front" if as_json else "stdin is not a terminal"
        message = (
            f"no answers given and {reason}: pass --defaults, --answers-file FILE "
            "or --set KEY=VALUE"
        )
        raise UsageError(
            message, [Problem("answers", None, "--defaults, --answers-file, --set", message)]
        )


def _say_rendered(rendered: render.Rendered, steps: list[str], out: TextIO) -> None:
    values = rendered.answers.values
    print(
        f"Rendered {values['project_name']} ({values['auth_strategy']}, {values['database']}) "
        f"into {rendered.destination}",
        file=out,
    )
    print(f"Fresh secrets are in {rendered.destination / render.ENV_FILE} (git-ignored).", file=out)
    if values["database"] == "postgresql":
        print("Edit DATABASE_URL in .env to name your PostgreSQL database.", file=out)
    print("Next:", file=out)
    for step in steps:
        print(f"  {step}", file=out)


def _page(text: str) -> int:
    """Print a page; a reader that stops early (`authgen explain | head`) is not an error."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return 0


def _print_json(payload: dict[str, object]) -> None:
    print(json.dumps(payload, ensure_ascii=False, default=str))
