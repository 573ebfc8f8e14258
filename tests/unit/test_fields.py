import marshmallow as ma
import pytest

from schemas import enums
from schemas.base import Schema
from schemas.fields import (Boolean, Enum, Integer, List, NctId, NormalizedDate, NormalizedTime,
                            PartialDate)


class Sample(Schema):
    partial = PartialDate("Partial")
    full = NormalizedDate("Full")
    age = NormalizedTime("Age")
    nct = NctId("Nct")
    status = Enum(enums.Status, "Status")
    phases = List(Enum(enums.Phase), "Phase")
    flag = Boolean("Flag")
    count = Integer("Count")


@pytest.mark.parametrize("value", ["2020", "2020-03", "2020-03-01"])
def test_partial_dates_take_the_registry_forms(value):
    assert Sample().load({"partial": value}) == {"partial": value}


@pytest.mark.parametrize(("key", "value"), [
    ("partial", "2020-13"), ("partial", "2020-03-32"), ("partial", "March 2020"),
    ("full", "2020-03"), ("age", "18 years"), ("age", "18"), ("nct", "NCT123"),
    ("nct", "nct04325594"), ("status", "Completed"), ("phases", ["PHASE1_PHASE2"]),
    ("flag", "Yes"), ("count", "30"), ("count", 1.5),
])
def test_values_outside_the_registry_formats_are_refused(key, value):
    with pytest.raises(ma.ValidationError):
        Sample().load({key: value})


def test_fields_carry_registry_names_and_types():
    fields = Sample().fields
    assert fields["partial"].metadata == {"piece": "Partial", "sourceType": "DATE"}
    assert fields["phases"].registry_type == "Phase[]"
    assert fields["status"].registry_type == "Status"
    assert fields["age"].metadata["sourceType"] == "TIME"


def test_unknown_keys_are_refused():
    with pytest.raises(ma.ValidationError, match="Unknown field"):
        Sample().load({"surprise": 1})
