import json

from tests.conftest import SEED, read_json


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
    assert "1 file(s) loaded: 1 added, 0 replaced, 0 unchanged; 0 file(s) refused" in result.output
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
    result = runner.invoke(args=["import", str(tmp_path)])
    assert result.exit_code == 1
    assert (f"refused: {tmp_path / 'bad.json'}: /protocolSection/statusModule/overallStatus: "
            "'FINISHED' is not an allowed value (rule: enum)") in result.output
    assert client.get("/api/v2/studies/NCT00000102").status_code == 200
    assert client.get("/api/v2/studies/NCT00000103").status_code == 404


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
