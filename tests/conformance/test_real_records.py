"""Every real registry record loads through the guard and comes back unchanged."""

import json

import pytest

from api.loading import load_files
from schemas.guard import check
from tests.conftest import REAL_RECORDS, read_json, requires_shared

pytestmark = pytest.mark.conformance


def ordered(text: str):
    """JSON parsed with key order kept at every level, for order-sensitive equality."""
    return json.loads(text, object_pairs_hook=list)



def ids(paths):
    return [path.stem for path in paths]


@pytest.mark.parametrize("path", REAL_RECORDS, ids=ids(REAL_RECORDS))
def test_the_guard_accepts_the_record(path):
    check(read_json(path), path.name)


@pytest.mark.parametrize("path", REAL_RECORDS, ids=ids(REAL_RECORDS))
def test_the_record_comes_back_unchanged(loaded_client, path):
    response = loaded_client.get(f"/api/v2/studies/{path.stem}")
    assert response.status_code == 200
    assert ordered(response.text) == ordered(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", REAL_RECORDS, ids=ids(REAL_RECORDS))
def test_every_module_comes_back_unchanged(loaded_client, path):
    document = read_json(path)
    for section, value in document.items():
        if not isinstance(value, dict):
            continue
        response = loaded_client.get(f"/api/v2/studies/{path.stem}/{section}")
        assert ordered(response.text) == ordered(json.dumps(value))
        for module, part in value.items():
            response = loaded_client.get(f"/api/v2/studies/{path.stem}/{section}/{module}")
            assert ordered(response.text) == ordered(json.dumps(part)), (section, module)


def test_a_studies_page_file_loads_every_study_verbatim(make_app, tmp_path):
    requires_shared()
    texts = [path.read_text(encoding="utf-8") for path in REAL_RECORDS]
    page = tmp_path / "page.json"
    page.write_text('{"totalCount": 22, "studies": [' + ",".join(texts) + '], "nextPageToken": "t"}')
    app = make_app(RECORDS_DIR="")
    report = load_files(app.extensions["store"], [page])
    assert report.count("added") == 22
    client = app.test_client()
    for path, text in zip(REAL_RECORDS, texts):
        assert ordered(client.get(f"/api/v2/studies/{path.stem}").text) == ordered(text)


def test_historic_fields_are_accepted_not_dropped(loaded_client):
    historic = [path for path in REAL_RECORDS if "modelPredictions" in path.read_text()]
    assert historic, "expected older captures carrying derivedSection.miscInfoModule.modelPredictions"
    response = loaded_client.get(f"/api/v2/studies/{historic[0].stem}?fields=ModelPredictions")
    assert "bmiLimits" in response.json["derivedSection"]["miscInfoModule"]["modelPredictions"]
