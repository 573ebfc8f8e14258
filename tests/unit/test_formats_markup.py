"""`api.formats.markup`: `markupFormat=legacy`, the classic PRS text form of markup fields."""

import json

import pytest

from api.formats import StudyText
from api.formats.markup import legacy_document, markup_paths, render_json, to_legacy
from tests.conftest import SEED, read_json


def key_order(value):
    """The document's keys, in order, at every level; values left out."""
    if isinstance(value, dict):
        return [(key, key_order(item)) for key, item in value.items()]
    if isinstance(value, list):
        return [key_order(item) for item in value]
    return None


@pytest.mark.parametrize(
    ("markdown", "legacy"),
    [
        ("one\ntwo", "one\r\ntwo"),
        ("one\r\ntwo\rthree", "one\r\ntwo\r\nthree"),
        ("LVEF \\>=15% and \\<= 35%", "LVEF >=15% and <= 35%"),
        ("\\[HBsAg\\] 1\\~3 mm\\^3 A\\&B \\*x\\*", "[HBsAg] 1~3 mm^3 A&B *x*"),
        ("* Men and women\n* Signed consent", "  - Men and women\r\n  - Signed consent"),
        ("* outer\n\n  * inner", "  - outer\r\n\r\n    - inner"),
        ("- dash item\n+ plus item", "  - dash item\r\n  - plus item"),
        ("1. first\n   2. nested", "1. first\r\n   2. nested"),
        ("line one\\\nline two", "line one\r\nline two"),
        ("a \\ b and C:\\path", "a \\ b and C:\\path"),
        ("**bold** *not a bullet", "**bold** *not a bullet"),
    ],
    ids=[
        "lf",
        "cr-and-crlf",
        "comparison-escapes",
        "bracket-tilde-caret-escapes",
        "bullets",
        "nested-bullets",
        "other-bullet-markers",
        "numbered-items-unchanged",
        "hard-break",
        "lone-backslashes-kept",
        "emphasis-unchanged",
    ],
)
def test_markdown_to_legacy(markdown, legacy):
    assert to_legacy(markdown) == legacy


def test_every_markup_field_of_the_catalogue_is_converted():
    paths = {".".join(keys) for keys in markup_paths()}
    assert "protocolSection.eligibilityModule.eligibilityCriteria" in paths
    assert "resultsSection.adverseEventsModule.seriousEvents.notes" in paths
    assert "protocolSection.identificationModule.briefTitle" not in paths  # plain text


def test_legacy_converts_markup_and_leaves_plain_text_and_key_order():
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"]["briefTitle"] = "A \\> B"
    original = key_order(document)
    converted = legacy_document(document)
    eligibility = converted["protocolSection"]["eligibilityModule"]
    assert eligibility["eligibilityCriteria"].startswith(
        "Inclusion Criteria:\r\n\r\n  - Men and women aged 18 years and older\r\n"
    )
    assert converted["protocolSection"]["identificationModule"]["briefTitle"] == "A \\> B"
    assert key_order(converted) == original


def test_markup_inside_lists_is_converted():
    document = read_json(SEED)
    arms = document["protocolSection"]["armsInterventionsModule"]["armGroups"]
    arms[0]["description"] = "* one\n* two"
    converted = legacy_document(document)
    arm = converted["protocolSection"]["armsInterventionsModule"]["armGroups"][0]
    assert arm["description"] == "  - one\r\n  - two"


def test_markdown_returns_the_stored_bytes_unchanged():
    stored = SEED.read_bytes()
    assert render_json(StudyText("NCT04325594", stored)) is stored


def test_legacy_json_is_the_document_with_converted_markup():
    text = render_json(StudyText("NCT04325594", SEED.read_bytes(), markup="legacy"))
    document = json.loads(text)
    assert document == legacy_document(read_json(SEED))
    assert key_order(json.loads(text, object_pairs_hook=dict)) == key_order(read_json(SEED))
