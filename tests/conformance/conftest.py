"""One store of the 22 real registry records and the seed, shared by the conformance tests.

Built once per test session and backend; tests read it and never write to it.
"""

import pytest

from api import create_app
from api.loading import load_files
from tests.conftest import REAL_RECORDS, SEED, close_store, new_store_url, requires_shared

LOADED = [*REAL_RECORDS, SEED]


@pytest.fixture(scope="package")
def loaded_app(request, backend, tmp_path_factory):
    requires_shared()
    folder = tmp_path_factory.mktemp("real-records")
    app = create_app({"DATABASE_URL": new_store_url(request, backend, folder), "TESTING": True,
                      "RECORDS_DIR": ""})
    report = load_files(app.extensions["store"], LOADED)
    assert not report.refused, report.refused
    assert report.count("added") == len(LOADED) == 23
    yield app
    close_store(app)


@pytest.fixture
def loaded_client(loaded_app):
    return loaded_app.test_client()
