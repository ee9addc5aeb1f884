"""The hot-path benchmark (issue #13): renders the variants, serves each with one uvicorn worker,
puts load on them and prints one table of ratios, with fastapi-users as the peer and a plain
FastAPI app as the ceiling.

    python bench/run.py                  # everything: about 20 minutes
    python bench/run.py --duration 3 --rounds 1 --only sessions-sqlite  # a look

Every figure is a ratio of two measurements taken one after the other on the same server, so that
the machine's speed and most of its other load cancel out (the median of the rounds' ratios is
printed): authenticated `/api/me` (and the account page, with five devices signed in) over the
app's own bare `/healthz`; the app's bare route over a plain FastAPI app's; successful sign-ins per
second over argon2id verifications per second at the same parameters; `/api/me` with a million
sign-in rows over the same with a thousand. Servers run on the first CPU, the load generator (wrk,
or a small Python client when wrk is missing) on the second, both ahead of other work on the
machine when allowed (as root: nice -10).

It needs: authgen and uv on PATH, PostgreSQL at --postgres (it creates and drops databases named
bench_*), and the index of PyPI (the projects' and the peer's dependencies). Only the standard
library is imported here.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PASSWORD = "bench correct horse battery staple 7"  # noqa: S105 (a throwaway account's)
EMAIL = "bench@example.com"
DEVICES = 5
SIGN_IN_ACCOUNTS = 8  # sign-in load spreads over these, below the per-account throttle
PRIORITY = -10  # the nice value of servers and load, where allowed


@dataclass
class Variant:
    slug: str
    label: str
    answers: dict[str, str]
    me_goal: float

    @property
    def strategy(self) -> str:
        return self.answers["auth_strategy"]

    @property
    def postgres(self) -> bool:
        return self.answers["database"] == "postgresql"


VARIANTS = [
    Variant(
        "sessions-sqlite",
        "sessions, SQLite",
        {"auth_strategy": "sessions", "database": "sqlite"},
        0.6,
    ),
    Variant(
        "sessions-pg",
        "sessions, PostgreSQL",
        {"auth_strategy": "sessions", "database": "postgresql"},
        0.6,
    ),
    Variant(
        "jwt-eddsa-refresh",
        "jwt EdDSA on_refresh",
        {
            "auth_strategy": "jwt",
            "jwt_algorithm": "EdDSA",
            "jwt_revocation": "on_refresh",
            "database": "sqlite",
        },
        0.6,
    ),
    Variant(
        "jwt-eddsa-every",
        "jwt EdDSA every_request, SQLite",
        {
            "auth_strategy": "jwt",
            "jwt_algorithm": "EdDSA",
            "jwt_revocation": "every_request",
            "database": "sqlite",
        },
        0.5,
    ),
    Variant(
        "jwt-hs256-refresh",
        "jwt HS256 on_refresh",
        {
            "auth_strategy": "jwt",
            "jwt_algorithm": "HS256",
            "jwt_revocation": "on_refresh",
            "database": "sqlite",
        },
        0.6,
    ),
    Variant(
        "jwt-hs256-every-pg",
        "jwt HS256 every_request, PostgreSQL",
        {
            "auth_strategy": "jwt",
            "jwt_algorithm": "HS256",
            "jwt_revocation": "every_request",
            "database": "postgresql",
        },
        0.5,
    ),
]
TIMES = "\N{MULTIPLICATION SIGN}"
PER = "\N{DIVISION SIGN}"
AT_LEAST = "\N{GREATER-THAN OR EQUAL TO}"
PEER = "fastapi-users 15"
HEADERS_ROW = "plain FastAPI sending the apps' security headers"
QUERY_ROW = "plain FastAPI making one PostgreSQL query (the most a lookup there can reach)"
ACCOUNT_GOAL = 0.25
BARE_GOAL = 0.9
SIGN_IN_GOAL = 0.9
SIZE_GOAL = 0.9
PEER_FACTOR = 5
SIZE_VARIANTS = ("sessions-sqlite", "sessions-pg")
SIGN_IN_VARIANTS = ("sessions-sqlite", "jwt-hs256-every-pg")


# ---------------------------------------------------------------- processes and HTTP


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(  # noqa: S603 (our own commands)
        command, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return result.stdout


def pinned(cpu: int, command: list[str]) -> list[str]:
    """`command` on one CPU, when there are two to keep server and load apart, and ahead of other
    work on the machine when we may raise its priority (as root)."""
    if (os.cpu_count() or 1) >= 2 and shutil.which("taskset"):
        command = ["taskset", "-c", str(cpu), *command]
    if os.geteuid() == 0:
        command = ["nice", "-n", str(PRIORITY), *command]
    return command


def project_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "VIRTUAL_ENV"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class Response:
    status: int
    body: bytes
    cookies: dict[str, str]

    def json(self) -> dict[str, object]:
        return json.loads(self.body)  # type: ignore[no-any-return]


def request(
    url: str,
    method: str = "GET",
    body: object = None,
    headers: dict[str, str] | None = None,
    form: bool = False,
) -> Response:
    headers = dict(headers or {})
    data = None
    if body is not None:
        if form:
            data = "&".join(f"{k}={urllib.request.quote(str(v))}" for k, v in body.items()).encode()  # type: ignore[attr-defined]
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(req, timeout=30) as answer:  # noqa: S310
            status, payload, raw = (
                answer.status,
                answer.read(),
                answer.headers.get_all("set-cookie") or [],
            )
    except urllib.error.HTTPError as error:
        status, payload, raw = error.code, error.read(), error.headers.get_all("set-cookie") or []
    cookies = {}
    for value in raw:
        name, _, rest = value.partition("=")
        cookies[name.strip()] = rest.partition(";")[0].strip('"')
    return Response(status, payload, cookies)


def expect(response: Response, status: int, what: str) -> Response:
    if response.status != status:
        raise SystemExit(
            f"{what}: expected {status}, got {response.status}: {response.body[:300]!r}"
        )
    return response


STARTED: list[Server] = []  # every server this run started, stopped however it ends


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def serve(
    name: str,
    python: Path,
    app: str,
    port: int,
    cwd: Path,
    workdir: Path,
    env: dict[str, str],
    app_dir: Path | None = None,
) -> Server:
    command = [str(python), "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", "1", "--no-proxy-headers", "--no-access-log", "--log-level", "warning"]
    if app_dir:
        command += ["--app-dir", str(app_dir)]
    try:
        request(f"http://127.0.0.1:{port}/healthz")
    except OSError:
        pass
    else:
        raise SystemExit(f"port {port} is taken: is another benchmark running?")
    log_path = workdir / f"{name}.log"
    with log_path.open("wb") as out:
        process = subprocess.Popen(  # noqa: S603 (our own commands)
            pinned(0, command), cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, port, process, log_path)
    STARTED.append(server)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} did not start:\n{log_path.read_text()[-3000:]}")
        try:
            if request(server.url + "/healthz").status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{name} did not answer /healthz within a minute")


# ---------------------------------------------------------------- load


@dataclass
class Target:
    """One endpoint under load, and the request that proves it is the authenticated one."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    method: str = "GET"
    bodies: list[str] = field(default_factory=list)  # cycled through, for POSTs


