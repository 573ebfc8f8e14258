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


def _mutate(path, value):
    def apply(document):
        *parents, last = path
        target = document
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
        return document
    return apply


DELETE = object()
STATUS = ("protocolSection", "statusModule")
MUTATIONS = {
    "valid": lambda document: document,
    "integer as float": _mutate(("protocolSection", "designModule", "enrollmentInfo", "count"), 30.0),
    "integer as boolean": _mutate(("protocolSection", "designModule", "enrollmentInfo", "count"), True),
    "boolean as number": _mutate(("hasResults",), 0),
    "enum": _mutate((*STATUS, "overallStatus"), "DONE"),
    "unknown key": _mutate(("protocolSection", "x"), 1),
    "month 13": _mutate((*STATUS, "startDateStruct", "date"), "2020-13"),
    "trailing newline": _mutate((*STATUS, "startDateStruct", "date"), "2020-03-01\n"),
    "other digits": _mutate(("protocolSection", "identificationModule", "nctId"), "NCT0432559\uff14"),
    "missing nctId": _mutate(("protocolSection", "identificationModule", "nctId"), DELETE),
    "list for object": _mutate((*STATUS, "startDateStruct"), []),
    "null": _mutate((*STATUS, "overallStatus"), None),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_the_fast_and_the_explaining_validator_agree(seed, mutation):
    document = MUTATIONS[mutation](seed)
    assert guard.is_valid(document) == (not guard.problems(document))
    expected_valid = mutation in ("valid", "integer as float")
    assert guard.is_valid(document) is expected_valid


def test_a_record_listing_its_own_id_as_an_alias_is_refused(seed):
    seed["protocolSection"]["identificationModule"]["nctIdAliases"] = ["NCT00000001", "NCT04325594"]
    [problem] = refusal(seed).problems
    assert problem == guard.Problem("/protocolSection/identificationModule/nctIdAliases/1",
                                    "alias", "NCT04325594 is the study's own NCT id")


def test_alias_clashes_are_judged_against_what_is_held():
    studies = {"NCT00000001": (), "NCT00000002": ("NCT00000009",)}
    owners = {alias: study for study, aliases in studies.items() for alias in aliases}

    def clashes(nct_id, aliases):
        return [(p.pointer.rsplit("/", 1)[-1], p.message) for p in guard.alias_clashes(
            nct_id, aliases, owner_of=owners.get, is_study=studies.__contains__)]

    assert clashes("NCT00000003", ["NCT00000004"]) == []
    assert clashes("NCT00000002", ["NCT00000009"]) == []  # its own alias, again
    assert clashes("NCT00000009", []) == [
        ("nctId", "NCT00000009 is already an alias of study NCT00000002")]
    assert clashes("NCT00000003", ["NCT00000004", "NCT00000001"]) == [
        ("1", "NCT00000001 is already a study, it cannot be an alias")]
    assert clashes("NCT00000003", ["NCT00000009"]) == [
        ("0", "NCT00000009 is already an alias of study NCT00000002")]
