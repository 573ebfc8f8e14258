import pytest

from schemas import enums


def test_values_are_the_api_names_in_order():
    assert enums.Phase.values() == ["NA", "EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4"]


def test_legacy_labels():
    assert enums.Status.legacy("ACTIVE_NOT_RECRUITING") == "Active, not recruiting"
    assert enums.Phase.legacy("NA") == "Not Applicable"


def test_date_type_label_depends_on_the_piece():
    assert enums.DateType.legacy("ESTIMATED", "StartDateType") == "Estimate"
    assert enums.DateType.legacy("ESTIMATED", "LastUpdatePostDateType") == "Anticipated"


def test_unknown_value_is_an_error():
    with pytest.raises(ValueError):
        enums.Sex.legacy("BOTH")
