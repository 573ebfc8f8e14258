"""GET /api/v2/studies: parameters, errors and paging, over synthetic copies of the seed."""

import base64
import copy
import json

import pytest

from api.formats.markup import legacy_document

from api.store import Record
from tests.conftest import SEED, read_json

URL = "/api/v2/studies"
SEED_DOCUMENT = read_json(SEED)


def study(number: int) -> Record:
    """A copy of the seed with its own NCT id, dates, enrollment and status."""
    document = copy.deepcopy(SEED_DOCUMENT)
    nct_id = f"NCT{90000000 + number:08d}"
    protocol = document["protocolSection"]
    protocol["identificationModule"]["nctId"] = nct_id
    protocol["statusModule"]["lastUpdatePostDateStruct"]["date"] = f"20{10 + number % 15}-01-0{1 + number % 9}"
    protocol["statusModule"]["overallStatus"] = ["COMPLETED", "RECRUITING", "TERMINATED"][number % 3]
    if number % 4:
        protocol["designModule"]["enrollmentInfo"]["count"] = number % 50
    else:
        del protocol["designModule"]["enrollmentInfo"]
    return Record(nct_id, json.dumps(document))


@pytest.fixture
def client(make_app):
    app = make_app(RECORDS_DIR="")
    app.extensions["store"].put([study(number) for number in range(57)])
    return app.test_client()


def page(client, **params):
    response = client.get(URL, query_string=params)
    assert response.status_code == 200, response.text
    return response.json


def page_ids(body) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in body["studies"]]


def all_pages(client, sizes, **params):
    """Every page, following tokens; `sizes` gives each page's pageSize in turn."""
    seen, token, sizes = [], None, iter(sizes)
    while True:
        body = page(client, pageSize=next(sizes), **params, **({"pageToken": token} if token else {}))
        seen.extend(page_ids(body))
        token = body.get("nextPageToken")
        if token is None:
            return seen


def test_envelope_keys_are_in_the_registry_order(client):
    body = page(client, countTotal="true", pageSize=5)
    assert list(body) == ["totalCount", "studies", "nextPageToken"]
    assert body["totalCount"] == 57 and len(body["studies"]) == 5


def test_studies_are_the_stored_documents(client):
    stored = {nct: s for nct, s in ((page_ids({"studies": [s]})[0], s)
                                     for s in page(client, pageSize=57)["studies"])}
    assert stored["NCT90000001"] == json.loads(study(1).text)


@pytest.mark.parametrize("sizes", [[10] * 10, [7, 1, 20, 3, 50], [1000]], ids=["fixed", "changing", "one"])
@pytest.mark.parametrize("sort", [None, "LastUpdatePostDate", "EnrollmentCount:desc,LastUpdatePostDate:asc"])
def test_paging_has_no_duplicates_and_no_gaps(client, sizes, sort):
    params = {"sort": sort} if sort else {}
    seen = all_pages(client, sizes + [1000], **params)
    assert len(seen) == len(set(seen)) == 57
    assert seen == page_ids(page(client, pageSize=1000, **params))


def test_the_last_page_has_no_token(client):
    body = page(client, pageSize=57)
    assert "nextPageToken" not in body


def test_count_total_only_on_the_first_page(client):
    first = page(client, pageSize=10, countTotal="true")
    second = page(client, pageSize=10, countTotal="true", pageToken=first["nextPageToken"])
    assert first["totalCount"] == 57 and "totalCount" not in second


@pytest.mark.parametrize(("requested", "served"), [(0, 10), (None, 10), (1001, 57), (3, 3)])
def test_page_size(client, requested, served):
    params = {} if requested is None else {"pageSize": requested}
    assert len(page(client, **params)["studies"]) == served


def test_page_size_over_1000_is_1000(make_app):
    app = make_app(RECORDS_DIR="")
    app.extensions["store"].put([study(number) for number in range(1003)])
    body = app.test_client().get(URL, query_string={"pageSize": 5000}).json
    assert len(body["studies"]) == 1000 and "nextPageToken" in body


