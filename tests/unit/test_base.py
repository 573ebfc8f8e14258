import pytest

from schemas.base import camel_case


@pytest.mark.parametrize(("attribute", "wire"), [
    ("nct_id", "nctId"),
    ("n_ptrs_to_this_exp_acc_nct_id", "nPtrsToThisExpAccNctId"),
    ("fdaaa801_violation", "fdaaa801Violation"),
    ("class_", "class"),
    ("brief_title", "briefTitle"),
    ("lat", "lat"),
])
def test_camel_case_gives_the_registry_key(attribute, wire):
    assert camel_case(attribute) == wire
