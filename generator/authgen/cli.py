"""The `authgen` command: flags, exit codes and output; the work is done elsewhere.

The modules that do the work are imported by the command that needs them, so that `--help`,
`--version` and `schema` answer without loading Copier or the prompt library
(bench/cli_startup.py measures it).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

from .errors import AnswersFileError, AuthgenError, Problem, UsageError

if TYPE_CHECKING:
    from . import answers, questions, render, update

INTERRUPTED = 130
DEFAULTS_ENV = "AUTHGEN_DEFAULTS_FILE"
# An answers or team file larger than this is refused unread: answers fit in a few hundred bytes.
MAX_FILE_BYTES = 1024 * 1024

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
  `_locked: [KEY, ...]` in that file locks answers: an answer that differs from the team's
  value (or copier.yml's default, when the team gives none) is refused.

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


UPDATE_EPILOG = f"""\
what it does:
  The project's .copier-answers.yml names the authgen release it was rendered from
  (_commit: vX.Y.Z). authgen carries the template of every release, renders the old one
  with the project's answers and this one with the new answers, and merges the difference
  into the project (Copier's three-way update): the project's own edits are kept, and where
  an edit and the template's change meet, the file gets conflict marks to resolve by hand.
  New secrets the answers need (jwt signing keys) are added to .env; no value there is
  changed. The project must be a git work tree with nothing uncommitted.

switching strategy, turning features on or off:
  --set auth_strategy=jwt (or sessions), --set google_oauth=false, ... Users, passwords and
  linked accounts are kept; `uv run alembic upgrade head` then ends every sign-in of the
  old strategy, so every old session ticket, refresh token and access token stops working.

team locks:
  `_locked: [KEY, ...]` in the team's defaults file (--defaults-file, else ${DEFAULTS_ENV})
  refuses an answer that differs from the team's value.

exit codes:
  0    updated (or, with --check, already current)
  1    with --check: a newer template is installed; without: the template failed to render
  2    bad usage, not an authgen project, uncommitted changes, refused answers
  130  interrupted (Ctrl-C)
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    as_json = "--json" in arguments
    try:
        options = _parser().parse_args(arguments)
        if options.version:
            from . import versions

            return _page(f"authgen {versions.current()}\n")
        if options.command is None:
            _parser().error("a command is required (new, update, explain, schema)")
        if options.command == "explain":
            from . import explain

            return _page(explain.comparison(explain.terminal_width()))
        if options.command == "schema":
            from . import questions, schema

            answers_schema = schema.answers_schema(questions.load())
            return _page(json.dumps(answers_schema, indent=2, ensure_ascii=False) + "\n")
        if options.command == "update":
            return _update(options)
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
        said = "interrupted; nothing was written"
        if arguments[:1] == ["update"]:
            # The project was committed before the update began: git shows what it changed.
            said = "interrupted; the update may be half applied: `git status` shows what changed"
        print(f"\nauthgen: {said}", file=sys.stderr)
        if as_json:
            _print_json({"error": said, "problems": []})
        return INTERRUPTED


def _ignore_unraisable(_: sys.UnraisableHookArgs) -> None:
    """Say nothing of errors in finalizers (see the KeyboardInterrupt branch of `main`)."""


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="authgen",
        description="Render a secure FastAPI project with email and password sign-in.",
    )
    parser.add_argument("--version", action="store_true", help="print authgen's version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
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
    update = commands.add_parser(
        "update",
        help="bring a project to this authgen's template, keeping its edits",
        description="Update PROJECT (default: the current directory) to this authgen's "
        "template with a three-way merge; change answers on the way with --set.",
        epilog=UPDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    update.add_argument(
        "project", metavar="PROJECT", type=Path, nargs="?", default=Path(),
        help="the project's directory (default: .)",
    )  # fmt: skip
    update.add_argument(
        "--set",
        metavar="KEY=VALUE",
        action="append",
        default=[],
        dest="assignments",
        help="change one answer, e.g. --set auth_strategy=jwt (repeatable)",
    )
    update.add_argument(
        "--check",
        action="store_true",
        help="change nothing: exit 0 when current, 1 when a newer template is installed",
    )
    update.add_argument(
        "--json",
        action="store_true",
        help="print one JSON object on stdout; human text goes to stderr",
    )
    update.add_argument(
        "--defaults-file",
        metavar="FILE",
        type=Path,
        help=f"the team's defaults file, for its _locked answers (default: ${DEFAULTS_ENV})",
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
    from . import advisor, answers, questions, render

    template = questions.load()
    team = _team_defaults(options, template)
    given = _given(options)
    if given is None:
        _require_terminal(as_json=options.json)
        render.check_destination(options.destination, force=options.force)
        from . import interview

        fixed = answers.defaults_of(template)
        locked = {key: team.defaults.get(key, fixed[key]) for key in team.locked}
        interviewed = interview.run(
            template, options.destination, defaults=team.defaults, locked=locked
        )
        given, decision = interviewed.given, interviewed.decision
    else:
        given, decision = advisor.apply(given)
    notes = {questions.DECISION_REASONS: decision.record(given)} if decision else None
    clean = answers.validate(template, given, defaults=team.defaults, notes=notes)
    answers.check_locks(template, clean, team.defaults, team.locked, team.source)
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


def _update(options: argparse.Namespace) -> int:
    from . import answers, questions, update

    template = questions.load()
    team = _team_defaults(options, template)
    if options.check and options.assignments:
        message = "--check changes nothing, so it takes no --set; run the update without --check"
        raise UsageError(message, [Problem("--check", None, "--check alone", message)])
    status = update.status(options.project, template)
    out = sys.stderr if options.json else sys.stdout
    if options.check:
        _say_status(status, out)
        if options.json:
            _print_json(status.as_json())
        return 0 if status.current else 1
    given = _parse_assignments(options.assignments)
    chosen = update.new_answers(template, status, given, defaults=team.defaults)
    answers.check_locks(template, chosen, team.defaults, team.locked, team.source)
    recorded = {k: v for k, v in status.recorded.items() if not str(k).startswith("_")}
    if status.current and all(recorded.get(k) == v for k, v in chosen.values.items()):
        print(f"{status.project} is current (authgen {status.available_version}); "
              "nothing to do.", file=out)  # fmt: skip
        if options.json:
            _print_json({**status.as_json(), "updated": False, "conflicts": []})
        return 0
    update.require_clean(status.project)
    updated = update.apply(template, status, chosen)
    steps = _update_steps(updated)
    _say_updated(updated, steps, out)
    if options.json:
        _print_json(
            {
                **status.as_json(),
                "updated": True,
                "answers": updated.answers.values,
                "changed": {k: {"from": a, "to": b} for k, (a, b) in updated.changed.items()},
                "conflicts": updated.conflicts,
                "env_added": updated.env_added,
                "notes": updated.env_notes,
                "next_steps": steps,
            }
        )
    return 0


def _say_status(status: update.Status, out: TextIO) -> None:
    if status.current:
        print(f"{status.project} is current (authgen {status.available_version}).", file=out)
        return
    print(
        f"{status.project} was rendered by authgen {status.project_version}; "
        f"{status.available_version} is installed. What changes:",
        file=out,
    )
    for entry in status.changes():
        for change in entry.changes:
            print(f"  {entry.version}: {change}", file=out)
    print("Run `authgen update` to bring it up to date.", file=out)


def _update_steps(updated: update.Updated) -> list[str]:
    steps = ["git diff"]
    if updated.conflicts:
        steps.append("resolve the conflict marks in: " + ", ".join(updated.conflicts))
    steps += ["uv run alembic upgrade head", "uv run pytest", "git add -A && git commit"]
    return steps


def _say_updated(updated: update.Updated, steps: list[str], out: TextIO) -> None:
    status = updated.status
    moved = status.project_version != status.available_version
    versions = f"from authgen {status.project_version} to " if moved else "at authgen "
    print(f"Updated {status.project} {versions}{status.available_version}.", file=out)
    for key, (before, after) in updated.changed.items():
        print(f"  {key}: {json.dumps(before)} -> {json.dumps(after)}", file=out)
    if "auth_strategy" in updated.changed:
        print(
            "The strategy changed: `uv run alembic upgrade head` ends every sign-in of the old "
            "one (everyone signs in again; accounts and passwords are kept).",
            file=out,
        )
    if updated.env_added:
        print(f"Added to .env: {', '.join(updated.env_added)}.", file=out)
    for note in updated.env_notes:
        print(f"Note: {note}", file=out)
    if updated.conflicts:
        print(
            f"{len(updated.conflicts)} file(s) have conflict marks (<<<<<<< before updating): "
            + ", ".join(updated.conflicts),
            file=out,
        )
    print("Next:", file=out)
    for step in steps:
        print(f"  {step}", file=out)


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


@dataclass(frozen=True)
class _Team:
    """The team's defaults file: its answers, the keys it locks, and how to name it."""

    defaults: dict[str, object] = field(default_factory=dict)
    locked: tuple[str, ...] = ()
    source: str = ""


def _team_defaults(options: argparse.Namespace, template: questions.Template) -> _Team:
    """The team's defaults: --defaults-file, else the file $AUTHGEN_DEFAULTS_FILE names."""
    from . import answers

    source, path = "--defaults-file", options.defaults_file
    if path is None and os.environ.get(DEFAULTS_ENV):
        source, path = DEFAULTS_ENV, Path(os.environ[DEFAULTS_ENV])
    if path is None:
        return _Team()
    given = _read_mapping(path, source)
    named = f"{source} {path}"
    problems: list[Problem] = []
    defaults: dict[str, object] = {}
    locked: tuple[str, ...] = ()
    try:
        defaults = answers.team_defaults(template, given, named)
    except AuthgenError as error:
        problems += error.problems
    try:
        locked = answers.locked_keys(template, given, named)
    except AuthgenError as error:
        problems += error.problems
    if problems:
        from .errors import AnswersError

        raise AnswersError.refusing(problems)
    return _Team(defaults, locked, named)


class _DuplicateKey(Exception):
    def __init__(self, key: object, line: int) -> None:
        super().__init__(key)
        self.key, self.line = key, line


def _no_duplicates_json(pairs: list[tuple[str, object]]) -> dict[str, object]:
    mapping: dict[str, object] = {}
    for key, value in pairs:
        if key in mapping:
            raise _DuplicateKey(key, 0)
        mapping[key] = value
    return mapping


def _load_yaml(text: str) -> object:
    """yaml.safe_load, except that a key given twice in one mapping is an error."""
    import yaml

    class Loader(yaml.SafeLoader):
        def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
            seen: set[object] = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=deep)
                if key in seen:
                    raise _DuplicateKey(key, key_node.start_mark.line + 1)
                seen.add(key)
            return super().construct_mapping(node, deep=deep)

    return yaml.load(text, Loader=Loader)  # noqa: S506 (a SafeLoader)


def _read_mapping(path: Path, source: str) -> dict[str, object]:
    """A YAML or JSON file of answers; `source` (the flag) names it in every problem."""
    import yaml

    def refuse(reason: str, allowed: str) -> AnswersFileError:
        message = f"{source}: {path} {reason}"
        return AnswersFileError(message, [Problem(source, str(path), allowed, message)])

    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError as error:
        raise refuse("does not exist", "a readable YAML or JSON file") from error
    except OSError as error:
        raise refuse(f"cannot be read ({error})", "a readable YAML or JSON file") from error
    if len(raw) > MAX_FILE_BYTES:
        raise refuse(
            f"is larger than {MAX_FILE_BYTES // 1024} KiB, far more than any answers; "
            "it was not read",
            f"a YAML or JSON file of at most {MAX_FILE_BYTES // 1024} KiB",
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise refuse(f"cannot be read ({error})", "a readable YAML or JSON file") from error
    try:
        if path.suffix == ".json":
            data = json.loads(text, object_pairs_hook=_no_duplicates_json)
        else:
            data = _load_yaml(text)
    except _DuplicateKey as error:
        where = f" (line {error.line})" if error.line else ""
        raise refuse(
            f"gives the key {error.key!r} twice{where}; say each answer once",
            "each key at most once",
        ) from error
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise refuse(f"is not valid JSON ({error.msg} at {where})", "a JSON object") from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(error, "problem", None) or "invalid syntax"
        raise refuse(f"is not valid YAML ({reason}{where})", "a YAML mapping") from error
    if data is None or data == {}:
        raise refuse(
            "holds no answers (it is empty); give at least one key, or use --defaults for "
            "every default",
            "key: value lines",
        )
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
    from .render import ENV_FILE

    values = rendered.answers.values
    print(
        f"Rendered {values['project_name']} ({values['auth_strategy']}, {values['database']}) "
        f"into {rendered.destination}",
        file=out,
    )
    print(f"Fresh secrets are in {rendered.destination / ENV_FILE} (git-ignored).", file=out)
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
