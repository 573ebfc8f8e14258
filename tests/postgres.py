"""A throw-away PostgreSQL server for the tests, from the machine's own server binaries.

`PostgreSQLServer.create()` runs `initdb` into a temporary folder and starts `postgres` on
127.0.0.1 at a free port (`tests.server.free_port`), its unix socket in that folder, tuned for
speed over durability (`fsync=off` and the like: the data is thrown away) and ready to stream
to a standby (`wal_level=replica`, a replication entry in `pg_hba.conf`). `standby()` makes
a hot standby of it with `pg_basebackup -R`. `stop()` and `start()` make and end an outage;
`destroy()` stops it and removes its folder, and every server still running when the
interpreter exits is destroyed then (atexit), so that nothing is left running.

`initdb` and `postgres` refuse to run as root (CI runs as root): as root the server runs as
the `postgres` user Debian's package creates, else as `nobody`, in a folder it owns.
The binaries come from `pg_config --bindir`, `/usr/lib/postgresql/*/bin` or PATH;
`make postgres` installs Debian's `postgresql` package where none is found.
"""

from __future__ import annotations

import atexit
import contextlib
import itertools
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
from psycopg import pq

SUPERUSER = "postgres"
STARTUP_SECONDS = 30
STOP_SECONDS = 10
# Settings of a server whose data is thrown away: nothing waits for the disk.
SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "replica",
    "max_wal_senders": "4",
    "hot_standby": "on",
    # Test apps each hold a pool; production servers several.
    "max_connections": "300",
}
HBA = """\
local all all trust
host all all 127.0.0.1/32 trust
local replication all trust
host replication all 127.0.0.1/32 trust
"""
_RUNNING: set[PostgreSQLServer] = set()


def server_binaries() -> Path | None:
    """The folder of this machine's PostgreSQL server programs (initdb, postgres,
    pg_basebackup), or None when it has none."""
    candidates = []
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        found = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True,
                               timeout=10, check=True)
        candidates.append(Path(found.stdout.strip()))
    versions = Path("/usr/lib/postgresql").glob("*/bin")
    candidates += sorted(versions, key=lambda path: _version(path.parent.name), reverse=True)
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for folder in candidates:
        if all((folder / name).is_file() for name in ("initdb", "postgres", "pg_basebackup")):
            return folder
    return None


