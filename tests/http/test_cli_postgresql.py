"""Commands on a PostgreSQL store that differ from SQLite's (the others run on both
backends through the `runner` fixture)."""

import subprocess
import sys

import pytest

from api import create_app
from api.store import StoreLayoutError, open_store
from api.store.errors import REBUILD_COMMAND
from tests.conftest import PROJECT, SEED, new_store_url
from tests.server import tool_environment
from tests.stores import execute


def test_another_index_layout_is_refused_and_index_rebuild_repairs_it(request, tmp_path):
    url = new_store_url(request, "postgresql", tmp_path)
    seeded = create_app({"DATABASE_URL": url, "TESTING": True})  # seeds records/
    seeded.extensions["store"].close()
    store = open_store(url)
    # As if the catalogue had changed since the index was written.
    execute(store, "UPDATE store_info SET value = 'other' WHERE key = 'index_layout'")
    assert REBUILD_COMMAND in store.unavailable_reason()
    store.close()
    with pytest.raises(StoreLayoutError, match=REBUILD_COMMAND):
        open_store(url)

    done = subprocess.run([sys.executable, "-m", "flask", "--app", "api", "index", "rebuild"],
                          cwd=PROJECT, env=tool_environment(url), capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0 and "index rebuilt: 1 studies" in done.stdout, done.stderr
    app = create_app({"DATABASE_URL": url, "TESTING": True, "RECORDS_DIR": ""})
    found = app.test_client().get("/api/v2/studies?query.cond=heart+failure&fields=NCTId")
    assert found.json["studies"] == [{"protocolSection": {
        "identificationModule": {"nctId": SEED.stem}}}]
    app.extensions["store"].close()
