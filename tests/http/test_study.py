import hashlib
import json

import pytest

from api.loading import load_files
from tests.conftest import SEED, read_json

URL = "/api/v2/studies/NCT04325594"


def test_the_seed_trial_is_served_as_stored(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert json.loads(response.data, object_pairs_hook=list) == json.loads(
        SEED.read_text(encoding="utf-8"), object_pairs_hook=list)


@pytest.mark.parametrize("nct_id", ["nct04325594", "NcT4325594", "NCT0004325594"])
def test_nct_ids_match_regardless_of_case_and_zeros(client, nct_id):
    response = client.get(f"/api/v2/studies/{nct_id}")
    assert response.status_code == 200
    assert response.json["protocolSection"]["identificationModule"]["nctId"] == "NCT04325594"


@pytest.mark.parametrize("nct_id", ["ABC123", "NCT", "NCT0", "NCT123456789", "04325594", "NCT04325594x"])
def test_malformed_nct_id_is_400(client, nct_id):
    response = client.get(f"/api/v2/studies/{nct_id}")
    assert response.status_code == 400
    assert response.content_type == "text/plain; charset=UTF-8"
    assert response.text == "Parameter `nctId` has incorrect format"


def test_absent_study_is_404(client):
    response = client.get("/api/v2/studies/NCT99999999")
    assert (response.status_code, response.text) == (404, "NCT number NCT99999999 not found")
    assert response.content_type == "text/plain; charset=UTF-8"


def test_an_alias_redirects_to_the_canonical_study(app, client, tmp_path):
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"]["nctIdAliases"] = ["NCT00000001"]
    (tmp_path / "alias.json").write_text(json.dumps(document))
    load_files(app.extensions["store"], [tmp_path / "alias.json"])
    response = client.get("/api/v2/studies/nct00000001?fields=NCTId")
    assert response.status_code == 301
    assert response.headers["Location"] == "/api/v2/studies/NCT04325594?fields=NCTId"
    assert client.get(response.headers["Location"]).status_code == 200


@pytest.mark.parametrize(("query", "message"), [
    ("bogusParam=1", "`bogusParam` is unknown parameter"),
    ("filter.phase=PHASE1", "`filter.phase` is unknown parameter"),
    ("format=xml", "Invalid value in parameter `format`: `xml`"),
    ("markupFormat=html", "Invalid value in parameter `markupFormat`: `html`"),
    ("fields=StudyDesign", "Parameter 'fields' contains invalid field name: 'StudyDesign'"),
    ("fields=NCTId,@query", "Parameter 'fields' contains invalid field name: '@query'"),
])
def test_bad_parameters_are_400_with_the_registry_message(client, query, message):
    response = client.get(f"{URL}?{query}")
    assert (response.status_code, response.text) == (400, message)
    assert response.content_type == "text/plain; charset=UTF-8"


def test_the_registry_default_parameters_are_accepted(client):
    response = client.get(f"{URL}?format=json&markupFormat=markdown")
    assert response.status_code == 200
    assert response.data == client.get(URL).data


def test_any_origin_may_read(client):
    assert client.get(URL).headers["Access-Control-Allow-Origin"] == "*"


def test_the_etag_is_the_tag_of_the_body_and_follows_a_replacement(store, client, tmp_path):
    first = client.get(URL)
    assert first.headers["ETag"] == f'W/"{hashlib.sha256(first.data).hexdigest()[:32]}"'
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"]["briefTitle"] += " (corrected)"
    (tmp_path / "corrected.json").write_text(json.dumps(document))
    assert load_files(store, [tmp_path / "corrected.json"]).count("replaced") == 1
    second = client.get(URL, headers={"If-None-Match": first.headers["ETag"]})
    assert second.status_code == 200 and b"(corrected)" in second.data
    assert second.headers["ETag"] == f'W/"{hashlib.sha256(second.data).hexdigest()[:32]}"'
    assert client.get(URL, headers={"If-None-Match": second.headers["ETag"]}).status_code == 304
