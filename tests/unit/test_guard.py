import copy

import pytest

from schemas import guard
from tests.conftest import SEED, read_json


@pytest.fixture
def seed():
    return read_json(SEED)


def refusal(document):
    with pytest.raises(guard.RecordRefused) as caught:
        guard.check(document, "sample.json")
    return caught.value


def test_the_seed_record_passes(seed):
    guard.check(seed, "seed")


def test_unknown_key_is_refused_with_its_pointer(seed):
    seed["protocolSection"]["statusModule"]["overallStatu"] = "COMPLETED"
    problem = refusal(seed).problems[0]
    assert problem.pointer == "/protocolSection/statusModule/overallStatu"
    assert problem.rule == "additionalProperties"


def test_bad_enum_is_refused(seed):
    seed["protocolSection"]["designModule"]["phases"] = ["PHASE1_PHASE2"]
    error = refusal(seed)
    assert str(error) == ("sample.json: /protocolSection/designModule/phases/0: "
                          "'PHASE1_PHASE2' is not an allowed value (rule: enum)")


def test_malformed_date_is_refused(seed):
    seed["protocolSection"]["statusModule"]["startDateStruct"]["date"] = "03/01/2020"
    problem = refusal(seed).problems[0]
    assert (problem.pointer, problem.rule) == ("/protocolSection/statusModule/startDateStruct/date",
                                               "pattern")


def test_missing_nct_id_is_refused(seed):
    del seed["protocolSection"]["identificationModule"]["nctId"]
    problem = refusal(seed).problems[0]
    assert problem.pointer == "/protocolSection/identificationModule/nctId"
    assert problem.rule == "required"


def test_wrong_type_is_refused(seed):
    seed["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = "30"
    assert refusal(seed).problems[0].rule == "type"


def test_every_problem_is_reported(seed):
    broken = copy.deepcopy(seed)
    broken["hasResults"] = "no"
    broken["protocolSection"]["eligibilityModule"]["sex"] = "BOTH"
    error = refusal(broken)
    assert len(error.problems) == 2
    assert str(error).endswith("(and 1 more)")
