import pytest

URL = "/api/v2/studies/NCT04325594"


def get(client, fields):
    response = client.get(URL, query_string={"fields": fields})
    assert response.status_code == 200, response.text
    return response.json


def test_piece_names_keep_the_full_nesting(client):
    assert get(client, "NCTId,BriefTitle,OverallStatus,HasResults") == {
        "protocolSection": {
            "identificationModule": {
                "nctId": "NCT04325594",
                "briefTitle": "The Application of the Umbilical Cord Mesenchymal Stem Cells in "
                              "the Complex Treatment of Non-ischemic Heart Failure"},
            "statusModule": {"overallStatus": "COMPLETED"}},
        "hasResults": False}


def test_pipes_separate_like_commas(client):
    assert get(client, "NCTId|OverallStatus") == get(client, "NCTId,OverallStatus")


def test_output_keeps_document_order_not_request_order(client):
    result = get(client, "HasResults,OverallStatus,NCTId")
    assert list(result) == ["protocolSection", "hasResults"]
    assert list(result["protocolSection"]) == ["identificationModule", "statusModule"]


def test_branch_pieces_and_paths_take_the_whole_branch(client):
    conditions = get(client, "ConditionsModule")["protocolSection"]["conditionsModule"]
    assert conditions["conditions"][0] == "Chronic Heart Failure"
    assert get(client, "protocolSection.conditionsModule") == get(client, "ConditionsModule")


def test_leaves_inside_lists_are_kept_per_element(client):
    assert get(client, "LocationCity,LocationCountry") == {"protocolSection": {
        "contactsLocationsModule": {"locations": [{"city": "Taraz", "country": "Kazakhstan"}]}}}


def test_piece_names_are_matched_without_case(client):
    assert get(client, "nctid") == get(client, "NCTId")


@pytest.mark.parametrize("empty", ["", ",", "|,"])
def test_an_empty_fields_value_is_as_if_not_given(client, empty):
    whole = client.get(URL).data
    assert client.get(URL, query_string={"fields": empty}).data == whole


def test_absent_fields_give_empty_branches_omitted(client):
    assert get(client, "ResultsSection") == {}
    assert get(client, "NCTId,WhyStopped") == get(client, "NCTId")


@pytest.mark.parametrize("fields", ["StudyDesign", "NCTId,nope", "protocolSection.nope"])
def test_unknown_names_are_refused(client, fields):
    response = client.get(URL, query_string={"fields": fields})
    assert response.status_code == 400
    bad = fields.split(",")[-1]
    assert response.text == f"Parameter 'fields' contains invalid field name: '{bad}'"