def _version(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


def _server_user() -> pwd.struct_passwd | None:
    """Whom the server runs as: None (this user) unless this is root, which PostgreSQL
    refuses to run as."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise RuntimeError("running as root and neither a postgres nor a nobody user exists")


class PostgreSQLServer:
    """One PostgreSQL server in a folder of its own; see the module docstring."""

    def __init__(self, binaries: Path, folder: Path, port: int):
        self.binaries, self.folder, self.port = binaries, folder, port
        self.data = folder / "data"
        self.log = folder / "server.log"
        self._process: subprocess.Popen | None = None

    @classmethod
    def create(cls, binaries: Path, port: int | None = None) -> PostgreSQLServer:
        """A new cluster, initialised and started on `port` (default: a free one)."""
        server = cls(binaries, _owned_folder(), port or _free_port())
        _track(server)
        try:
            server._run("initdb", "--pgdata", server.data, "--username", SUPERUSER,
                        "--auth", "trust", "--encoding", "UTF8", "--locale", "C.UTF-8",
                        "--no-sync")
            server._write_owned(server.data / "pg_hba.conf", HBA)
            server.start()
        except BaseException:
            server.destroy()
            raise
        return server

    def standby(self, port: int | None = None) -> PostgreSQLServer:
        """A hot standby of this server (`pg_basebackup -R`: it streams from this one),
        started on `port` (default: a free one)."""
        standby = PostgreSQLServer(self.binaries, _owned_folder(), port or _free_port())
        _track(standby)
        try:
            standby._run("pg_basebackup", "--pgdata", standby.data, "--host", "127.0.0.1",
                         "--port", str(self.port), "--username", SUPERUSER,
                         "--write-recovery-conf", "--wal-method", "stream", "--no-sync",
                         "--checkpoint", "fast")
            standby.start()
        except BaseException:
            standby.destroy()
            raise
        return standby

    def url(self, database: str = "postgres") -> str:
        """The URL of one of its databases, over TCP on the loopback interface."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        """Start the server (again) on its port and wait until it accepts connections."""
        options = [f"--{key.replace('_', '-')}={value}" for key, value in SETTINGS.items()]
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [self.binaries / "postgres", "-D", self.data, "-p", str(self.port),
                 "-k", self.folder, *options],
                stdout=log, stderr=subprocess.STDOUT, cwd=self.folder,
                start_new_session=True, **_as_server_user())
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self._accepts():
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"PostgreSQL did not start: {self._log_tail()}")
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the server: a fast shutdown (SIGINT: sessions ended, no waiting for them),
        then SIGKILL to whatever of its process group is left."""
        process, self._process = self._process, None
        if process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=STOP_SECONDS)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_SECONDS)

    def destroy(self) -> None:
        """Stop the server and remove its folder."""
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
        _RUNNING.discard(self)

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        """An administrator's connection (autocommit) to one of its databases."""
        return psycopg.connect(self.url(database), autocommit=True, connect_timeout=5)

    def create_database(self, name: str, template: str = "template0") -> str:
        """A new database copied from `template`; its URL. Copied as files: without fsync
        that is about twice as quick as through the write-ahead log (WAL_LOG)."""
        with self.connect() as admin:
            admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, ending the sessions still connected to it."""
        with self.connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def make_template(self, name: str) -> None:
        """Make `name` a template nobody connects to any more (CREATE DATABASE copies a
        template only while no session is connected to it)."""
        with self.connect() as admin:
            admin.execute(f'ALTER DATABASE "{name}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false')
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE datname = %s", (name,))

    def _accepts(self) -> bool:
        try:
            with self.connect():
                return True
        except psycopg.OperationalError:
            return False

    def _run(self, program: str, *arguments) -> None:
        done = subprocess.run([self.binaries / program, *map(str, arguments)],
                              capture_output=True, text=True, cwd=self.folder, timeout=120,
                              **_as_server_user())
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stderr.strip()[-2000:]}")

    def _write_owned(self, path: Path, text: str) -> None:
        path.write_text(text, encoding="utf-8")
        if user := _server_user():
            os.chown(path, user.pw_uid, user.pw_gid)

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(encoding="utf-8", errors="replace")[-2000:]
        return "(no server log)"


class DatabaseSupply:
    """Copies of a template database, each made while the test before runs: the copy (most
    of what a fresh database costs) is sent on a connection of its own and its answer read
    only when the next copy is taken. No thread: a process that runs threads makes the
    import's worker processes by spawning instead of forking, a second slower.

    `take()` gives the name of a new copy (dropping it is the taker's business);
    `close()` drops the copy made and not taken.
    """

    def __init__(self, server: PostgreSQLServer, template: str):
        self.server, self.template = server, template
        self._numbers = itertools.count(1)
        self._connection = pq.PGconn.connect(
            f"host=127.0.0.1 port={server.port} user={SUPERUSER} dbname=postgres".encode())
        if self._connection.status != pq.ConnStatus.OK:
            raise RuntimeError(self._connection.get_error_message().decode())
        self._pending = self._send()

    def take(self) -> str:
        """A new copy of the template: its name."""
        made = self._received()
        self._pending = self._send()
        return made

    def close(self) -> None:
        """Drop the copy not taken; close the connection."""
        try:
            self.server.drop_database(self._received())
        finally:
            self._connection.finish()

    def _send(self) -> str:
        name = f"{self.template}_{next(self._numbers)}"
        self._connection.send_query(
            f'CREATE DATABASE "{name}" TEMPLATE "{self.template}" STRATEGY FILE_COPY'.encode())
        return name

    def _received(self) -> str:
        """The name of the copy sent last, once the server has made it."""
        errors = []
        while (result := self._connection.get_result()) is not None:
            if result.status != pq.ExecStatus.COMMAND_OK:
                errors.append(result.get_error_message().decode().strip())
        if errors:
            raise RuntimeError(f"no copy of {self.template}: {'; '.join(errors)}")
        return self._pending


def _free_port() -> int:
    from tests.server import free_port  # tests.server imports the tests' conftest

    return free_port()


def _owned_folder() -> Path:
    """A new temporary folder the server's user owns (not under pytest's tmp_path, which
    only its owner may enter)."""
    folder = Path(tempfile.mkdtemp(prefix="trials-postgresql-"))
    if user := _server_user():
        os.chown(folder, user.pw_uid, user.pw_gid)
    return folder


def _as_server_user() -> dict:
    """subprocess arguments that run a program as the server's user (no root groups)."""
    user = _server_user()
    if user is None:
        return {}
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": [],
            "env": {**os.environ, "HOME": str(user.pw_dir), "USER": user.pw_name}}


def _track(server: PostgreSQLServer) -> None:
    """Count `server` among those to destroy at exit. A SIGTERM (a CI job's timeout) would
    end Python without exit handlers: it is made to unwind as Ctrl-C does instead."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    _RUNNING.add(server)


@atexit.register
def _destroy_running() -> None:
    """Whatever happened to the session, no server outlives it."""
    for server in list(_RUNNING):
        server.destroy()
