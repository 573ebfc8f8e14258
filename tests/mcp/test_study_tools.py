"""`get_study`, `get_study_history`, `field_values` and the `study://` resource on the
records, over each transport."""

import json
from collections import Counter

import pytest

from tests.mcp import expected
from tests.mcp.conftest import ALIAS, ALIASED, CHANGED, CHANGED_PATHS

LARGE = "NCT04267848"  # a thousand sites: its site list is too long to send whole
SITES = "protocolSection.contactsLocationsModule.locations"


def compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def take_out(study: dict, path: str) -> None:
    *parents, last = path.split(".")
    for key in parents:
        study = study[key]
    del study[last]


def test_a_study_is_its_record_less_the_large_parts_it_lists(mcp, records):
    for nct_id, record in records.items():
        answer = mcp.answer("get_study", {"nct_id": nct_id})
        rest = json.loads(json.dumps(record))
        for part in answer["omitted"]:
            value = expected.value_at(record, part["path"])
            assert part["chars"] == len(compact(value))
            assert part["items"] == (len(value) if isinstance(value, list) else None)
            assert part["fetch"]["part"] == part["path"]
            take_out(rest, part["path"])
        assert compact(answer["study"]) == compact(rest), nct_id  # key order too


def test_a_large_part_is_listed_not_sent(mcp, records):
    answer = mcp.answer("get_study", {"nct_id": LARGE})
    paths = [part["path"] for part in answer["omitted"]]
    assert SITES in paths
    assert len(compact(answer["study"])) < len(compact(records[LARGE])) / 4


def fetched(mcp, part: dict) -> list:
    """Every value of an omitted `part`, fetched page after page with its `fetch`."""
    arguments, items = dict(part["fetch"], limit=300), []
    while True:
        page = mcp.answer("get_study", arguments)
        assert page["part"] == part["path"] and page["total"] == (part["items"] or 1)
        items += page["items"]
        if page.get("nextOffset") is None:
            return items
        arguments["offset"] = page["nextOffset"]


def test_each_listed_part_comes_back_whole_page_by_page(mcp, records):
    for nct_id, record in records.items():
        for part in mcp.answer("get_study", {"nct_id": nct_id})["omitted"]:
            value = expected.value_at(record, part["path"])
            assert fetched(mcp, part) == (value if isinstance(value, list) else [value])


@pytest.mark.parametrize("tool", ["get_study", "get_study_history"])
def test_an_alias_answers_for_the_study_that_lists_it(mcp, tool):
    assert mcp.answer(tool, {"nct_id": ALIAS})["nctId"] == ALIASED


@pytest.mark.parametrize("fields", [["BriefTitle", "eligibilityModule"],
                                    ["protocolSection.conditionsModule.conditions"]],
                         ids=["piece-and-module", "path"])
def test_fields_keep_only_those_parts(mcp, records, fields):
    record = records["NCT04325594"]
    answer = mcp.answer("get_study", {"nct_id": "NCT04325594", "fields": fields})
    protocol = expected.protocol(record)
    wanted = ({"protocolSection": {"identificationModule": {
        "briefTitle": protocol["identificationModule"]["briefTitle"]},
        "eligibilityModule": protocol["eligibilityModule"]}}
        if len(fields) == 2 else
        {"protocolSection": {"conditionsModule": {
            "conditions": protocol["conditionsModule"]["conditions"]}}})
    assert answer["study"] == wanted and answer["omitted"] == []


def test_history_lists_each_version_as_the_records_say(mcp, records, first_records):
    for nct_id, record in records.items():
        answer = mcp.answer("get_study_history", {"nct_id": nct_id})
        texts = [first_records[nct_id], record] if nct_id == CHANGED else [record]
        assert [(version["date"], version["status"]) for version in answer["versions"]] == [
            (expected.protocol(text)["statusModule"]["lastUpdatePostDateStruct"]["date"],
             expected.protocol(text)["statusModule"]["overallStatus"]) for text in texts]


def test_history_says_which_pieces_changed(mcp):
    versions = mcp.answer("get_study_history", {"nct_id": CHANGED})["versions"]
    latest = versions[-1]["version"]
    answer = mcp.answer("get_study_history", {"nct_id": CHANGED, "version": latest})
    difference = answer["difference"]
    assert (difference["fromVersion"], difference["toVersion"]) == (versions[0]["version"],
                                                                    latest)
    assert {change["path"] for change in difference["changes"]} == set(CHANGED_PATHS)
    assert difference["patchOperations"] == len(CHANGED_PATHS)


@pytest.mark.parametrize("piece,path", [
    ("OverallStatus", ("protocolSection", "statusModule", "overallStatus")),
    ("Phase", ("protocolSection", "designModule", "phases"))])
def test_field_values_count_the_records_values(mcp, records, piece, path):
    counts, missing = Counter(), 0
    for record in records.values():
        value = record
        for key in path:
            value = value.get(key, {}) if isinstance(value, dict) else {}
        values = value if isinstance(value, list) else [value] if value != {} else []
        counts.update(set(values))
        missing += not values
    (stats,) = mcp.answer("field_values", {"fields": [piece]})["fields"]
    assert stats["piece"] == piece and stats["missingStudiesCount"] == missing
    assert {item["value"]: item["studiesCount"] for item in stats["topValues"]} == counts


def test_the_study_resource_is_the_stored_record(mcp, records):
    for nct_id in ("NCT04325594", LARGE, ALIAS):
        (content,) = mcp.read_resource(f"study://{nct_id}").contents
        assert content.mime_type == "application/json"
        stored = records[ALIASED if nct_id == ALIAS else nct_id]
        assert compact(json.loads(content.text)) == compact(stored)
