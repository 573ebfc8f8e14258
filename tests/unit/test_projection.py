"""`fields=` read from the stored text (`project_text`): the same result as projecting the
fully parsed study, for real records and for text the fast parser refuses."""

import json

import pytest

from api.formats import project, project_text
from api.formats.projection import resolve_fields
from tests.conftest import REFERENCE, requires_shared

FIELD_LISTS = [["NCTId", "BriefTitle"], ["ConditionsModule"],
               ["LocationCity", "Phase", "EnrollmentCount"], ["protocolSection"],
               ["OutcomeMeasureTitle", "HasResults"], ["Condition", "protocolSection"]]


@pytest.mark.parametrize("names", FIELD_LISTS, ids=",".join)
def test_reading_only_the_requested_parts_gives_the_full_parse_projected(names):
    requires_shared()
    tree = resolve_fields(names)
    paths = sorted((REFERENCE / "ctgov-records").glob("NCT*.json"))
    assert paths
    for path in paths:
        text = path.read_bytes()
        assert project_text(text, tree) == project(json.loads(text), tree), path.name


def test_text_the_fast_parser_refuses_is_projected_by_the_standard_one():
    text = (b'{"protocolSection":{"identificationModule":{"nctId":"NCT00000102"}},'
            b'"derivedSection":{"n":123456789012345678901234567890}}')
    tree = resolve_fields(["NCTId", "derivedSection"])
    assert project_text(text, tree) == project(json.loads(text), tree)
    assert project_text(text, tree)["derivedSection"]["n"] == 123456789012345678901234567890


def test_key_order_is_the_documents():
    text = b'{"b":1,"protocolSection":{"statusModule":{"x":1},"identificationModule":{"nctId":"N"}}}'
    tree = resolve_fields(["NCTId", "StatusModule"])
    assert list(project_text(text, tree)["protocolSection"]) == ["statusModule",
                                                                 "identificationModule"]
