"""Interop tests: a stock SOAP client (zeep) against the real server binary.

The session-scoped `server` fixture starts `target/release/patchbay serve` on a free port with
tests/fixtures/settings.toml and a fresh database, and stops it with SIGTERM at the end,
requiring a clean exit (graceful shutdown is part of the contract).

Database choice, from PATCHBAY_INTEROP_DATABASE:
  unset or "sqlite"   a new SQLite file in a temporary directory;
  postgres://...      a new database `patchbay_interop_<random>` created on that server for this
                      run (the URL's role must be allowed to CREATE DATABASE), dropped afterwards.

PATCHBAY_BIN overrides the binary's path.
"""

from __future__ import annotations

import os
import queue
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import zeep
import zeep.transports
from support import ACME_ADMIN, GLOBEX_ADMIN, PORTS, SERVICE, login

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("PATCHBAY_BIN", ROOT / "target" / "release" / "patchbay"))
SETTINGS = ROOT / "tests" / "fixtures" / "settings.toml"
STARTUP_TIMEOUT = 60.0
SHUTDOWN_TIMEOUT = 10.0

# --------------------------------------------------------------------------------------------
# Database


def _psql(url: str, sql: str) -> None:
    """Runs one statement with psql against `url`, failing with psql's own message."""
    if shutil.which("psql") is None:
        pytest.fail("psql is not on PATH; it is needed to create the PostgreSQL test database", pytrace=False)
    done = subprocess.run(
        ["psql", url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PGCONNECT_TIMEOUT": "10"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"psql failed ({done.returncode}) running {sql!r}: {done.stderr.strip()}")


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@contextmanager
def fresh_database(wanted: str, prefix: str):
    """A new empty database: a SQLite file in a temporary directory for "sqlite", or a database
    named `<prefix>_<random>` created on the PostgreSQL server of `wanted` and dropped after."""
    if wanted == "sqlite":
        with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as tmp:
            yield f"sqlite://{tmp}/x.db"
        return
    if not wanted.startswith(("postgres://", "postgresql://")):
        pytest.fail(
            f"PATCHBAY_INTEROP_DATABASE must be 'sqlite' or a postgres:// URL, not {wanted!r}", pytrace=False
        )
    name = f"{prefix}_{secrets.token_hex(6)}"
    admin = _with_database(wanted, "postgres")
    _psql(admin, f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(wanted, name)
    finally:
        try:
            _psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        except Exception as e:  # leaving a uniquely named database behind is harmless
            print(f"warning: could not drop {name}: {e}")


def _database_kind() -> str:
    return os.environ.get("PATCHBAY_INTEROP_DATABASE", "sqlite").strip() or "sqlite"


@pytest.fixture(scope="session")
def database_url():
    with fresh_database(_database_kind(), "patchbay_interop") as url:
        yield url


# --------------------------------------------------------------------------------------------
# Server


class Server:
    def __init__(self, proc: subprocess.Popen, base: str, stderr_path: Path):
        self.proc = proc
        self.base = base
        self.stderr_path = stderr_path

    def stderr(self) -> str:
        try:
            return self.stderr_path.read_text(errors="replace")
        except OSError:
            return ""


def _drain(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


@contextmanager
def running_server(database_url: str, args: list, logs: Path):
    """`patchbay serve ARGS` on a free port of `database_url`, until the block ends; then SIGTERM,
    after which the server must exit 0 within SHUTDOWN_TIMEOUT (graceful shutdown is part of the
    contract)."""
    if not BINARY.is_file():
        pytest.fail(f"{BINARY} does not exist: run cargo build --release --bin patchbay", pytrace=False)
    stderr_path = logs / "stderr.log"
    cmd = [str(BINARY), "serve", "--listen", "127.0.0.1:0", *args, "--database", database_url]
    with open(stderr_path, "wb") as stderr_file:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr_file, text=True
        )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_drain, args=(proc.stdout, lines), daemon=True).start()

    def stop():
        if proc.poll() is None:
            proc.kill()
            proc.wait()

    base = None
    stdout_seen = []
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while base is None:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            stop()
            pytest.fail(
                f"server did not print 'listening on' within {STARTUP_TIMEOUT:.0f} s\n"
                f"command: {' '.join(cmd)}\nstdout:\n{''.join(stdout_seen)}\n"
                f"stderr:\n{stderr_path.read_text(errors='replace')}",
                pytrace=False,
            )
        try:
            line = lines.get(timeout=min(remaining, 0.5))
        except queue.Empty:
            continue
        if line is None:  # stdout closed: the server died
            proc.wait(timeout=SHUTDOWN_TIMEOUT)
            pytest.fail(
                f"server exited with code {proc.returncode} before listening\n"
                f"command: {' '.join(cmd)}\nstdout:\n{''.join(stdout_seen)}\n"
                f"stderr:\n{stderr_path.read_text(errors='replace')}",
                pytrace=False,
            )
        stdout_seen.append(line)
        if line.startswith("listening on "):
            base = line.split("listening on ", 1)[1].strip().rstrip("/")

    srv = Server(proc, base, stderr_path)
    try:
        yield srv
    finally:
        if proc.poll() is not None:
            pytest.fail(
                f"server exited early with code {proc.returncode}\nstderr:\n{srv.stderr()}", pytrace=False
            )
        proc.send_signal(signal.SIGTERM)
        try:
            code = proc.wait(timeout=SHUTDOWN_TIMEOUT)
        except subprocess.TimeoutExpired:
            stop()
            pytest.fail(
                f"server did not exit within {SHUTDOWN_TIMEOUT:.0f} s of SIGTERM\nstderr:\n{srv.stderr()}",
                pytrace=False,
            )
        assert code == 0, f"server exited with code {code} after SIGTERM\nstderr:\n{srv.stderr()}"


@pytest.fixture(scope="session")
def server(database_url, tmp_path_factory):
    """The server the API contract is checked against. Its flow-through worker is off
    (`--no-flow`): these tests move orders through their statuses with Orders_Update, as an
    operator does for a manual provider; `flow_server` runs with the worker."""
    args = ["--settings", str(SETTINGS), "--no-flow"]
    with running_server(database_url, args, tmp_path_factory.mktemp("server")) as srv:
        yield srv


@pytest.fixture(scope="session")
def flow_server(tmp_path_factory):
    """A server as it is deployed, its flow-through worker sending orders to the fixture's
    simulated provider, on its own fresh database of the main server's kind."""
    with fresh_database(_database_kind(), "patchbay_interop_flow") as url:
        with running_server(url, ["--settings", str(SETTINGS)], tmp_path_factory.mktemp("flow-server")) as srv:
            yield srv


@pytest.fixture(scope="session")
def base_url(server) -> str:
    return server.base


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    """A second server with the bundled demo (`serve --demo`, whose customer 1 has a wireless
    line: the one way to get a service before orders exist), on its own fresh database of the
    same kind as the main server's."""
    with fresh_database(_database_kind(), "patchbay_interop_demo") as url:
        args = ["--demo", "--settings", str(SETTINGS)]
        with running_server(url, args, tmp_path_factory.mktemp("demo-server")) as srv:
            yield srv


# --------------------------------------------------------------------------------------------
# SOAP clients


@pytest.fixture(scope="session")
def wsdl_client(base_url) -> zeep.Client:
    """One zeep client built from the served WSDL (loading it once per run)."""
    transport = zeep.transports.Transport(timeout=30, operation_timeout=30)
    return zeep.Client(f"{base_url}/v20/default.asmx?WSDL", transport=transport)


@pytest.fixture(params=sorted(PORTS), ids=lambda p: p)
def soap_version(request) -> str:
    return request.param


@pytest.fixture
def svc(wsdl_client, soap_version):
    """zeep's generated service proxy bound to the SOAP 1.1 or the SOAP 1.2 port."""
    return wsdl_client.bind(SERVICE, PORTS[soap_version])


@pytest.fixture
def acme(svc) -> dict:
    """Request framing with a fresh acme admin session."""
    return {"Session": {"SessionKey": login(svc, ACME_ADMIN)}}


@pytest.fixture
def globex(svc) -> dict:
    """Request framing with a fresh globex admin session."""
    return {"Session": {"SessionKey": login(svc, GLOBEX_ADMIN)}}
