"""`GET /metrics`: the server's metrics in the Prometheus text format (api/observability).

Read back with the official client library's own parser, as Prometheus would read them.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime

import pytest
from prometheus_client.parser import text_string_to_metric_families

from api.services import operations
from tests.conftest import seed_as
from tests.prometheus import samples, value
from tests.server import free_port

STUDY = "/api/v2/studies/NCT04325594"
STUDY_ROUTE = "/api/v2/studies/<nctId>"


def scrape(client):
    """Every sample of a scrape of the app (`tests.prometheus.samples`)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    return samples(response.text)


def test_metrics_are_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert list(text_string_to_metric_families(response.text))


def test_openmetrics_when_the_scraper_asks_for_it(client):
    response = client.get("/metrics", headers={"Accept": "application/openmetrics-text"})
    assert response.content_type.startswith("application/openmetrics-text")
    assert response.text.endswith("# EOF\n")


def test_requests_are_counted_by_route_template_method_and_status(client):
    for _ in range(3):
        assert client.get(STUDY).status_code == 200
    assert client.get("/api/v2/studies/NCT99999999").status_code == 404
    assert client.get("/no/such/route").status_code == 404
    scraped = scrape(client)
    assert value(scraped, "trials_http_requests_total", route=STUDY_ROUTE, method="GET",
                 status=200) == 3
    assert value(scraped, "trials_http_requests_total", route=STUDY_ROUTE, method="GET",
                 status=404) == 1
    assert value(scraped, "trials_http_requests_total", route="<unmatched>", method="GET",
                 status=404) == 1
    assert not any("NCT04325594" in str(labels) for _, labels in scraped)  # never the path


def test_a_method_no_server_knows_is_counted_as_other(client):
    assert client.open(STUDY, method="BREW").status_code == 405
    scraped = scrape(client)
    assert value(scraped, "trials_http_requests_total", route="<unmatched>", method="other",
                 status=405) == 1


def test_latency_is_a_histogram_by_route(client):
    for _ in range(4):
        client.get(STUDY)
    scraped = scrape(client)
    assert value(scraped, "trials_http_request_duration_seconds_count", route=STUDY_ROUTE) == 4
    assert value(scraped, "trials_http_request_duration_seconds_sum", route=STUDY_ROUTE) > 0
    buckets = sorted((float(dict(labels)["le"]), count) for (name, labels), count
                     in scraped.items() if name == "trials_http_request_duration_seconds_bucket"
                     and dict(labels)["route"] == STUDY_ROUTE)
    counts = [count for _, count in buckets]
    assert counts == sorted(counts) and counts[-1] == 4  # cumulative, +Inf holds them all


def test_a_streamed_answer_is_counted_once_its_body_is_sent(client):
    response = client.get("/api/v2/studies?format=csv", buffered=False)
    before = value(scrape(client), "trials_http_requests_total", route="/api/v2/studies",
                   method="GET", status=200)
    response.get_data()
    response.close()
    after = value(scrape(client), "trials_http_requests_total", route="/api/v2/studies",
                  method="GET", status=200)
    assert (before, after) == (None, 1)


def test_the_store_s_state_is_read_at_each_scrape(client, store, runner, tmp_path):
    scraped = scrape(client)
    assert value(scraped, "trials_store_up") == 1
    assert value(scraped, "trials_studies") == store.count() == 1
    assert value(scraped, "trials_store_generation") == store.generation()
    stamp = datetime.fromisoformat(store.data_timestamp()).replace(tzinfo=UTC).timestamp()
    assert value(scraped, "trials_store_data_timestamp_seconds") == stamp
    (tmp_path / "other.json").write_text(seed_as("NCT00000001"), encoding="utf-8")
    assert runner.invoke(args=["import", str(tmp_path / "other.json")]).exit_code == 0
    scraped = scrape(client)
    assert value(scraped, "trials_studies") == 2
    assert value(scraped, "trials_store_generation") == store.generation()


def test_no_replica_lag_without_a_replica(client, store):
    assert store.replica_lag() is None
    assert not any(name == "trials_replica_lag_seconds" for name, _ in scrape(client))


def test_no_last_run_before_any_import_or_sync(client):
    assert not any(name.startswith("trials_last_run") for name, _ in scrape(client))


def last_run(scraped, command: str) -> dict:
    outcomes = {outcome for outcome in operations.RUN_OUTCOMES
                if value(scraped, "trials_last_run_outcome", command=command,
                         outcome=outcome) == 1}
    records = {dict(labels)["result"]: count for (name, labels), count in scraped.items()
               if name == "trials_last_run_records" and dict(labels)["command"] == command}
    return {"outcome": outcomes, "records": records,
            "finished": value(scraped, "trials_last_run_timestamp_seconds", command=command),
            "seconds": value(scraped, "trials_last_run_duration_seconds", command=command)}


def test_the_last_import_s_time_outcome_records_and_duration(client, runner, tmp_path):
    (tmp_path / "new.json").write_text(seed_as("NCT00000002"), encoding="utf-8")
    began = time.time()
    assert runner.invoke(args=["import", str(tmp_path / "new.json")]).exit_code == 0
    run = last_run(scrape(client), "import")
    assert run["outcome"] == {"ok"}
    assert run["records"] == {"added": 1, "replaced": 0, "unchanged": 0, "outdated": 0,
                              "refused": 0, "skipped": 0}
    assert began <= run["finished"] <= time.time()
    assert 0 <= run["seconds"] <= run["finished"] - began + 0.01


def test_an_import_that_refuses_records_says_so(client, runner, tmp_path):
    (tmp_path / "good.json").write_text(seed_as("NCT00000003"), encoding="utf-8")
    (tmp_path / "bad.json").write_text('{"protocolSection": 1}', encoding="utf-8")
    result = runner.invoke(args=["import", str(tmp_path / "good.json"), str(tmp_path / "bad.json"),
                                 "--report", str(tmp_path / "refused.jsonl")])
    assert result.exit_code == 1
    run = last_run(scrape(client), "import")
    assert run["outcome"] == {"refused"}
    assert (run["records"]["added"], run["records"]["refused"]) == (1, 1)


def test_a_sync_whose_upstream_cannot_be_reached_failed(make_app):
    app = make_app(SYNC_RETRIES=1, SYNC_BACKOFF=0.01, SYNC_TIMEOUT=2)
    nothing_there = f"http://127.0.0.1:{free_port()}"
    result = app.test_cli_runner().invoke(args=["sync", "--from", nothing_there])
    assert result.exit_code == 3
    run = last_run(scrape(app.test_client()), "sync")
    assert run["outcome"] == {"failed"}
    assert run["records"] == {}
    assert run["seconds"] >= 0


@pytest.mark.sqlite_only  # a SQLite file's tables
def test_while_the_store_cannot_be_read_only_its_state_is_missing(app, client):
    client.get(STUDY)
    with sqlite3.connect(app.extensions["store"].path) as other:
        other.execute("ALTER TABLE studies RENAME TO studies_aside")
    scraped = scrape(client)
    assert value(scraped, "trials_store_up") == 0
    assert value(scraped, "trials_studies") is None
    assert value(scraped, "trials_http_requests_total", route=STUDY_ROUTE, method="GET",
                 status=200) == 1


def test_metrics_are_not_part_of_the_registry_s_api_document(client):
    document = client.get("/api/oas/v2").json
    assert not any(path.endswith("/metrics") for path in document["paths"])
    assert client.post("/metrics").status_code == 405
