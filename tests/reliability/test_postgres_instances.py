"""Several production servers on one PostgreSQL database: a write any process makes is seen
by every instance at once, caches and entity tags included.

Real servers (`python -m api.serving`, tests/server.py) on a database of the session's
throw-away PostgreSQL (tests/postgres.py); the write is the real import command's.
"""

from __future__ import annotations

import contextlib
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.conftest import SEED, new_store_url
from tests.prometheus import samples, value
from tests.server import import_records, production_server
from tests.versions import seed_version

pytestmark = pytest.mark.reliability

ADDED = "NCT09900001"
# What each instance caches or derives from the stored data.
WATCHED = [
    f"/api/v2/studies/{SEED.stem}",
    "/api/v2/studies?countTotal=true&query.cond=heart+failure&fields=NCTId,OverallStatus",
    "/api/v2/studies?countTotal=true&filter.overallStatus=RECRUITING&fields=NCTId",
    "/api/v2/stats/size",
    "/api/v2/stats/field/values?fields=OverallStatus",
    "/api/v2/version",
]


@pytest.fixture
def database(request, tmp_path) -> str:
    """A migrated, empty database of this test's own."""
    return new_store_url(request, "postgresql", tmp_path)


@pytest.fixture
def instances(database):
    """Two production servers on that database (the first seeds it): their base URLs."""
    with production_server(database) as first, production_server(database) as second:
        yield first, second


def answers(base: str) -> dict[str, httpx.Response]:
    with httpx.Client(base_url=base, timeout=10) as client:
        return {path: client.get(path) for path in WATCHED}


def studies_metric(base: str) -> float | None:
    """The server's `trials_studies` gauge (`/metrics`)."""
    return value(samples(httpx.get(f"{base}/metrics", timeout=10).text), "trials_studies")


def import_new_versions(database: str, folder) -> str:
    """A later version of the seed, now recruiting, and a new recruiting study, imported."""
    paths = []
    for nct_id in (SEED.stem, ADDED):
        path = folder / f"{nct_id}.json"
        path.write_text(seed_version("RECRUITING", "2031-01-01", nct_id), encoding="utf-8")
        paths.append(path)
    return import_records(database, paths)


def test_an_import_is_seen_by_every_instance_at_once(instances, database, tmp_path):
    before = [answers(base) for base in instances]
    assert all(response.status_code == 200 for seen in before for response in seen.values())
    assert before[0][WATCHED[3]].json()["totalStudies"] == 1
    summary = import_new_versions(database, tmp_path)
    assert summary.startswith("2 loaded: 1 added, 1 replaced"), summary
    after = [answers(base) for base in instances]  # no waiting: at once
    for path in WATCHED:
        assert after[0][path].content == after[1][path].content, path
        assert after[0][path].headers["ETag"] == after[1][path].headers["ETag"], path
        assert after[0][path].headers["ETag"] != before[0][path].headers["ETag"], path
    assert after[1][WATCHED[3]].json()["totalStudies"] == 2
    assert [studies_metric(base) for base in instances] == [2, 2]
    assert after[1][WATCHED[2]].json()["totalCount"] == 2
    status = after[1][WATCHED[0]].json()["protocolSection"]["statusModule"]["overallStatus"]
    assert status == "RECRUITING"


def test_an_old_entity_tag_is_not_fresh_on_any_instance_after_a_write(instances, database,
                                                                         tmp_path):
    study = WATCHED[0]
    tags = [httpx.get(base + study, timeout=10).headers["ETag"] for base in instances]
    assert tags[0] == tags[1]
    assert httpx.get(instances[1] + study, headers={"If-None-Match": tags[0]},
                     timeout=10).status_code == 304
    import_new_versions(database, tmp_path)
    for base in instances:
        response = httpx.get(base + study, headers={"If-None-Match": tags[0]}, timeout=10)
        assert response.status_code == 200 and response.headers["ETag"] != tags[0]


def test_a_page_token_of_one_instance_pages_on_another(instances, database, tmp_path):
    import_new_versions(database, tmp_path)
    query = {"fields": "NCTId", "pageSize": 1}
    first = httpx.get(f"{instances[0]}/api/v2/studies", params=query, timeout=10).json()
    token = first["nextPageToken"]
    second = httpx.get(f"{instances[1]}/api/v2/studies", params={**query, "pageToken": token},
                       timeout=10)
    assert second.status_code == 200, second.text
    ids = [study["protocolSection"]["identificationModule"]["nctId"]
           for page in (first, second.json()) for study in page["studies"]]
    assert sorted(ids) == sorted([SEED.stem, ADDED])


def test_instances_starting_together_on_a_new_database_set_it_up_once(postgresql_server):
    database = postgresql_server.create_database("instances_starting_together")  # unmigrated
    try:
        with contextlib.ExitStack() as stack, ThreadPoolExecutor(2) as pool:
            bases = list(pool.map(lambda _: stack.enter_context(production_server(database)),
                                  range(2)))
            for base in bases:
                assert httpx.get(f"{base}/ready", timeout=10).text == "ready"
                size = httpx.get(f"{base}/api/v2/stats/size", timeout=10).json()
                assert size["totalStudies"] == 1
                history = httpx.get(f"{base}/api/v2/studies/{SEED.stem}/history", timeout=10)
                assert len(history.json()["versions"]) == 1, history.text  # seeded once
    finally:
        postgresql_server.drop_database("instances_starting_together")
