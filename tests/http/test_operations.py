"""`GET /health` and `GET /ready`: the operator's probes, outside the registry's API."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from api import create_app
from api.store import postgres_schema
from api.store.sqlite_open import SCHEMA_VERSION
from tests.conftest import close_store, new_store_url


def test_health_says_the_process_is_up(client):
    response = client.get("/health")
    assert (response.status_code, response.text) == (200, "ok")
    assert response.content_type.startswith("text/plain")


def test_ready_when_the_store_serves(client):
    response = client.get("/ready")
    assert (response.status_code, response.text) == (200, "ready")


def store_file(app) -> str:
    return app.extensions["store"].path


@pytest.mark.sqlite_only  # the SQLite file's schema version
def test_not_ready_once_another_process_moved_the_store_to_a_later_schema(app, client):
    with sqlite3.connect(store_file(app)) as other:
        other.execute("UPDATE store_info SET value = '99' WHERE key = 'schema_version'")
    response = client.get("/ready")
    assert response.status_code == 503
    assert response.content_type.startswith("text/plain")
    assert response.headers["Retry-After"].isdigit()
    assert response.text == (f"not ready: {store_file(app)} has store schema 99, this server "
                             f"reads {SCHEMA_VERSION}")
    assert client.get("/health").status_code == 200  # the process itself is fine


@pytest.mark.sqlite_only  # a SQLite file's tables
def test_not_ready_while_the_store_cannot_be_read_and_ready_again_after(app, client):
    with sqlite3.connect(store_file(app)) as other:
        other.execute("ALTER TABLE studies RENAME TO studies_aside")
    response = client.get("/ready")
    assert response.status_code == 503
    assert "cannot be read as a SQLite store (no such table: studies)" in response.text
    with sqlite3.connect(store_file(app)) as other:
        other.execute("ALTER TABLE studies_aside RENAME TO studies")
    assert (client.get("/ready").status_code, client.get("/ready").text) == (200, "ready")


def test_not_ready_once_another_instance_moved_the_database_to_a_later_schema(request, tmp_path):
    url = new_store_url(request, "postgresql", tmp_path)
    app = create_app({"DATABASE_URL": url, "TESTING": True, "RECORDS_DIR": ""})
    try:
        assert app.test_client().get("/ready").status_code == 200
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("INSERT INTO schema_migrations (version) VALUES (99)")
        response = app.test_client().get("/ready")
        assert response.status_code == 503 and response.headers["Retry-After"].isdigit()
        assert response.text.startswith("not ready: ")
        assert (f"was written by a newer release (schema 99; this release reads up to "
                f"{postgres_schema.current_version()})") in response.text
    finally:
        close_store(app)


@pytest.mark.parametrize("path", ["/health", "/ready"])
def test_the_probes_are_not_part_of_the_registry_s_api_document(client, path):
    document = client.get("/api/oas/v2").json
    assert not any(documented.endswith(path) for documented in document["paths"])
    assert client.post(path).status_code == 405
