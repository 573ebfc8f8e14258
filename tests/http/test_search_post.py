"""`POST /api/v2/studies`: the search of `GET /studies` with its parameters in a form body."""

import pytest

from api.search.filters import MAX_IDS
from tests.http.test_search import URL, study

FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def client(make_app):
    app = make_app(RECORDS_DIR="")
    app.extensions["store"].put([study(number) for number in range(57)])
    return app.test_client()


def ids(body) -> list[str]:
    return [s["protocolSection"]["identificationModule"]["nctId"] for s in body["studies"]]


@pytest.mark.parametrize("params", [
    {"query.term": "heart", "countTotal": "true", "pageSize": "7", "fields": "NCTId|BriefTitle"},
    {"filter.overallStatus": "COMPLETED", "sort": "LastUpdatePostDate", "format": "csv"},
    {"filter.advanced": "AREA[StartDate]RANGE[2019,MAX]", "markupFormat": "legacy"},
])
def test_a_post_answers_exactly_as_the_get(client, params):
    got = client.get(URL, query_string=params)
    posted = client.post(URL, data=params, content_type=FORM)
    assert posted.status_code == got.status_code == 200
    assert (posted.data, posted.content_type) == (got.data, got.content_type)


def test_thousands_of_ids_fit_in_a_post(client):
    wanted = [f"NCT{90000000 + number:08d}" for number in (3, 11, 42)]
    listed = [f"NCT{80000000 + number:08d}" for number in range(12_000)] + wanted
    body = client.post(URL, data={"filter.ids": ",".join(listed), "countTotal": "true",
                                  "fields": "NCTId"}, content_type=FORM).json
    assert body["totalCount"] == 3 and ids(body) == wanted


def test_more_ids_than_the_limit_are_refused_naming_it(client):
    listed = ",".join(f"NCT{number:08d}" for number in range(1, MAX_IDS + 2))
    response = client.post(URL, data={"filter.ids": listed}, content_type=FORM)
    assert (response.status_code, response.text) == (
        400, f"Parameter `filter.ids` lists more than {MAX_IDS} ids")


def test_page_tokens_work_with_either_method(client):
    params = {"filter.overallStatus": "RECRUITING", "pageSize": "4"}
    first = client.post(URL, data=params, content_type=FORM).json
    following = client.get(URL, query_string={**params, "pageToken": first["nextPageToken"]})
    assert following.status_code == 200
    again = client.get(URL, query_string=params).json
    back = client.post(URL, data={**params, "pageToken": again["nextPageToken"]},
                       content_type=FORM)
    assert ids(following.json) == ids(back.json) and set(ids(first)).isdisjoint(ids(back.json))


@pytest.mark.parametrize(("params", "message"), [
    ({"filter.phase": "PHASE3"}, "`filter.phase` is unknown parameter"),
    ({"query.cond": "(heart"}, "Error parsing query in parameter query.cond: missing ')'"),
    ({"pageToken": "garbage"}, "Parameter `pageToken` has incorrect format"),
])
def test_a_post_is_validated_as_the_get(client, params, message):
    response = client.post(URL, data=params, content_type=FORM)
    assert (response.status_code, response.text) == (400, message)
    assert response.content_type == "text/plain; charset=UTF-8"


def test_a_body_that_is_not_a_form_is_refused(client):
    response = client.post(URL, data='{"filter.ids": ["NCT90000003"]}',
                           content_type="application/json")
    assert response.status_code == 415
    assert response.content_type == "text/plain; charset=UTF-8"
    assert "form-encoded" in response.text


def test_an_empty_post_lists_every_study(client):
    assert client.post(URL).json == client.get(URL).json