def tampered(token: str) -> str:
    payload, signature = token.split(".")
    content = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    content["a"][-1] += 1
    forged = base64.urlsafe_b64encode(json.dumps(content).encode()).rstrip(b"=").decode()
    return f"{forged}.{signature}"


def test_tokens_are_bound_to_their_query_and_signed(client):
    token = page(client, pageSize=5, **{"filter.overallStatus": "COMPLETED"})["nextPageToken"]
    for bad, params in [
        (token, {"filter.overallStatus": "RECRUITING"}),  # another query
        (tampered(token), {"filter.overallStatus": "COMPLETED"}),
        ("garbage", {}), ("a.b.c", {}), ("a.!!", {}),
    ]:
        response = client.get(URL, query_string={"pageToken": bad, **params})
        assert (response.status_code, response.text) == (
            400, "Parameter `pageToken` has incorrect format"), bad


def test_a_token_binds_the_parsed_query_not_its_spelling(client):
    first = {"fields": "NCTId,BriefTitle", "query.term": "heart", "pageSize": 3}
    token = page(client, **first)["nextPageToken"]
    respelled = {"fields": "NCTId|BriefTitle", "query.term": "heart", "query.cond": "",
                 "pageSize": 3, "pageToken": token}
    assert client.get(URL, query_string=respelled).status_code == 200
    assert client.get(URL, query_string={**respelled, "fields": "NCTId"}).status_code == 400


def test_a_token_from_another_store_is_refused(client, make_app, tmp_path):
    token = page(client, pageSize=5)["nextPageToken"]
    other = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/other.sqlite3").test_client()
    assert other.get(URL, query_string={"pageToken": token}).status_code == 400


def test_pages_stay_consistent_when_a_study_is_added(client):
    first = page(client, pageSize=20)
    client.application.extensions["store"].put([study(200)])
    rest = all_pages(client, [1000], pageToken=first["nextPageToken"])
    seen = page_ids(first) + rest
    assert len(seen) == len(set(seen)) and set(page_ids(first)) | set(rest) >= {
        f"NCT{90000000 + n:08d}" for n in range(57)}


def test_fields_project_each_study(client):
    body = page(client, pageSize=2, fields="NCTId,OverallStatus")
    assert body["studies"][0] == {"protocolSection": {
        "identificationModule": {"nctId": "NCT90000000"},
        "statusModule": {"overallStatus": "COMPLETED"}}}


def test_fields_take_search_areas_and_query(client):
    by_area = page(client, pageSize=1, fields="TitleSearch")["studies"][0]
    assert list(by_area["protocolSection"]["identificationModule"]) == ["briefTitle"]
    by_query = page(client, pageSize=1, fields="@query", **{"query.titles": "heart"})
    assert by_query["studies"][0] == by_area
    response = client.get(f"{URL}/NCT90000001", query_string={"fields": "@query"})
    assert response.status_code == 400


