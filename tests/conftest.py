"""Fixtures shared by every test: an app on a fresh store, its client and CLI runner."""

import json
from pathlib import Path

import pytest

from api import create_app

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


@pytest.fixture
def make_app(tmp_path):
    """Build apps on a store file of this test's own; seeded from records/ by default."""
    def make(**config):
        settings = {"DATABASE_URL": f"sqlite:///{tmp_path}/trials.sqlite3", "TESTING": True}
        return create_app(settings | config)
    return make


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
