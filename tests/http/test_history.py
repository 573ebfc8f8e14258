"""The history endpoints: `/api/v2/studies/{nctId}/history[/{version}[/diff]]` and the
registry website's `/api/int/studies/{nctId}[?history=true]`, `/history/{version}`.

Every version is written through `store.put`, one write each, as successive imports or
syncs write them: the study is recruiting, then active, then completed.
"""

from __future__ import annotations

import json
import re
import urllib.request

import jsonpatch
import pytest

from api.store.base import content_tag
from tests.server import production_server
from tests.versions import put_versions, seed_version

STUDY, ALIAS = "NCT09900011", "NCT09900012"
TEXTS = [
    seed_version("RECRUITING", "2020-03-27", STUDY, nctIdAliases=[ALIAS]),
    seed_version("ACTIVE_NOT_RECRUITING", "2022-01-10", STUDY, nctIdAliases=[ALIAS]),
    seed_version("COMPLETED", "2023-05-09", STUDY, nctIdAliases=[ALIAS]),
]
CHANGES = [{"version": 0, "date": "2020-03-27", "status": "RECRUITING"},
           {"version": 1, "date": "2022-01-10", "status": "ACTIVE_NOT_RECRUITING"},
           {"version": 2, "date": "2023-05-09", "status": "COMPLETED"}]
HISTORY = f"/api/v2/studies/{STUDY}/history"
WEBSITE = f"/api/int/studies/{STUDY}"
STORED_AT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$")


@pytest.fixture
def versions(store):
    """The three versions of STUDY, stored one write each."""
    assert put_versions(store, TEXTS) == [0, 1, 2]
    return store


def text_plain(response, status: int, message: str) -> None:
    assert (response.status_code, response.text) == (status, message)
    assert response.mimetype == "text/plain"


def test_the_history_lists_every_version_with_its_facts(client, versions):
    answer = client.get(HISTORY)
    assert answer.status_code == 200
    assert answer.json["nctId"] == STUDY and "removedAt" not in answer.json
    listed = answer.json["versions"]
    assert [{key: version[key] for key in ("version", "date", "status")}
            for version in listed] == CHANGES
    assert [version["tag"] for version in listed] == [content_tag(text.encode())
                                                      for text in TEXTS]
    assert all(STORED_AT.match(version["storedAt"]) for version in listed)
    assert "protocolSection.statusModule" in listed[0]["modules"]
    assert "protocolSection.conditionsModule" in listed[0]["modules"]
    assert listed[1]["modules"] == listed[2]["modules"] == ["protocolSection.statusModule"]


def test_the_website_shape_carries_the_study_and_its_changes(client, versions):
    answer = client.get(f"{WEBSITE}?history=true")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    # What cthist reads (`index$history$changes`, renaming version, date and status) and
    # ctrdata (`.history.changes[] | .version, .date`).
    assert list(answer.json) == ["study", "history"]
    assert answer.json["history"] == {"changes": CHANGES}
    # The study is the stored text itself, not re-encoded.
    assert answer.data.startswith(b'{"study":' + TEXTS[2].encode() + b',"history":')


@pytest.mark.parametrize("query", ["", "?history=false"], ids=["plain", "history-false"])
def test_the_website_shape_without_history_is_the_study_alone(client, versions, query):
    answer = client.get(WEBSITE + query)
    assert answer.data == b'{"study":' + TEXTS[2].encode() + b"}"


@pytest.mark.parametrize("number", [0, 1, 2])
def test_a_website_version_is_the_stored_text_with_its_number(client, versions, number):
    answer = client.get(f"{WEBSITE}/history/{number}")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    # ctrdata reads `.studyVersion` and `.study`; cthist `version$study$protocolSection`.
    assert answer.data == b'{"studyVersion":%d,"study":%b}' % (number, TEXTS[number].encode())


