"""`flask --app api history prune`: drops old versions by a keep rule, says how many, and
refuses what it cannot read in one line."""

import json
import sqlite3

import pytest

from tests.conftest import SEED, read_json

NCT_ID = "NCT00000102"


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing an import writes may land in the working directory


def import_versions(runner, folder, *statuses):
    """Import study NCT_ID once per status, its last update date moving on each time."""
    for day, status in enumerate(statuses, start=1):
        document = read_json(SEED)
        document["protocolSection"]["identificationModule"]["nctId"] = NCT_ID
        status_module = document["protocolSection"]["statusModule"]
        status_module["overallStatus"] = status
        status_module["lastUpdatePostDateStruct"]["date"] = f"2025-01-{day:02d}"
        path = folder / f"{NCT_ID}.json"
        path.write_text(json.dumps(document))
        result = runner.invoke(args=["import", str(path)])
        assert result.exit_code == 0, result.output


def numbers(store):
    return [version.number for version in store.history(NCT_ID).versions]


def test_keep_last_drops_the_older_versions_and_says_how_many(runner, client, store, tmp_path):
    import_versions(runner, tmp_path, "RECRUITING", "ACTIVE_NOT_RECRUITING", "COMPLETED")
    assert numbers(store) == [0, 1, 2]
    result = runner.invoke(args=["history", "prune", "--keep-last", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("history pruned: 2 versions dropped (kept: the current "
                                    "ones, the newest 1 of each study) in ")
    assert numbers(store) == [2]
    answer = client.get(f"/api/v2/studies/{NCT_ID}?fields=OverallStatus")
    assert answer.json["protocolSection"]["statusModule"]["overallStatus"] == "COMPLETED"


@pytest.mark.sqlite_only  # dates a version in the SQLite file
def test_stored_before_drops_what_was_stored_earlier(runner, store, tmp_path):
    import_versions(runner, tmp_path, "RECRUITING", "COMPLETED")
    with sqlite3.connect(store.path) as connection:
        connection.execute("UPDATE versions SET stored_at = '2020-05-01T10:00:00' "
                           "WHERE number = 0")
    result = runner.invoke(args=["history", "prune",
                                 "--stored-before", "2020-05-01T11:00:00+01:00"])
    assert result.exit_code == 0 and "0 versions dropped" in result.output  # 10:00 UTC
    result = runner.invoke(args=["history", "prune", "--stored-before", "2020-05-02"])
    assert ("history pruned: 1 version dropped (kept: the current ones, those stored since "
            "2020-05-02T00:00:00) in ") in result.output
    assert numbers(store) == [1]


@pytest.mark.parametrize("args, message", [
    ([], "say what to drop: --keep-last N, --stored-before DATE or both"),
    (["--keep-last", "-1"], "-1 is not in the range x>=0"),
    (["--keep-last", "two"], "'two' is not a valid integer"),
    (["--stored-before", "yesterday"], ("'yesterday' is not a date (yyyy-MM-dd) or a date "
                                        "and time (yyyy-MM-ddTHH:MM:SS, UTC)")),
], ids=["no rule", "negative", "not a number", "not a date"])
def test_bad_arguments_are_one_clear_line(runner, args, message):
    result = runner.invoke(args=["history", "prune", *args])
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_help_names_both_rules(runner):
    result = runner.invoke(args=["history", "prune", "--help"])
    assert result.exit_code == 0
    assert "--keep-last N" in result.output and "--stored-before DATE" in result.output
    assert "never dropped" in result.output


@pytest.mark.sqlite_only  # SQLite's write lock
def test_a_store_busy_for_too_long_is_one_line_and_exit_1(make_app, tmp_path):
    app = make_app(STORE_LOCK_WAIT=0.3)
    holder = sqlite3.connect(app.extensions["store"].path, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process's import, say
        result = app.test_cli_runner().invoke(args=["history", "prune", "--keep-last", "1"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert ("the write lock stayed taken by another process for 0.3 s, so this could not "
            "prune the history") in result.output
