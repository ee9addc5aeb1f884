"""The template's shape: one variant map in copier.yml, plain file names everywhere else, and one
strategy seam that every variant's `auth/sign_ins.py` fills in the same way.

The seam is written down here, once: the functions the rest of a project calls on its strategy
module, with their exact signatures. Every variant must provide each of them, and shared code
(every module that exists in all variants) may import nothing else from it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
import yaml

from conftest import REPO, VARIANTS, Rendered, matrix_case

TEMPLATE = REPO / "template"

# The only Jinja a template path may hold: the package's name, and Copier's answers file.
PLAIN_NAME_PARTS = {"{{package_name}}", "{{_copier_conf.answers_file}}.jinja"}

# The strategy module's interface: name -> signature, as the rendered code writes it.
STRATEGY_SEAM = {
    "current_sign_in": "async def current_sign_in(request: Request) -> SignedIn | None",
    "start_sign_in": (
        "async def start_sign_in(request: Request, response: Response, user_id: int, *, "
        "method: str) -> None"
    ),
    "end_sign_in": (
        "async def end_sign_in(db: AsyncSession, request: Request, response: Response, "
        "signed_in: SignedIn) -> None"
    ),
    "clear_cookie": "def clear_cookie(request: Request, response: Response) -> None",
}

# Modules of a jwt project that exist only there, or that answer an API sign-in with tokens (a
# password, a passkey): they may use what only its sign_ins.py has.
JWT_ONLY_CALLERS = {"auth/access.py", "web/api_sign_in.py", "web/passkey_api.py"}


def template_paths() -> list[Path]:
    return sorted(path.relative_to(TEMPLATE) for path in TEMPLATE.rglob("*"))


def exclusions() -> list[str]:
    config = yaml.safe_load((REPO / "copier.yml").read_text(encoding="utf-8"))
    return [entry for entry in config["_exclude"] if "{%" in entry]


def test_every_template_file_name_is_plain() -> None:
    conditional = [
        str(path)
        for path in template_paths()
        if any(("{" in part and part not in PLAIN_NAME_PARTS) for part in path.parts)
    ]
    assert conditional == []


def test_every_python_module_keeps_its_extension() -> None:
    """A module is `name.py`, or `name.py.jinja` when Copier fills it in; never hidden.
    (Alembic's own template for new revisions is `script.py.mako`.)"""
    hidden = [
        str(path)
        for path in template_paths()
        if ".py" in path.name and not re.search(r"\.py(\.jinja|\.mako)?$", path.name)
    ]
    assert hidden == []


def test_the_variant_map_names_only_files_the_template_has() -> None:
    """Every path in copier.yml's variant map is a template file (a stale entry would silently
    stop leaving out a file that was renamed)."""
    files = {
        re.sub(r"\.jinja$", "", str(path)).replace("{{package_name}}", "*")
        for path in template_paths()
        if (TEMPLATE / path).is_file()
    }
    stale = []
    for entry in exclusions():
        body = re.sub(r"\{%.*?%\}", "", entry)
        stale += [name for name in body.split() if name not in files]
    assert stale == []


def test_the_variant_map_entries_render_empty_for_the_answers_they_serve(
    rendered: Callable[[str, Mapping[str, object]], Rendered],
) -> None:
    """Each entry leaves its files out of the projects that did not choose them, and only those."""
    jwt_only = {"src/acme_portal/auth/tokens.py", "tests/test_refresh.py"}
    sessions_only = {"tests/test_sessions.py"}
    google_only = {"src/acme_portal/auth/google.py", "tests/test_google_sign_in.py"}
    sessions = set(rendered(*matrix_case("sessions", "sqlite", True)).files)
    jwt = set(rendered(*matrix_case("jwt-hs256-on-refresh", "sqlite", False)).files)

    assert jwt_only.isdisjoint(sessions)
    assert jwt_only <= jwt
    assert sessions_only <= sessions
    assert sessions_only.isdisjoint(jwt)
    assert google_only <= sessions
    assert google_only.isdisjoint(jwt)


def annotated(arguments: list[ast.arg]) -> list[str]:
    """Each annotated argument as `name: type`."""
    return [
        f"{argument.arg}: {ast.unparse(argument.annotation)}"
        for argument in arguments
        if argument.annotation is not None
    ]


def signatures(module: Path) -> dict[str, str]:
    """The public functions of a module, each as `def name(args) -> result` (no defaults)."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith(
            "_"
        ):
            prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
            written = annotated(node.args.args)
            if keyword_only := annotated(node.args.kwonlyargs):
                written += ["*", *keyword_only]
            arguments = ", ".join(written)
            result = ast.unparse(node.returns) if node.returns else "None"
            found[node.name] = f"{prefix} {node.name}({arguments}) -> {result}"
    return found


def imported_from(module: Path, source: str) -> set[str]:
    """The names a module takes from the sibling module `source`: `from .source import x`, or
    `source.x` after importing the module itself."""
    tree = ast.parse(module.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] == source:
            names |= {alias.name for alias in node.names}
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == source
        ):
            names.add(node.attr)
    return names


VARIANT_CASES = [
    pytest.param(matrix_case(variant, "sqlite", True), id=variant) for variant in VARIANTS
]


@pytest.mark.parametrize("case", VARIANT_CASES)
def test_each_strategy_module_fills_in_the_seam(
    case: tuple[str, Mapping[str, object]],
    rendered: Callable[[str, Mapping[str, object]], Rendered],
) -> None:
    project = rendered(*case).path
    module = project / "src" / "acme_portal" / "auth" / "sign_ins.py"
    dependencies = module.with_name("dependencies.py")
    if case[1]["auth_strategy"] == "jwt":
        # The per-request check (with the renewal of browsers' tokens) has a module of its own.
        provided = signatures(module) | signatures(module.with_name("access.py"))
        assert imported_from(dependencies, "access") == {"current_sign_in"}
    else:
        provided = signatures(module)
        assert "current_sign_in" in imported_from(dependencies, "sign_ins")

    assert {name: provided.get(name) for name in STRATEGY_SEAM} == STRATEGY_SEAM


@pytest.mark.parametrize("case", VARIANT_CASES)
def test_shared_code_uses_nothing_of_the_strategy_but_the_seam(
    case: tuple[str, Mapping[str, object]],
    rendered: Callable[[str, Mapping[str, object]], Rendered],
) -> None:
    package = rendered(*case).path / "src" / "acme_portal"
    beyond_the_seam = {}
    for module in sorted(package.rglob("*.py")):
        relative = module.relative_to(package).as_posix()
        if relative in {"auth/sign_ins.py", *JWT_ONLY_CALLERS}:
            continue
        extra = imported_from(module, "sign_ins") - set(STRATEGY_SEAM)
        if extra:
            beyond_the_seam[relative] = sorted(extra)
    assert beyond_the_seam == {}


def test_every_variant_provides_the_same_seam(
    rendered: Callable[[str, Mapping[str, object]], Rendered],
) -> None:
    """The seam is the same set of names in every variant: none is missing anywhere."""
    seams = {}
    for variant in VARIANTS:
        package = rendered(*matrix_case(variant, "sqlite", True)).path / "src" / "acme_portal"
        provided = signatures(package / "auth" / "sign_ins.py")
        if (package / "auth" / "access.py").exists():
            provided |= signatures(package / "auth" / "access.py")
        seams[variant] = {name: provided[name] for name in STRATEGY_SEAM if name in provided}
    assert all(seam == STRATEGY_SEAM for seam in seams.values()), seams
