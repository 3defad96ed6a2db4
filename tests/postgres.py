"""A real PostgreSQL for the tests, started from Debian's packages (no service, no Docker).

The issue asks for the same tests to run on SQLite and on PostgreSQL in
``make test``, so this plugin (registered by ``pytest_plugins`` in
``tests/conftest.py``) starts one server per test session:

* ``initdb`` into a fresh temporary directory, ``pg_ctl start`` on a free port
  of 127.0.0.1, its unix socket inside that directory (never /run/postgresql,
  which may belong to a system cluster), trust authentication (nothing but
  this machine can reach it), and fsync, synchronous_commit and
  full_page_writes off: a test database does not need to survive a power cut;
* as root, the server binaries run as Debian's ``postgres`` user (initdb and
  postgres refuse to run as root), which then owns the directory;
* at the end of the session ``pg_ctl stop -m immediate`` and the directory is
  removed.

Each test gets its own database, copied from a template that already holds
the migrated schema (``CREATE DATABASE … TEMPLATE``) and dropped after the
test, so no test sees another's rows. Measured on the 2-core machine: a copy
takes 0.04–0.4 s (idle to busy), an empty database plus the migrations about
1.5–2 times that; and the copy for the next test is made, on a worker thread,
while the current one runs (:class:`TemplateCopies`). The migrations
themselves still run on PostgreSQL once per session, into the template;
seeding is left to the app's startup, as on SQLite.

    def test_x(database_url):           # runs twice: [sqlite] and [postgresql]
        engine = make_engine(database_url)

A missing PostgreSQL fails the test with what to do (run scripts/bootstrap.sh):
skipping would silently drop the PostgreSQL half of the suite.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from broker.process import free_port
from cloud.db import migrate
from cloud.db.engine import make_engine

SERVER_OPTIONS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",  # parallel-writer tests plus every engine's pool
}
SUPERUSER = "postgres"
TEMPLATE = "onestop_template"
START_TIMEOUT_S = 30


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed, or cannot be run from here."""


def find_bindir() -> Path:
    """The newest installed server's bin directory (``pg_config --bindir`` may name the client's only)."""
    candidates = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")]
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False).stdout.strip()
        if out:
            candidates.append(Path(out))
    servers = [d for d in candidates if (d / "initdb").exists() and (d / "pg_ctl").exists()]
    if not servers:
        raise PostgresUnavailable(
            "PostgreSQL's server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin "
            "nor in `pg_config --bindir`; run scripts/bootstrap.sh (it installs Debian's postgresql package)"
        )
    return max(servers, key=_version_key)


def _version_key(bindir: Path) -> tuple[int, ...]:
    digits = bindir.parent.name.split(".")
    return tuple(int(d) for d in digits if d.isdigit()) or (0,)


