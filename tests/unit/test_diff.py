"""How two versions differ: the JSON Patch (RFC 6902) and the per-piece summary."""

import json

import jsonpatch
import pytest

from api.services import diff
from tests.conftest import SEED, read_json
from tests.versions import seed_version

RECRUITING = json.loads(seed_version("RECRUITING", "2020-03-27"))
COMPLETED = json.loads(seed_version("COMPLETED", "2025-04-20"))


def with_conditions(*conditions: str) -> dict:
    document = read_json(SEED)
    document["protocolSection"]["conditionsModule"]["conditions"] = list(conditions)
    return document


@pytest.mark.parametrize("source, target", [
    (RECRUITING, COMPLETED),
    (COMPLETED, RECRUITING),
    (read_json(SEED), with_conditions("Heart Failure")),
    ({}, read_json(SEED)),
], ids=["status-moved-on", "backwards", "list-shrank", "from-nothing"])
def test_the_patch_turns_one_version_into_the_other(source, target):
    operations = diff.patch(source, target)
    assert jsonpatch.apply_patch(source, operations) == target
    assert all(operation["op"] in ("add", "remove", "replace", "move", "copy")
               for operation in operations)


def test_the_same_text_has_an_empty_patch_and_no_changes():
    assert diff.patch(COMPLETED, read_json(SEED)) == []
    assert diff.piece_changes(COMPLETED, read_json(SEED)) == []


def test_the_summary_names_each_changed_piece_in_registry_order():
    changes = diff.piece_changes(RECRUITING, COMPLETED)
    assert [change.summary for change in changes] == [
        "OverallStatus: RECRUITING -> COMPLETED",
        "LastUpdatePostDate: 2020-03-27 -> 2025-04-20",
    ]
    assert changes[0].path == "protocolSection.statusModule.overallStatus"
    assert (changes[0].before, changes[0].after) == (["RECRUITING"], ["COMPLETED"])


def test_a_list_piece_shows_all_its_values():
    [change] = diff.piece_changes(with_conditions("A", "B"), with_conditions("A", "C"))
    assert change.summary == "Condition: A | B -> A | C"


def test_a_piece_that_appears_or_goes_is_shown_as_none():
    stopped = json.loads(seed_version("TERMINATED", "2025-04-20"))
    stopped["protocolSection"]["statusModule"]["whyStopped"] = "Funding ended"
    summaries = [change.summary for change in diff.piece_changes(COMPLETED, stopped)]
    assert summaries == ["OverallStatus: COMPLETED -> TERMINATED",
                         "WhyStopped: (none) -> Funding ended"]
    backwards = [change.summary for change in diff.piece_changes(stopped, COMPLETED)]
    assert "WhyStopped: Funding ended -> (none)" in backwards


def test_a_long_value_is_cut_in_the_summary_but_kept_whole_in_the_change():
    long = "x" * 500
    [change] = diff.piece_changes(with_conditions("A"), with_conditions(long))
    after = change.summary.split(" -> ")[1]
    assert len(after) == diff.SUMMARY_CHARS and after.endswith("…")
    assert change.after == [long]


def test_values_at_flattens_lists_along_the_path():
    document = {"a": [{"b": [1, 2]}, {"b": 3}, {"c": 4}]}
    assert diff.values_at(document, ("a", "b")) == [1, 2, 3]
    assert diff.values_at(document, ("a", "x")) == []
    assert diff.values_at(document, ("z",)) == []