@pytest.mark.parametrize("number", [0, 1, 2])
def test_a_version_is_served_byte_for_byte_with_its_tag(client, versions, number):
    answer = client.get(f"{HISTORY}/{number}")
    assert answer.data == TEXTS[number].encode()
    assert answer.headers["ETag"] == f'W/"{content_tag(TEXTS[number].encode())}"'


@pytest.mark.parametrize("path", [f"{HISTORY}/1", f"{WEBSITE}/history/1", HISTORY],
                         ids=["version", "website-version", "history"])
def test_a_repeated_get_with_the_tag_is_304(client, versions, path):
    tag = client.get(path).headers["ETag"]
    again = client.get(path, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(f"{WEBSITE}/history/2").headers["ETag"] != tag


def test_the_difference_from_the_previous_version(client, versions):
    answer = client.get(f"{HISTORY}/2/diff")
    assert answer.status_code == 200
    body = answer.json
    assert (body["nctId"], body["from"]["version"], body["to"]["version"]) == (STUDY, 1, 2)
    assert body["summary"] == ["OverallStatus: ACTIVE_NOT_RECRUITING -> COMPLETED",
                               "LastUpdatePostDate: 2022-01-10 -> 2023-05-09"]
    assert body["changes"][0] == {"piece": "OverallStatus",
                                  "path": "protocolSection.statusModule.overallStatus",
                                  "from": ["ACTIVE_NOT_RECRUITING"], "to": ["COMPLETED"]}
    assert jsonpatch.apply_patch(json.loads(TEXTS[1]), body["patch"]) == json.loads(TEXTS[2])


@pytest.mark.parametrize("number, base", [(2, 0), (0, 2), (1, 1)])
def test_the_difference_from_any_version(client, versions, number, base):
    body = client.get(f"{HISTORY}/{number}/diff?from={base}").json
    assert (body["from"]["version"], body["to"]["version"]) == (base, number)
    assert jsonpatch.apply_patch(json.loads(TEXTS[base]), body["patch"]) == json.loads(
        TEXTS[number])
    assert bool(body["summary"]) is (number != base)


@pytest.mark.parametrize("path", [
    HISTORY, f"{HISTORY}/0", f"{HISTORY}/0/diff?from=1", WEBSITE, f"{WEBSITE}/history/0",
], ids=["history", "version", "diff", "website", "website-version"])
def test_a_malformed_nct_number_is_400_everywhere(client, versions, path):
    text_plain(client.get(path.replace(STUDY, "ABC123")), 400,
               "Parameter `nctId` has incorrect format")


@pytest.mark.parametrize("path", [
    HISTORY, f"{HISTORY}/0", f"{HISTORY}/0/diff", WEBSITE + "?history=true",
    f"{WEBSITE}/history/0",
], ids=["history", "version", "diff", "website", "website-version"])
def test_a_study_never_stored_is_404_everywhere(client, versions, path):
    text_plain(client.get(path.replace(STUDY, "NCT09999999")), 404,
               "NCT number NCT09999999 not found")


@pytest.mark.parametrize("path", [f"{HISTORY}/3", f"{HISTORY}/0/diff?from=7",
                                  f"{HISTORY}/3/diff", f"{WEBSITE}/history/3"],
                         ids=["version", "diff-from", "diff", "website-version"])
def test_an_unknown_version_is_404(client, versions, path):
    number = re.search(r"/(3)(?:/|$)|from=(7)", path)
    text_plain(client.get(path), 404, f"Version {number[1] or number[2]} of {STUDY} not found")


def test_the_first_version_has_no_previous_to_differ_from(client, versions):
    text_plain(client.get(f"{HISTORY}/0/diff"), 404,
               f"Version 0 of {STUDY} has no earlier version")


@pytest.mark.parametrize("version", ["x", "-1", "1.5", "0x1", "99999999999", "٣"])
@pytest.mark.parametrize("prefix", [HISTORY, f"{WEBSITE}/history"], ids=["v2", "website"])
def test_a_malformed_version_number_is_400(client, versions, prefix, version):
    text_plain(client.get(f"{prefix}/{version}"), 400, "Parameter `version` has incorrect format")


@pytest.mark.parametrize("path, message", [
    (f"{HISTORY}/2/diff?from=x", "Invalid value in parameter `from`: `x`"),
    (f"{HISTORY}/2/diff?from=-1", "Invalid value in parameter `from`: `-1`"),
    (f"{HISTORY}/2/diff?from=%D9%A1", "Invalid value in parameter `from`: `١`"),
    (f"{HISTORY}/2/diff?from=99999999999", "Invalid value in parameter `from`: "
                                           "`99999999999`"),
    (f"{WEBSITE}?history=maybe", "Invalid value in parameter `history`: `maybe`"),
    (f"{HISTORY}?fields=NCTId", "`fields` is unknown parameter"),
    (f"{WEBSITE}/history/1?history=true", "`history` is unknown parameter"),
], ids=["from-word", "from-negative", "from-arabic", "from-huge", "history-word",
        "history-fields", "version-history"])
def test_a_bad_parameter_is_400(client, versions, path, message):
    text_plain(client.get(path), 400, message)


@pytest.mark.parametrize("path", [HISTORY, f"{HISTORY}/1", f"{HISTORY}/2/diff?from=0",
                                  f"{WEBSITE}?history=true", f"{WEBSITE}/history/1"],
                         ids=["history", "version", "diff", "website", "website-version"])
def test_an_alias_answers_301_to_the_canonical_study(client, versions, path):
    answer = client.get(path.replace(STUDY, ALIAS))
    assert answer.status_code == 301
    assert answer.headers["Location"] == path


def test_case_and_leading_zeros_do_not_matter(client, versions):
    assert client.get(HISTORY.replace(STUDY, "nct09900011")).json["nctId"] == STUDY
    assert client.get(HISTORY.replace(STUDY, "NCT9900011")).status_code == 200


def test_a_removed_study_keeps_its_history(client, versions):
    assert versions.remove([STUDY]) == (STUDY,)
    text_plain(client.get(f"/api/v2/studies/{STUDY}"), 404, f"NCT number {STUDY} not found")
    answer = client.get(HISTORY).json
    assert STORED_AT.match(answer["removedAt"])
    assert [version["version"] for version in answer["versions"]] == [0, 1, 2]
    website = client.get(f"{WEBSITE}?history=true")
    assert website.data.startswith(b'{"study":' + TEXTS[2].encode())
    assert website.json["history"]["changes"] == CHANGES
    assert client.get(f"{HISTORY}/0").data == TEXTS[0].encode()


def test_history_is_documented_in_the_openapi_document(client):
    paths = client.get("/api/oas/v2").json["paths"]
    assert {"/api/v2/studies/{nctId}/history", "/api/v2/studies/{nctId}/history/{version}",
            "/api/v2/studies/{nctId}/history/{version}/diff"} <= set(paths)
    listed = paths["/api/v2/studies/{nctId}/history"]["get"]["responses"]["200"]
    assert listed["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/StudyHistory"}


def test_the_history_over_a_real_socket(make_app, store_url):
    store = make_app().extensions["store"]
    put_versions(store, TEXTS)
    store.close()
    with production_server(store_url) as url:
        with urllib.request.urlopen(f"{url}{WEBSITE}?history=true", timeout=10) as answer:
            assert json.load(answer)["history"]["changes"] == CHANGES
        with urllib.request.urlopen(f"{url}{WEBSITE}/history/1", timeout=10) as answer:
            assert answer.read() == b'{"studyVersion":1,"study":%b}' % TEXTS[1].encode()
        with urllib.request.urlopen(f"{url}{HISTORY}/2/diff", timeout=10) as answer:
            assert json.load(answer)["summary"][0] == (
                "OverallStatus: ACTIVE_NOT_RECRUITING -> COMPLETED")
