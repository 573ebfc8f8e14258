"""Where bench_search.py's stores live: SQLite files in its folder (`--store sqlite`), or
databases of a throw-away PostgreSQL server as well (`--store postgresql`).

The PostgreSQL server is the tests' (tests/postgres.py: the machine's own server programs,
initdb into a temporary folder, durability off, destroyed at the end), on a loopback port of
the bench's range. Each kind gives a store by name (`stores.store(name)`), which says its
URL, how many studies it holds so far (for progress lines) and its size on disk, and empties
or removes itself. `kept_key` prefixes what the NDJSON's manifest records of its imports.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from bench import scale_data as data
from bench.scale_serving import bench_port


class SQLiteStore:
    """A store file in the bench's folder."""

    def __init__(self, path: Path):
        self.path, self.name = path, path.name
        self.url = f"sqlite:///{path}"

    def exists(self) -> bool:
        return self.path.is_file()

    def stored(self) -> int | None:
        return data.studies_stored(self.path)

    def disk(self) -> int:
        return sum(path.stat().st_size for path in data.store_files(self.path))

    def remove(self) -> None:
        data.remove_store(self.path)

    def reset(self) -> None:
        """Empty, for an import into a new store (which makes the file)."""
        self.remove()


class SQLiteStores:
    label, kept_key = "SQLite", ""

    def __init__(self, folder: Path):
        self.folder = folder

    def store(self, name: str) -> SQLiteStore:
        return SQLiteStore(self.folder / f"{name}.sqlite3")

    def close(self) -> None:
        pass


class PostgreSQLStore:
    """A database of the bench's PostgreSQL server."""

    def __init__(self, server, name: str):
        self.server, self.name = server, name.replace("-", "_")
        self.url = server.url(self.name)

    def exists(self) -> bool:
        with self.server.connect() as admin:
            return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                 (self.name,)).fetchone() is not None

    def stored(self) -> int | None:
        try:
            with self.server.connect(self.name) as connection:
                return connection.execute("SELECT count(*) FROM studies").fetchone()[0]
        except psycopg.Error:
            return None

    def disk(self) -> int:
        with self.server.connect() as admin:
            return admin.execute("SELECT pg_database_size(%s)", (self.name,)).fetchone()[0]

    def remove(self) -> None:
        self.server.drop_database(self.name)

    def reset(self) -> None:
        """Empty, for an import into a new store (which migrates the database)."""
        self.remove()
        self.server.create_database(self.name)


class PostgreSQLStores:
    label, kept_key = "PostgreSQL", "postgresql "

    def __init__(self):
        from tests.postgres import PostgreSQLServer, server_binaries

        binaries = server_binaries()
        if binaries is None:
            raise SystemExit("--store postgresql: no PostgreSQL server programs on this "
                             "machine (`make postgres` installs them)")
        data.log("starting a throw-away PostgreSQL server")
        self.server = PostgreSQLServer.create(binaries, port=bench_port())

    def store(self, name: str) -> PostgreSQLStore:
        return PostgreSQLStore(self.server, name)

    def close(self) -> None:
        self.server.destroy()