def wrk_script(target: Target, path: Path) -> None:
    lines = [f'wrk.method = "{target.method}"']
    for name, value in target.headers.items():
        lines.append(f"wrk.headers[{json.dumps(name)}] = {json.dumps(value)}")
    if target.bodies:
        bodies = ", ".join(json.dumps(body) for body in target.bodies)
        lines += [
            f"local bodies = {{{bodies}}}",
            "local i = 0",
            "request = function()",
            "  i = i + 1",
            "  return wrk.format(nil, nil, nil, bodies[(i % #bodies) + 1])",
            "end",
        ]
    lines += [
        "local bad = 0",
        "response = function(status, headers, body) if status >= 300 then bad = bad + 1 end end",
        "done = function(summary, latency, requests) io.write(string.format('BAD %d\\n', bad)) end",
    ]
    path.write_text("\n".join(lines) + "\n")


def load_wrk(target: Target, seconds: float, connections: int, workdir: Path) -> float:
    script = workdir / "load.lua"
    wrk_script(target, script)
    command = [
        "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "60s",
        "-s",
        str(script),
        target.url,
    ]
    out = run(pinned(1, command))
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    bad = re.search(r"BAD (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    if rate is None or bad is None:
        raise SystemExit(f"could not read wrk's output:\n{out}")
    if int(bad.group(1)) or errors:
        raise SystemExit(
            f"{target.url}: {bad.group(1)} failed responses ({errors and errors.group(1)})\n{out}"
        )
    return float(rate.group(1))


async def _python_load(target: Target, seconds: float, connections: int) -> float:
    host, _, port = target.url.split("/")[2].partition(":")
    path = "/" + target.url.split("/", 3)[3]
    done = 0
    deadline = time.monotonic() + seconds
    counter = iter(range(10**12))

    def message() -> bytes:
        head = f"{target.method} {path} HTTP/1.1\r\nHost: {host}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in target.headers.items())
        body = target.bodies[next(counter) % len(target.bodies)].encode() if target.bodies else b""
        if body:
            head += f"Content-Length: {len(body)}\r\n"
        return (head + "\r\n").encode() + body

    async def connection() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(host, int(port))
        while time.monotonic() < deadline:
            writer.write(message())
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            if int(status_line.split()[1]) >= 300:
                raise SystemExit(f"{target.url}: {status_line!r}")
            done += 1
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(connection() for _ in range(connections)))
    return done / (time.monotonic() - started)


