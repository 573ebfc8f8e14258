"""The field tree, enums and search areas derived from the schemas (api/services/metadata.py)."""

import pytest

from api.services import metadata
from schemas.enums import DateType, Status


def nodes(tree):
    """Every node of a FieldNode tree, depth first."""
    for node in tree:
        yield node
        yield from nodes(node.get("children", []))


def by_piece(tree) -> dict:
    return {node["piece"]: node for node in nodes(tree)}


def test_the_roots_are_the_study_document_s_top_level_keys():
    assert [root["name"] for root in metadata.field_tree()] == [
        "protocolSection",
        "resultsSection",
        "annotationSection",
        "documentSection",
        "derivedSection",
        "hasResults",
    ]


def test_historic_fields_appear_only_when_asked_for():
    assert "ModelPredictions" not in by_piece(metadata.field_tree())
    historic = by_piece(metadata.field_tree(include_historic=True))
    assert historic["ModelPredictions"]["historic_only"] is True
    assert historic["MinBmi"]["historic_only"] is True


def test_current_fields_carry_no_historic_flag():
    assert not any("historic_only" in node for node in nodes(metadata.field_tree()))


@pytest.mark.parametrize(
    ("piece", "facts"),
    [
        ("NCTId", {"source_type": "TEXT", "type": "text", "max_chars": 11}),
        ("OverallStatus", {"source_type": "TEXT", "type": "Status", "is_enum": True}),
        ("Phase", {"type": "Phase[]", "is_enum": True}),
        ("Condition", {"type": "text[]", "synonyms": True}),
        ("Location", {"source_type": "STRUCT", "type": "Location[]", "nested": True}),
        ("StartDate", {"source_type": "DATE", "type": "PartialDate"}),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_node_states_the_facts_its_field_declares(piece, facts):
    node = by_piece(metadata.field_tree())[piece]
    assert {key: node.get(key) for key in facts} == facts


def test_no_fact_is_ever_null():
    assert not [node["piece"] for node in nodes(metadata.field_tree()) if None in node.values()]


def test_absent_facts_are_left_out():
    assert list(by_piece(metadata.field_tree())["EnrollmentCount"]) == [
        "name",
        "piece",
        "source_type",
        "type",
    ]


def test_enums_list_the_pieces_that_use_them_in_catalogue_order():
    infos = {info["type"]: info for info in metadata.enum_infos()}
    assert infos["Status"]["pieces"] == ["OverallStatus", "LastKnownStatus"]
    assert infos["AgencyClass"]["pieces"] == ["OrgClass", "LeadSponsorClass", "CollaboratorClass"]
    assert infos["Phase"]["pieces"] == ["Phase"]


def test_enum_values_carry_their_legacy_labels():
    status = next(info for info in metadata.enum_infos() if info["type"] == "Status")
    assert [item["value"] for item in status["values"]] == Status.values()
    assert status["values"][0] == {
        "value": "ACTIVE_NOT_RECRUITING",
        "legacy_value": "Active, not recruiting",
    }


def test_only_date_type_has_per_piece_legacy_labels():
    with_exceptions = {
        info["type"]
        for info in metadata.enum_infos()
        for item in info["values"]
        if "exceptions" in item
    }
    assert with_exceptions == {"DateType"}
    date_type = next(info for info in metadata.enum_infos() if info["type"] == "DateType")
    estimated = next(item for item in date_type["values"] if item["value"] == "ESTIMATED")
    assert estimated["legacy_value"] == DateType.ESTIMATED.value
    assert estimated["exceptions"]["StartDateType"] == "Estimate"


def test_the_stats_enum_is_not_a_study_enum():
    assert "FieldStatsType" not in {info["type"] for info in metadata.enum_infos()}


def test_search_parts_take_type_and_enum_flag_from_their_first_piece():
    areas = {area["name"]: area for area in metadata.search_documents()[0]["areas"]}
    parts = {part["pieces"][0]: part for part in areas["BasicSearch"]["parts"]}
    assert parts["Phase"] == {
        "pieces": ["Phase"],
        "type": "Phase",
        "is_enum": True,
        "is_synonyms": False,
        "weight": 0.65,
    }
    assert parts["Condition"]["type"] == "text"  # the list marker is dropped


def test_areas_without_a_form_label_or_parameter_leave_them_out():
    areas = {area["name"]: area for area in metadata.search_documents()[0]["areas"]}
    assert list(areas["InterventionNameSearch"]) == ["name", "parts"]
    assert list(areas["ConditionSearch"]) == ["name", "ui_label", "param", "parts"]
