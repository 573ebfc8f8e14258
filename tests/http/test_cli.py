import json
import zipfile

import pytest

from api.loading import load_files

from tests.conftest import SEED, read_json


@pytest.fixture(autouse=True)
def _in_a_scratch_folder(tmp_path, monkeypatch):
    # Nothing an import writes may land in the working directory.
    monkeypatch.chdir(tmp_path)


def write_study(path, nct_id, **status):
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"]["nctId"] = nct_id
    document["protocolSection"]["statusModule"].update(status)
    path.write_text(json.dumps(document))
    return path


def test_import_loads_files_and_reports(runner, client, tmp_path):
    write_study(tmp_path / "a.json", "NCT00000102")
    result = runner.invoke(args=["import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "1 loaded: 1 added, 0 replaced, 0 unchanged, 0 older than stored; 0 refused" in result.output
    assert client.get("/api/v2/studies/NCT00000102").status_code == 200


def test_reimport_changes_nothing_and_a_new_version_replaces(runner, client, tmp_path):
    path = write_study(tmp_path / "a.json", "NCT00000102")
    runner.invoke(args=["import", str(path)])
    assert "1 unchanged" in runner.invoke(args=["import", str(path)]).output
    write_study(path, "NCT00000102", overallStatus="TERMINATED")
    assert "1 replaced" in runner.invoke(args=["import", str(path)]).output
    status = client.get("/api/v2/studies/NCT00000102?fields=OverallStatus").json
    assert status["protocolSection"]["statusModule"]["overallStatus"] == "TERMINATED"


def test_refused_files_are_reported_and_exit_non_zero(runner, client, tmp_path):
    write_study(tmp_path / "good.json", "NCT00000102")
    write_study(tmp_path / "bad.json", "NCT00000103", overallStatus="FINISHED")
    report = tmp_path / "refused.jsonl"
    result = runner.invoke(args=["import", "--report", str(report), str(tmp_path)])
    assert result.exit_code == 1
    [line] = report.read_text().splitlines()
    assert json.loads(line)["problems"] == [{
        "pointer": "/protocolSection/statusModule/overallStatus", "rule": "enum",
        "message": "'FINISHED' is not an allowed value"}]
    assert (f"refused: {tmp_path / 'bad.json'}: /protocolSection/statusModule/overallStatus: "
            "'FINISHED' is not an allowed value (rule: enum)") in result.output
    assert client.get("/api/v2/studies/NCT00000102").status_code == 200
    assert client.get("/api/v2/studies/NCT00000103").status_code == 404


def test_the_report_goes_to_a_timestamped_file_by_default(runner, tmp_path):
    write_study(tmp_path / "bad.json", "NCT00000103", overallStatus="FINISHED")
    result = runner.invoke(args=["import", str(tmp_path / "bad.json")])
    # Beside the store file (tmp_path/trials.sqlite3), or in the instance folder (a
    # database's store, tmp_path here), never in the working directory.
    [report] = (tmp_path / "reports").glob("import-refused-*.jsonl")
    assert not list(tmp_path.glob("import-refused-*"))
    assert f"refused records and reasons: {report}" in result.output
    assert json.loads(report.read_text())["source"] == str(tmp_path / "bad.json")


def test_a_refused_replacement_keeps_the_stored_version(runner, client, tmp_path):
    path = write_study(tmp_path / "a.json", "NCT00000102")
    runner.invoke(args=["import", str(path)])
    before = client.get("/api/v2/studies/NCT00000102").data
    write_study(path, "NCT00000102", overallStatus="FINISHED")
    assert runner.invoke(args=["import", str(path)]).exit_code == 1
    assert client.get("/api/v2/studies/NCT00000102").data == before


def test_an_empty_store_is_seeded_from_records(make_app):
    app = make_app()
    assert app.extensions["store"].count() == 1
    assert app.test_client().get("/api/v2/studies/NCT04325594").status_code == 200


def test_seeding_can_be_turned_off(make_app):
    assert make_app(RECORDS_DIR="").extensions["store"].count() == 0


def test_a_refused_seed_file_is_logged_and_skipped(make_app, tmp_path, caplog):
    (tmp_path / "seed").mkdir()
    write_study(tmp_path / "seed" / "bad.json", "NCT00000103", overallStatus="FINISHED")
    app = make_app(RECORDS_DIR=str(tmp_path / "seed"))
    assert app.extensions["store"].count() == 0
    assert "seed record refused" in caplog.text


def study_text(nct_id: str) -> str:
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"]["nctId"] = nct_id
    return json.dumps(document)


def test_a_zip_of_study_files_loads_each_member(runner, client, tmp_path):
    with zipfile.ZipFile(tmp_path / "bulk.zip", "w") as archive:
        archive.writestr("NCT00000102.json", study_text("NCT00000102"))
        archive.writestr("NCT00000103.json", study_text("NCT00000103").replace("COMPLETED", "DONE"))
        archive.writestr("README.txt", "not a record")
    result = runner.invoke(args=["import", "--report", str(tmp_path / "r.jsonl"),
                                 str(tmp_path / "bulk.zip")])
    assert "1 loaded: 1 added" in result.output
    assert f"{tmp_path / 'bulk.zip'}:NCT00000103.json" in result.output
    assert client.get("/api/v2/studies/NCT00000102").status_code == 200


def test_newline_delimited_json_loads_each_line(runner, client, tmp_path):
    lines = [study_text(f"NCT0000010{n}") for n in range(2, 5)]
    (tmp_path / "studies.ndjson").write_text("\n".join(lines) + "\n\n")
    result = runner.invoke(args=["import", str(tmp_path / "studies.ndjson")])
    assert result.exit_code == 0 and "3 loaded: 3 added" in result.output


@pytest.mark.parametrize("text", [
    "\n".join(study_text(f"NCT0000010{n}") for n in (2, 3)),  # newline-delimited
    json.dumps(json.loads(study_text("NCT00000102")), indent=2),  # one pretty document
], ids=["ndjson", "document"])
def test_standard_input(runner, client, text):
    result = runner.invoke(args=["import", "-"], input=text)
    assert result.exit_code == 0, result.output
    assert client.get("/api/v2/studies/NCT00000102").status_code == 200


def test_worker_processes_give_the_same_result(runner, client, tmp_path):
    for n in range(2, 8):
        (tmp_path / f"{n}.json").write_text(study_text(f"NCT0000010{n}"))
    result = runner.invoke(args=["import", "--workers", "2", "--batch-size", "2", str(tmp_path)])
    assert result.exit_code == 0 and "6 loaded: 6 added" in result.output


def test_an_interrupted_import_keeps_the_batches_already_written(app, tmp_path, monkeypatch):
    for n in range(2, 8):
        (tmp_path / f"{n}.json").write_text(study_text(f"NCT0000010{n}"))
    store = app.extensions["store"]
    real_put, calls = store.put, []

    def put_then_fail(records):
        calls.append(records)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real_put(records)

    monkeypatch.setattr(store, "put", put_then_fail)
    with pytest.raises(KeyboardInterrupt):
        load_files(store, [tmp_path], batch_size=2)
    stored = [n for n in range(2, 8) if real_put.__self__.get(f"NCT0000010{n}")]
    assert stored == [2, 3]


@pytest.mark.sqlite_only  # the SQLite store's match sets
def test_an_import_keeps_the_commonest_words_sets_and_an_unchanged_one_writes_nothing(
        runner, store, tmp_path, monkeypatch):
    from api.store import sqlite_sets
    monkeypatch.setattr(sqlite_sets, "TRACK_AT", 1)
    for number in range(3):
        write_study(tmp_path / f"{number}.json", f"NCT0000010{number}")
    runner.invoke(args=["import", str(tmp_path)])
    connection = store._connection()
    words = "SELECT count(*) FROM text_sets"
    assert connection.execute(words).fetchone()[0] > 0  # `warm` ran after the import
    connection.execute("DELETE FROM text_sets")
    connection.execute("DELETE FROM match_sets WHERE key LIKE 'text:%'")
    assert "3 unchanged" in runner.invoke(args=["import", str(tmp_path)]).output
    assert connection.execute(words).fetchone()[0] == 0  # nothing written, nothing warmed
