"""Fixtures shared by every test: an app on a fresh store, its client and CLI runner.

Every test using a store (`make_app`, `app`, `client`, `runner`, `store`, `store_url`,
the conformance suite's `loaded_app`) runs once on each backend, ids `sqlite` and
`postgresql`; a test about SQLite itself (its file, its locks) is marked `sqlite_only`.
The PostgreSQL half runs on one throw-away server for the session (tests/postgres.py),
each test on a database of its own copied from an empty one the store has migrated.
"""

import json
from pathlib import Path

import pytest

from api import create_app
from api.store import open_store
from tests.postgres import DatabaseSupply, PostgreSQLServer, server_binaries

PROJECT = Path(__file__).resolve().parent.parent
SEED = PROJECT / "records" / "NCT04325594.json"
SHARED = PROJECT.parent / "shared"
REFERENCE = SHARED / "reference"
REAL_RECORDS = sorted((REFERENCE / "ctgov-records").glob("NCT*.json"))


def requires_shared():
    """Skip, saying why, when the registry reference material is not beside the project."""
    if not REFERENCE.is_dir():
        pytest.skip(f"registry reference material not found at {REFERENCE}")


def read_json(path: Path):
    """A JSON file as Python objects."""
    return json.loads(path.read_text(encoding="utf-8"))


def seed_as(nct_id: str, *aliases: str, **identification) -> str:
    """The seed record's JSON text as study `nct_id`, listing `aliases`, with other
    identification values (`briefTitle=...`) replaced."""
    document = read_json(SEED)
    found = document["protocolSection"]["identificationModule"]
    found.update(nctId=nct_id, **identification)
    if aliases:
        found["nctIdAliases"] = list(aliases)
    return json.dumps(document)


def write_aliased_seed(folder: Path, nct_id: str, alias: str) -> Path:
    """A copy of the seed record as study `nct_id` listing `alias` in `nctIdAliases`."""
    document = read_json(SEED)
    identification = document["protocolSection"]["identificationModule"]
    identification["nctId"], identification["nctIdAliases"] = nct_id, [alias]
    path = folder / f"{nct_id}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


BACKENDS = ("sqlite", "postgresql")
TEMPLATE = "trials_template"


def pytest_generate_tests(metafunc):
    """Run each test that uses a store on each backend; a `sqlite_only` test on SQLite."""
    if "backend" in metafunc.fixturenames:
        sqlite_only = metafunc.definition.get_closest_marker("sqlite_only")
        metafunc.parametrize("backend", BACKENDS[:1] if sqlite_only else BACKENDS,
                             indirect=True, scope="session")


@pytest.fixture(scope="session")
def backend(request) -> str:
    """The store's backend for this test: "sqlite" or "postgresql"."""
    return request.param


def throwaway_server() -> PostgreSQLServer:
    """A new PostgreSQL server of this machine's programs (destroy it when done); skips the
    test, saying why, where the machine has none."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip("no PostgreSQL server programs on this machine (`make postgres` installs them)")
    return PostgreSQLServer.create(binaries)


@pytest.fixture(scope="session")
def postgresql_server():
    """The session's throw-away PostgreSQL server; skips where the machine has none."""
    server = throwaway_server()
    yield server
    server.destroy()


@pytest.fixture(scope="session")
def postgresql_databases(postgresql_server):
    """New databases, each a copy of an empty one the store has migrated (quicker than
    migrating each), made ahead of need."""
    postgresql_server.create_database(TEMPLATE)
    open_store(postgresql_server.url(TEMPLATE)).close()
    postgresql_server.make_template(TEMPLATE)
    supply = DatabaseSupply(postgresql_server, TEMPLATE)
    yield supply
    supply.close()


def new_store_url(request, backend: str, folder: Path) -> str:
    """A new empty store's URL: a SQLite file in `folder`, or a PostgreSQL database copied
    from the migrated template, dropped when `request`'s fixture ends."""
    if backend == "sqlite":
        return f"sqlite:///{folder}/trials.sqlite3"
    supply = request.getfixturevalue("postgresql_databases")
    name = supply.take()
    request.addfinalizer(lambda: supply.server.drop_database(name))
    return supply.server.url(name)


def close_store(app) -> None:
    """Close an app's store (its file, or its pool of connections)."""
    app.extensions["store"].close()


@pytest.fixture
def store_url(request, backend, tmp_path) -> str:
    """The URL of an empty store of this test's own, on this test's backend."""
    return new_store_url(request, backend, tmp_path)


@pytest.fixture
def make_app(store_url, tmp_path):
    """Build apps on this test's store (`store_url`); seeded from records/ by default.
    Their stores are closed when the test ends."""
    apps = []

    def make(**config):
        app = create_app({"DATABASE_URL": store_url, "TESTING": True} | config)
        # What a server keeps in its instance folder (a database store's import reports)
        # stays in the test's folder, not the checkout's.
        app.instance_path = str(tmp_path)
        apps.append(app)
        return app
    yield make
    for app in apps:
        close_store(app)


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def store(app):
    return app.extensions["store"]