@pytest.mark.parametrize(("params", "message"), [
    ({"filter.phase": "PHASE1"}, "`filter.phase` is unknown parameter"),
    ({"query.recrs": "x"}, "`query.recrs` is unknown parameter"),
    ({"filter.overallStatus": "NOT_A_STATUS"}, "Invalid value in parameter `overallStatus`: `NOT_A_STATUS`"),
    ({"postFilter.overallStatus": "DONE"}, "Invalid value in parameter `overallStatus`: `DONE`"),
    ({"filter.ids": "NCT04325594,ABC123"}, "Item 2 in parameter `filter.ids` has incorrect format"),
    ({"filter.geo": "near(1,2)"}, "Parameter `filter.geo` has incorrect format"),
    ({"filter.advanced": "AREA[X]y"}, "Error parsing query in advanced filter: Unknown area name: 'X'"),
    ({"filter.advanced": "AREA[Phase]["}, "Error parsing query in advanced filter: mismatched input '['"),
    ({"filter.advanced": "COVERAGE[FullMatc]heart"}, "Error parsing query in advanced filter: Invalid coverage: FullMatc"),
    ({"query.cond": "(heart"}, "Error parsing query in parameter query.cond: missing ')'"),
    ({"sort": "BriefTitle"}, "Unsupported sort field type: text"),
    ({"sort": "OverallStatus"}, "Unsupported sort field type: Status"),
    ({"sort": "Nope"}, "Parameter 'sort' contains invalid field name: 'Nope'"),
    ({"sort": "StartDate,EnrollmentCount,LastUpdatePostDate"}, "Parameter `sort` allows at most 2 fields"),
    ({"fields": "StudyDesign"}, "Parameter 'fields' contains invalid field name: 'StudyDesign'"),
    ({"pageSize": "-1"}, "Invalid value in parameter `pageSize`: `-1`"),
    ({"pageSize": "ten"}, "Invalid value in parameter `pageSize`: `ten`"),
    ({"countTotal": "maybe"}, "Invalid value in parameter `countTotal`: `maybe`"),
    ({"format": "xml"}, "Invalid value in parameter `format`: `xml`"),
    ({"aggFilters": "colour:red"}, "Invalid value in parameter `aggFilters`: `colour:red`"),
    ({"geoDecay": "func:cubic"}, "Invalid value in parameter `geoDecay`: `func:cubic`"),
])
def test_bad_parameters_are_400_in_the_registry_words(client, params, message):
    response = client.get(URL, query_string=params)
    assert (response.status_code, response.text) == (400, message)
    assert response.content_type == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("params", [
    {"geoDecay": "func:exp,scale:300mi,offset:0mi,decay:0.5", "filter.geo": "distance(43,77,50mi)"},
    {"filter.synonyms": "ConditionSearch:1651367"},
])
def test_accepted_parameters(client, params):
    assert client.get(URL, query_string=params).status_code == 200


@pytest.mark.parametrize("fields", [None, "EligibilityCriteria,NCTId"])
def test_legacy_markup_on_a_page_converts_each_study(client, fields):
    params = {"pageSize": 3, **({"fields": fields} if fields else {})}
    markdown = page(client, **params)["studies"]
    legacy = page(client, markupFormat="legacy", **params)["studies"]
    for plain, converted in zip(markdown, legacy, strict=True):
        assert converted == legacy_document(plain)
        criteria = converted["protocolSection"]["eligibilityModule"]["eligibilityCriteria"]
        assert "\r\n  - " in criteria and "\n* " not in criteria


def test_csv_pages_carry_the_token_in_a_header_and_the_header_row_once(client):
    first = client.get(URL, query_string={"format": "csv", "pageSize": 3, "countTotal": "true"})
    assert first.content_type.startswith("text/csv")
    assert first.headers["x-total-count"] == "57"
    lines = first.text.splitlines()
    assert lines[0].startswith("NCT Number,") and len(lines) == 4
    second = client.get(URL, query_string={"format": "csv", "pageSize": 3,
                                           "pageToken": first.headers["x-next-page-token"]})
    assert len(second.text.splitlines()) == 3 and not second.text.startswith("NCT Number")
    assert "x-total-count" not in second.headers