@dataclass
class PostgresServer:
    """One running cluster: ``url(database)``, ``create_database()``, ``stop()``."""

    bindir: Path
    directory: Path
    port: int = 0
    host: str = "127.0.0.1"
    run_as: str | None = None
    _names: Iterator[int] = field(default_factory=itertools.count)

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def _run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            [str(a) for a in args], capture_output=True, text=True, check=False, user=self.run_as,
            cwd=self.directory, env={**os.environ, "LC_ALL": "C.UTF-8"},
        )
        if completed.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PostgresUnavailable(
                f"{' '.join(map(str, args))} failed ({completed.returncode}):\n{completed.stdout}{completed.stderr}{log}"
            )
        return completed

    def init(self) -> None:
        self._run(self.bindir / "initdb", "-D", self.data, "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
                  "--locale=C.UTF-8", "--no-sync", "--no-instructions")

    def start(self, attempts: int = 3) -> None:
        """``pg_ctl start -w``: returns when the server accepts connections (it polls postmaster.pid), or fails.

        The free port can be taken between ``free_port()`` and the server's
        bind; then the start fails at once and is retried on another port.
        """
        options = " ".join(f"-c {k}={v}" for k, v in SERVER_OPTIONS.items())
        for attempt in range(attempts):
            self.port = free_port(self.host)
            try:
                self._run(self.bindir / "pg_ctl", "start", "-w", "-t", str(START_TIMEOUT_S), "-D", self.data,
                          "-l", self.log, "-o", f"-p {self.port} -k {self.directory} {options}")
                return
            except PostgresUnavailable:
                if attempt == attempts - 1:
                    raise

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(self.bindir / "pg_ctl", "stop", "-m", "immediate", "-w", "-D", self.data)

    def admin(self) -> psycopg.Connection[Any]:
        """An autocommit connection to the ``postgres`` database (CREATE DATABASE cannot run in a transaction)."""
        return psycopg.connect(host=self.host, port=self.port, user=SUPERUSER, dbname="postgres", autocommit=True)

    def create_database(self, template: str | None = None) -> str:
        name = f"test_{next(self._names)}"
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with self.admin() as conn:
            conn.execute(statement)
        return name

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def start_postgres() -> PostgresServer:
    """initdb + start in a new temporary directory, as ``postgres`` when running as root."""
    bindir = find_bindir()
    run_as = None
    directory = Path(tempfile.mkdtemp(prefix="onestop-pg-"))  # under /tmp: reachable by the postgres user
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SUPERUSER)
        except KeyError:
            shutil.rmtree(directory)
            raise PostgresUnavailable(
                "running as root, and initdb refuses root, but there is no 'postgres' user to run it as; "
                "run scripts/bootstrap.sh (Debian's postgresql package creates it)"
            ) from None
        os.chown(directory, owner.pw_uid, owner.pw_gid)
        run_as = SUPERUSER
    server = PostgresServer(bindir, directory, run_as=run_as)
    try:
        server.init()
        server.start()
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return server


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL, with ``onestop_template`` migrated to head."""
    try:
        server = start_postgres()
    except PostgresUnavailable as exc:
        pytest.fail(f"PostgreSQL tests cannot run: {exc}", pytrace=False)
    try:
        with server.admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE)))
        engine = make_engine(server.url(TEMPLATE))
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()  # a template must have no connections while it is copied
        yield server
    finally:
        server.stop()
        shutil.rmtree(server.directory, ignore_errors=True)


class TemplateCopies:
    """Fresh copies of the template, each made while the test before it runs, and dropped off the test's path.

    ``CREATE DATABASE … TEMPLATE`` took 0.05–0.4 s here, most of what a
    PostgreSQL test costs beyond its SQLite twin. One worker thread makes the
    next copy as soon as one is taken, and drops used ones (``WITH (FORCE)``:
    a connection a test left open must not keep its copy on disk); the tests'
    own work is mostly Python holding one core, so the server copies on the
    other. One worker keeps creates and drops in order, without polling.
    """

    def __init__(self, server: PostgresServer, template: str) -> None:
        self.server = server
        self.template = template
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="postgres-copies")
        self._next: Future[str] | None = None

    def _submit(self) -> Future[str]:
        return self._worker.submit(self.server.create_database, self.template)

    def take(self) -> str:
        """The name of a new database holding the template's schema and rows (waits for it if still being made)."""
        current = self._next or self._submit()
        self._next = self._submit()
        return current.result()

    def drop(self, name: str) -> None:
        self._worker.submit(self.server.drop_database, name)  # a failed drop only leaves a copy until session end

    def close(self) -> None:
        self._worker.shutdown(wait=True)


@pytest.fixture(scope="session")
def postgres_copies(postgres_server: PostgresServer) -> Iterator[TemplateCopies]:
    copies = TemplateCopies(postgres_server, TEMPLATE)
    yield copies
    copies.close()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer, postgres_copies: TemplateCopies) -> Iterator[str]:
    """A new database of the session's server holding the migrated (empty) schema, dropped after the test."""
    name = postgres_copies.take()
    yield postgres_server.url(name)
    postgres_copies.drop(name)


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The cloud's database for this test: the default SQLite file (``<tmp_path>/cloud/cloud.db``,
    what ``Settings(data_dir=tmp_path / "cloud")`` uses), or a fresh PostgreSQL database."""
    if request.param == "postgresql":
        return str(request.getfixturevalue("postgres_url"))
    return f"sqlite:///{(tmp_path / 'cloud' / 'cloud.db').resolve()}"