def load_python(target: Target, seconds: float, connections: int, _: Path) -> float:
    return asyncio.run(_python_load(target, seconds, connections))


# ---------------------------------------------------------------- the apps


@dataclass
class App:
    name: str
    server: Server
    bare: Target
    me: Target
    account: Target | None = None
    sign_in: Target | None = None
    python: Path | None = None
    database_url: str = ""


def render(variant: Variant, workdir: Path, authgen: str) -> Path:
    project = workdir / variant.slug
    shutil.rmtree(project, ignore_errors=True)
    sets = [
        arg
        for key, value in {"project_name": "Demo", **variant.answers}.items()
        for arg in ("--set", f"{key}={value}")
    ]
    run([*shlex.split(authgen), "new", str(project), *sets, "--defaults"])
    run(["uv", "sync", "--quiet"], cwd=project, env=project_env())
    return project


def database_url(variant: Variant, project: Path, postgres: str) -> str:
    if not variant.postgres:
        return "sqlite:///./demo.db"
    name = f"bench_{variant.slug.replace('-', '_')}"
    psql(postgres, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    psql(postgres, f"CREATE DATABASE {name}")
    return f"{postgres}/{name}"


def psql(postgres: str, sql: str) -> None:
    run(["psql", f"{postgres}/postgres", "-qtAc", sql])


def start_variant(variant: Variant, workdir: Path, port: int, postgres: str, authgen: str) -> App:
    log(f"{variant.label}: rendering and installing")
    project = render(variant, workdir, authgen)
    url = database_url(variant, project, postgres)
    env_file = project / ".env"
    lines = [
        line for line in env_file.read_text().splitlines() if not line.startswith("DATABASE_URL=")
    ]
    env_file.write_text("\n".join([*lines, f"DATABASE_URL={url}", ""]))
    env = project_env()
    run([str(project / ".venv/bin/alembic"), "upgrade", "head"], cwd=project, env=env)
    server = serve(
        variant.slug, project / ".venv/bin/python", "demo.main:app", port, project, workdir, env
    )
    base = server.url
    if variant.strategy == "sessions":
        csrf = expect(request(base + "/api/auth/csrf"), 200, "csrf")
        headers = {
            "Cookie": f"csrf={csrf.cookies['csrf']}",
            "X-CSRF-Token": str(csrf.json()["csrf_token"]),
        }
    else:
        headers = {}
    for email in [EMAIL, *(f"sign-in-{n}@example.com" for n in range(SIGN_IN_ACCOUNTS))]:
        credentials = {"email": email, "password": PASSWORD}
        expect(request(base + "/api/auth/register", "POST", credentials, headers), 201, "register")
    credentials = {"email": EMAIL, "password": PASSWORD}
    for device in range(DEVICES):
        device_headers = headers | {
            "User-Agent": f"Mozilla/5.0 (X11; Linux x86_64) Firefox/{120 + device}.0"
        }
        signed_in = expect(
            request(base + "/api/auth/login", "POST", credentials, device_headers), 200, "login"
        )
    if variant.strategy == "sessions":
        me_headers = {"Cookie": f"session={signed_in.cookies['session']}"}
        page_headers = me_headers
    else:
        token = signed_in.json()["access_token"]
        me_headers = {"Authorization": f"Bearer {token}"}
        page_headers = {"Cookie": f"access={token}"}
    me = expect(request(base + "/api/me", headers=me_headers), 200, "/api/me")
    if me.json()["email"] != EMAIL:
        raise SystemExit(f"/api/me answered for someone else: {me.body!r}")
    page = expect(request(base + "/account", headers=page_headers), 200, "/account")
    if page.body.count(b"Firefox") < DEVICES:
        raise SystemExit("the account page does not list the five devices")
    if "csrf" in page.cookies:
        # A browser keeps the CSRF cookie its first page set and sends it with every page after.
        page_headers = {"Cookie": f"{page_headers['Cookie']}; csrf={page.cookies['csrf']}"}
    sign_in_bodies = [
        json.dumps({"email": f"sign-in-{n}@example.com", "password": PASSWORD})
        for n in range(SIGN_IN_ACCOUNTS)
    ]
    return App(
        name=variant.label,
        server=server,
        bare=Target(base + "/healthz"),
        me=Target(base + "/api/me", me_headers),
        account=Target(base + "/account", page_headers),
        sign_in=Target(
            base + "/api/auth/login",
            headers | {"Content-Type": "application/json"},
            "POST",
            sign_in_bodies,
        ),
        python=project / ".venv/bin/python",
        database_url=url,
    )


def start_peer(workdir: Path, port: int) -> App:
    log("fastapi-users 15: installing")
    peer = workdir / "peer"
    peer.mkdir(exist_ok=True)
    run(["uv", "venv", "--quiet", "--allow-existing", str(peer / ".venv")], env=project_env())
    packages = ["fastapi-users[sqlalchemy]>=15,<16", "aiosqlite", "uvicorn[standard]"]
    run(
        ["uv", "pip", "install", "--quiet", "--python", str(peer / ".venv/bin/python"), *packages],
        env=project_env(),
    )
    (peer / "peer.db").unlink(missing_ok=True)
    env = project_env() | {
        "SECRET_KEY": "bench-peer-" + os.urandom(24).hex(),
        "DATABASE_URL": "sqlite+aiosqlite:///peer.db",
    }
    server = serve(
        "peer", peer / ".venv/bin/python", "peer_app:app", port, peer, workdir, env, app_dir=BENCH
    )
    base = server.url
    expect(
        request(base + "/auth/register", "POST", {"email": EMAIL, "password": PASSWORD}),
        201,
        "peer register",
    )
    tokens = {}
    for backend in ("jwt", "db"):
        answer = request(
            base + f"/auth/{backend}/login",
            "POST",
            {"username": EMAIL, "password": PASSWORD},
            form=True,
        )
        tokens[backend] = expect(answer, 200, "peer login").json()["access_token"]
        expect(
            request(
                base + f"/api/me-{backend}", headers={"Authorization": f"Bearer {tokens[backend]}"}
            ),
            200,
            "peer me",
        )
    return App(
        name=PEER,
        server=server,
        bare=Target(base + "/healthz"),
        me=Target(base + "/api/me-jwt", {"Authorization": f"Bearer {tokens['jwt']}"}),
        account=Target(base + "/api/me-db", {"Authorization": f"Bearer {tokens['db']}"}),
    )


# ---------------------------------------------------------------- measuring


@dataclass
class Measure:
    load: Callable[[Target, float, int, Path], float]
    seconds: float
    connections: int
    workdir: Path

    def __call__(self, target: Target) -> float:
        return self.load(target, self.seconds, self.connections, self.workdir)

    def warm(self, target: Target) -> None:
        self.load(target, 1, self.connections, self.workdir)


def median_ratio(pairs: list[tuple[float, float]]) -> float:
    return statistics.median(top / bottom for top, bottom in pairs)


def fmt(value: float | None, goal: float | None = None) -> str:
    if value is None:
        return "-"
    text = f"{value:.2f}{TIMES}"
    if goal is not None:
        text += " \N{CHECK MARK}" if value >= goal else " \N{BALLOT X}"
    return text


ARGON2_RATE = """
import time
from demo import passwords

hashed = passwords.hash_password({password!r})
n = 0
start = time.perf_counter()
while time.perf_counter() < start + {seconds}:
    assert passwords.verify_password(hashed, {password!r})
    n += 1
print(n / (time.perf_counter() - start))
"""


def argon2_rate(python: Path, project: Path, seconds: float) -> float:
    """argon2id verifications per second, one after another, at the project's parameters."""
    code = ARGON2_RATE.format(password=PASSWORD, seconds=seconds)
    return float(run(pinned(0, [str(python), "-c", code]), cwd=project, env=project_env()))


@contextmanager
def servers() -> Iterator[None]:
    try:
        yield
    finally:
        for server in STARTED:
            server.stop()


def print_table(
    args: argparse.Namespace,
    apps: list[App],
    variants: list[Variant],
    peer: App | None,
    pairs: dict[tuple[str, str], list[tuple[float, float]]],
    *,
    wrk: bool,
) -> None:
    def ratio(name: str, kind: str) -> float | None:
        return median_ratio(pairs[(name, kind)]) if (name, kind) in pairs else None

    def rate(name: str, kind: str, which: int = 0) -> float:
        """The median rate of route `kind` (which=0), or of the route it is measured over (1)."""
        return statistics.median(pair[which] for pair in pairs[(name, kind)])

    plain = [pair[1] for (_, kind), each in pairs.items() if kind == "bare" for pair in each]
    peer_ratios = [ratio(PEER, "me"), ratio(PEER, "account")]
    peer_best = max(filter(None, peer_ratios), default=None)
    how = f"{args.connections} connections, {args.duration:g} s each"
    client = "wrk -t1" if wrk else "the Python client"
    print(
        f"\n{client}, {how}, one uvicorn worker, {args.rounds} rounds; each ratio is the median "
        "over the rounds of two measurements taken one after the other\n"
    )
    print(
        f"| app | bare req/s | bare {PER} plain FastAPI | `/api/me` {PER} bare "
        f"| account page {PER} bare | `/api/me` ratio {PER} the peer's |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for app, variant in zip(apps, variants, strict=True):
        me = ratio(app.name, "me")
        over_peer = me / peer_best if me and peer_best else None
        print(
            f"| {app.name} | {rate(app.name, 'bare'):,.0f} "
            f"| {fmt(ratio(app.name, 'bare'), BARE_GOAL)} "
            f"| {fmt(me, variant.me_goal)} | {fmt(ratio(app.name, 'account'), ACCOUNT_GOAL)} "
            f"| {fmt(over_peer, PEER_FACTOR)} |"
        )
    print(f"| plain FastAPI (the ceiling) | {statistics.median(plain):,.0f} | {fmt(1)} | | | |")
    print(
        f"| {HEADERS_ROW} | {rate(HEADERS_ROW, 'bare'):,.0f} | {fmt(ratio(HEADERS_ROW, 'bare'))} "
        "| | | |"
    )
    if (QUERY_ROW, "me") in pairs:
        print(
            f"| {QUERY_ROW} | {rate(QUERY_ROW, 'me', 1):,.0f} | "
            f"| {fmt(ratio(QUERY_ROW, 'me'))} | | |"
        )
    if peer:
        print(
            f"| {PEER} (JWT bearer / database token) | {rate(PEER, 'bare'):,.0f} "
            f"| {fmt(ratio(PEER, 'bare'))} "
            f"| {fmt(ratio(PEER, 'me'))} / {fmt(ratio(PEER, 'account'))} | | |"
        )
    print(
        f"\nGoals: `/api/me` {AT_LEAST} {fmt(0.6)} bare ({fmt(0.5)} for jwt every_request), the "
        f"account page {AT_LEAST} {fmt(ACCOUNT_GOAL)}, bare {AT_LEAST} {fmt(BARE_GOAL)} plain "
        f"FastAPI, `/api/me` {AT_LEAST} {PEER_FACTOR}{TIMES} the peer's better ratio."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=float, default=4, help="seconds of load per measurement (4)"
    )
    parser.add_argument(
        "--rounds", type=int, default=5, help="rounds; the medians of their ratios are reported (5)"
    )
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="sign-in rows for the size check"
    )
    parser.add_argument(
        "--only",
        nargs="*",
        default=None,
        metavar="VARIANT",
        help="variants to run: " + ", ".join(v.slug for v in VARIANTS),
    )
    parser.add_argument("--no-peer", action="store_true", help="leave fastapi-users out")
    parser.add_argument("--no-sign-in", action="store_true", help="leave the sign-in rate out")
    parser.add_argument("--no-size", action="store_true", help="leave the size check out")
    parser.add_argument(
        "--python-client",
        action="store_true",
        help="load with the Python client even if wrk is there",
    )
    parser.add_argument(
        "--postgres",
        default="postgresql://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL (no database)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where projects are rendered (a temporary directory)",
    )
    parser.add_argument(
        "--authgen",
        default="authgen" if shutil.which("authgen") else f"{sys.executable} -m authgen",
        help="the command that renders the projects (authgen)",
    )
    args = parser.parse_args()

    variants = [v for v in VARIANTS if args.only is None or v.slug in args.only]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="authgen-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    load = load_python if args.python_client or not shutil.which("wrk") else load_wrk
    measure = Measure(load, args.duration, args.connections, workdir)
    log(f"working in {workdir}; load by {'wrk' if load is load_wrk else 'the Python client'}")

    apps: list[App] = []
    with servers():
        port = 8300
        for variant in variants:
            port += 1
            apps.append(start_variant(variant, workdir, port, args.postgres, args.authgen))
        # With a PostgreSQL variant, the plain app runs with its Python (it has psycopg), and
        # measures one query alone too.
        on_postgres = [app for app, variant in zip(apps, variants, strict=True) if variant.postgres]
        ceiling_python = (on_postgres or apps)[0].python if apps else Path(sys.executable)
        ceiling_env = project_env()
        if on_postgres:
            ceiling_env["BENCH_POSTGRES_DATABASE"] = f"{args.postgres.rstrip('/')}/postgres"
        ceiling_server = serve(
            "bare-fastapi",
            ceiling_python,
            "bare_app:app",
            8300,
            BENCH,
            workdir,
            ceiling_env,
            app_dir=BENCH,
        )
        ceiling = Target(ceiling_server.url + "/healthz")
        one_query = Target(ceiling_server.url + "/one-query") if on_postgres else None
        peer = None if args.no_peer else start_peer(workdir, 8299)
        loaded = [*apps, peer] if peer else apps

        log("warming up")
        measure.warm(ceiling)
        if one_query:
            measure.warm(one_query)
        for app in loaded:
            for target in (app.bare, app.me, app.account):
                if target:
                    measure.warm(target)

        # Each ratio is of two measurements taken one after the other on the same server (the
        # plain app's, for a bare route): the machine's speed changes by more than the figures
        # do over some seconds, and two neighbouring measurements see about the same machine.
        # The plain app's bare route is measured next to the same route sending the apps'
        # security headers too (what those headers alone cost, below the app's own stack).
        pairs: dict[tuple[str, str], list[tuple[float, float]]] = {}

        def pair(name: str, kind: str, under: Target, target: Target) -> None:
            bottom = measure(under)
            pairs.setdefault((name, kind), []).append((measure(target), bottom))

        with_headers = Target(ceiling_server.url + "/healthz-with-headers")
        for round_number in range(1, args.rounds + 1):
            log(f"round {round_number} of {args.rounds}")
            pair(HEADERS_ROW, "bare", ceiling, with_headers)
            if one_query:
                pair(QUERY_ROW, "me", ceiling, one_query)
            for app in loaded:
                pair(app.name, "bare", ceiling, app.bare)
                for kind, target in (("me", app.me), ("account", app.account)):
                    if target:
                        pair(app.name, kind, app.bare, target)

        print_table(args, apps, variants, peer, pairs, wrk=load is load_wrk)
        sys.stdout.flush()

        sign_in_rows = []
        if not args.no_sign_in:
            for app, variant in zip(apps, variants, strict=True):
                if (
                    variant.slug not in SIGN_IN_VARIANTS
                    or app.sign_in is None
                    or app.python is None
                ):
                    continue
                log(f"{app.name}: sign-in rate")
                measure.warm(app.sign_in)
                signs = measure(app.sign_in)
                verifies = argon2_rate(app.python, app.python.parents[2], args.duration)
                sign_in_rows.append((app.name, signs, verifies))

        size_rows = []
        if not args.no_size:
            for app, variant in zip(apps, variants, strict=True):
                if variant.slug not in SIZE_VARIANTS or app.python is None:
                    continue
                project = app.python.parents[2]
                by_rows: dict[int, list[tuple[float, float]]] = {}
                for rows in (1000, args.rows):
                    log(f"{app.name}: {rows:,} sign-in rows")
                    run(
                        [str(app.python), str(BENCH / "fill.py"), app.database_url, str(rows)],
                        cwd=project,
                        env=project_env(),
                    )
                    measure.warm(app.me)
                    for _ in range(args.rounds):
                        by_rows.setdefault(rows, []).append((measure(app.me), measure(app.bare)))
                size_rows.append(
                    (app.name, median_ratio(by_rows[1000]), median_ratio(by_rows[args.rows]))
                )

        if sign_in_rows:
            print()
            print("| app | sign-ins/s | argon2id verifies/s (one thread) | ratio |")
            print("| --- | ---: | ---: | ---: |")
            for name, signs, verifies in sign_in_rows:
                ratio = fmt(signs / verifies, SIGN_IN_GOAL)
                print(f"| {name} | {signs:.1f} | {verifies:.1f} | {ratio} |")
        if size_rows:
            print()
            print(f"| app | `/api/me` ÷ bare, 1,000 rows | … {args.rows:,} rows | ratio |")
            print("| --- | ---: | ---: | ---: |")
            for name, small, large in size_rows:
                print(f"| {name} | {fmt(small)} | {fmt(large)} | {fmt(large / small, SIZE_GOAL)} |")

    for variant in variants:
        if variant.postgres:
            psql(
                args.postgres,
                f"DROP DATABASE IF EXISTS bench_{variant.slug.replace('-', '_')} WITH (FORCE)",
            )


if __name__ == "__main__":
    main()
