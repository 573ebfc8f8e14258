"""Properties of the guard, on records generated from its own JSON Schema (tests/records.py).

- A record the JSON Schema accepts is imported and comes back from `GET /studies/{nctId}`
  unchanged: the same keys in the same order, the same values, the same number literals.
- A record with one thing broken in it (a wrong type, a value outside its enum, an unknown
  key, a malformed date) is refused, at the place that was broken, and nothing is stored.
- The fast validator and the explaining one agree on every generated record.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given

from api import create_app
from api.loading import load_files
from api.store import open_store
from schemas import guard
from tests.fuzzing import IDENTITY, budget
from tests.records import corrupted_records, valid_records

pytestmark = pytest.mark.fuzz


def pointer(path) -> str:
    """The RFC 6901 pointer of a path of keys and indexes."""
    return "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in path)


@pytest.fixture(scope="module")
def importer(tmp_path_factory):
    """Import one record into a store of its own; answer `(load report, test client)`.

    Every example gets an empty store: records drawn one after another share NCT numbers,
    and a second import of one would be a replacement (or refused as older), not a load.
    """
    folder = tmp_path_factory.mktemp("guard-properties")
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{folder}/first.sqlite3", "TESTING": True, "RECORDS_DIR": ""}
    )
    numbers = itertools.count()

    def load(document):
        number = next(numbers)
        app.extensions["store"].close()
        app.extensions["store"] = open_store(f"sqlite:///{folder}/{number}.sqlite3")
        path = folder / f"{number}.json"
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False), encoding="utf-8")
        return load_files(app.extensions["store"], [path]), app.test_client()

    yield load
    app.extensions["store"].close()


@budget(share=0.6)
@given(valid_records())
def test_an_accepted_record_comes_back_unchanged(importer, document):
    report, client = importer(document)
    assert not report.refused
    nct_id = document["protocolSection"]["identificationModule"]["nctId"]
    response = client.get(f"/api/v2/studies/{nct_id}", headers=IDENTITY)
    assert response.status_code == 200, response.text
    assert response.data == json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


@budget(share=0.6)
@given(corrupted_records())
def test_a_record_with_one_thing_broken_is_refused_there(importer, corrupted):
    _, broken, site, kind = corrupted
    problems = guard.problems(broken)
    assert not guard.is_valid(broken)
    where = pointer(site.path)
    assert any(p.pointer == where or p.pointer.startswith(where + "/") for p in problems), (
        kind,
        where,
        [str(problem) for problem in problems],
    )
    report, client = importer(broken)
    assert report.refused and report.units == 0
    assert client.application.extensions["store"].count() == 0


@budget()
@given(corrupted_records())
def test_the_fast_and_the_explaining_validators_agree(corrupted):
    for document in corrupted[:2]:
        assert guard.is_valid(document) == (guard.problems(document) == [])