def test_a_replaced_study_is_found_by_its_new_text_only(client):
    replacement = study(5)
    document = json.loads(replacement.text)
    document["protocolSection"]["identificationModule"]["briefTitle"] = "Zebrafish cardiology"
    document["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2030-01-01"
    client.application.extensions["store"].put([Record(replacement.nct_id, json.dumps(document))])
    assert page_ids(page(client, **{"query.titles": "zebrafish"})) == ["NCT90000005"]
    assert "NCT90000005" not in page_ids(page(client, pageSize=100, **{"query.titles": "umbilical"}))
    assert page(client, **{"filter.advanced": "AREA[LastUpdatePostDate]2030"})["studies"]


def test_area_of_a_text_piece_outside_every_search_area(client):
    document = json.loads(study(7).text)
    document["protocolSection"]["statusModule"]["whyStopped"] = "Sponsor withdrew funding"
    document["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "2030-01-01"
    client.application.extensions["store"].put([Record("NCT90000007", json.dumps(document))])
    assert page_ids(page(client, **{"filter.advanced": "AREA[WhyStopped]funding"})) == ["NCT90000007"]
    assert page_ids(page(client, **{"filter.advanced": "AREA[WhyStopped]MISSING", "pageSize": 100})) == [
        f"NCT{90000000 + n:08d}" for n in range(57) if n != 7]
    assert page(client, **{"query.term": "funding"})["studies"] == []


@pytest.mark.sqlite_only  # the SQLite store's two plans
@pytest.mark.parametrize("dense", [True, False], ids=["probed", "listed"])
def test_value_filters_give_the_same_studies_whichever_form_runs(client, monkeypatch, dense):
    import api.store.sqlite_criteria as criteria_sql

    monkeypatch.setattr(criteria_sql, "DENSE", 1 if dense else 10**9)
    found = page_ids(page(client, pageSize=100, **{
        "filter.overallStatus": "RECRUITING",
        "filter.advanced": "AREA[EnrollmentCount]RANGE[10, 30]"}))
    expected = [f"NCT{90000000 + n:08d}" for n in range(57)
                if n % 3 == 1 and n % 4 and 10 <= n % 50 <= 30]
    assert found == expected


def test_a_csv_page_of_1000_streams_its_first_rows_before_the_last_is_built(make_app, monkeypatch):
    from api.formats import csv_format

    app = make_app(RECORDS_DIR="")
    app.extensions["store"].put([study(number) for number in range(1000)])
    built = []
    real_cells = csv_format.cell_values
    monkeypatch.setattr(csv_format, "cell_values",
                        lambda document, columns: built.append(1) or real_cells(document, columns))
    response = app.test_client().get(URL, query_string={"format": "csv", "pageSize": 1000},
                                     buffered=False)
    assert response.is_streamed
    chunks = iter(response.response)
    first = next(chunks)
    assert first.startswith(b"NCT Number,") and len(built) < 1000
    rest = b"".join(chunks)
    response.close()
    assert len(built) == 1000 and (first + rest).count(b"\r\n") == 1001


@pytest.mark.parametrize("params", [
    {"query.term": "heart"}, {"query.term": "heart failure OR nothingatall"},
    {"query.cond": "cardiomyopathy"}, {"filter.overallStatus": "RECRUITING"},
    {"filter.overallStatus": "RECRUITING,TERMINATED"},
    {"filter.ids": "NCT90000003,NCT90000004,NCT99999999"},
    {"filter.advanced": "AREA[LastUpdatePostDate]RANGE[2015-01-01,2019-12-31]"},
    {"filter.advanced": "AREA[EnrollmentCount]RANGE[10,MAX]"},
    {"filter.advanced": "AREA[EnrollmentCount]MISSING"},
    {"query.term": "heart", "filter.overallStatus": "COMPLETED"},
    {"query.term": "NOT heart"}, {},
])
def test_count_total_is_the_number_of_studies_listed(client, params):
    counted = page(client, countTotal="true", **params)["totalCount"]
    listed = page(client, pageSize=1000, **params)["studies"]
    assert counted == len(listed)


def test_statuses_of_one_filter_list_what_each_lists(client):
    both = page_ids(page(client, pageSize=1000, **{"filter.overallStatus": "RECRUITING|COMPLETED"}))
    each = [page_ids(page(client, pageSize=1000, **{"filter.overallStatus": status}))
            for status in ("RECRUITING", "COMPLETED")]
    assert sorted(both) == sorted(each[0] + each[1]) and each[0] and each[1]
    lower = page(client, pageSize=1000, **{"filter.advanced": "AREA[OverallStatus](recruiting "
                                                            "OR completed)"})
    assert sorted(page_ids(lower)) == sorted(both)
