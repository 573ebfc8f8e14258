"""The registry's own contract, enforced: its official OpenAPI document drives the server.

schemathesis reads `ctg-oas-v2.yaml` from ../shared at test time (base path `/api/v2`, from
the document's `servers`), generates requests for every operation in it, valid and invalid,
sends them to the app in-process (WSGI) and checks every answer against the document: no
server error; a documented status code, content type and headers; a body matching the
documented schema; a refusal (4xx) of what the document calls invalid. Every 4xx must also
be the registry's plain-text message.

The store holds the 22 real registry records, the seed and one study with an alias. In half
of the valid requests the NCT number and `fields=` list are swapped for stored and known
ones, and every format of every operation is requested once on purpose, so that success
answers are checked as well as refusals.

Where the document and the registry's documented behaviour (REFERENCE.md) disagree, the
server follows the behaviour: each such case is in DIFFERENCES with its reason, and exempts
only the check it fails, only where it applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
import schemathesis
from schemathesis import checks

from api import create_app
from api.loading import load_files
from tests.conformance.conftest import LOADED
from tests.conftest import REFERENCE, write_aliased_seed
from tests.fuzzing import (
    CHECKS,
    has_empty_value,
    IDENTITY,
    budget,
    configure,
    media_type,
    realistic,
)

pytestmark = pytest.mark.conformance

OFFICIAL = REFERENCE / "ctgov-api-v2" / "ctg-oas-v2.yaml"
# A study made at test time from the seed record, with an alias (no real record has one).
ALIASED, ALIAS = "NCT09900001", "NCT09900002"
KNOWN = [path.stem for path in LOADED] + [ALIASED, ALIAS]



@dataclass(frozen=True)
class Difference:
    """A documented behaviour of the registry that its OpenAPI document does not describe."""

    operation: str
    check: Callable
    applies: Callable[[object, object], bool]
    reason: str


DIFFERENCES = (
    Difference(
        "GET /studies",
        checks.content_type_conformance,
        lambda case, response: (
            (case.query or {}).get("format") == "csv" and media_type(response) == "text/csv"
        ),
        "`format=csv` answers text/csv (the parameter's own description, REFERENCE.md §1 and "
        "§3), but the document lists only application/json for the 200 of listStudies.",
    ),
    Difference(
        "GET /studies/{nctId}",
        checks.content_type_conformance,
        lambda case, response: (
            (case.query or {}).get("format") == "ris"
            and media_type(response) == "application/x-research-info-systems"
        ),
        "`format=ris` is in the document's enum and returns a RIS record (REFERENCE.md §4, "
        "§12), but no RIS media type is among the 200's content types; RIS files are "
        "`application/x-research-info-systems`.",
    ),
)


# An empty value is as if the parameter were not given (README, "Searching"): browsers and
# clients send blank fields so. The document's patterns and `minItems` call them invalid.
DIFFERENCES += tuple(
    Difference(operation, checks.negative_data_rejection, has_empty_value,
               "An empty parameter value is as if not given (issue 10, README); the "
               "registry's behaviour is not recorded, its document calls it invalid.")
    for operation in ("GET /studies", "GET /studies/{nctId}", "GET /stats/field/values",
                      "GET /stats/field/sizes", "GET /studies/metadata")
)


def validate(case, response) -> None:
    """Run every check on `response`, less those a listed difference exempts it from."""
    exempt = [
        difference.check
        for difference in DIFFERENCES
        if difference.operation == case.operation.label and difference.applies(case, response)
    ]
    case.validate_response(response, checks=[c for c in CHECKS if c not in exempt])


@pytest.fixture(scope="module")
def official_app(tmp_path_factory):
    """An app on the real records, the seed and a study with an alias."""
    folder = tmp_path_factory.mktemp("official-contract")
    aliased = write_aliased_seed(folder, ALIASED, ALIAS)
    app = create_app(
        {"DATABASE_URL": f"sqlite:///{folder}/trials.sqlite3", "TESTING": True, "RECORDS_DIR": ""}
    )
    report = load_files(app.extensions["store"], [*LOADED, aliased])
    assert not report.refused, report.refused
    return app


if not OFFICIAL.is_file():
    pytest.skip(f"registry reference material not found at {REFERENCE}", allow_module_level=True)
# Loaded at import: schemathesis parametrizes the fuzz test with the document's operations.
official = schemathesis.openapi.from_path(OFFICIAL)
configure(official)


@official.hook
def flatmap_case(context, case):
    return realistic(case, KNOWN)


@pytest.mark.fuzz
@official.parametrize()
@budget()
def test_every_operation_answers_as_the_official_document_says(case, official_app):
    response = case.call(app=official_app, headers=IDENTITY)
    validate(case, response)


def test_every_operation_of_the_document_is_fuzzed():
    operations = {operation.ok().label for operation in official.get_all_operations()}
    assert len(operations) == 9
    assert {difference.operation for difference in DIFFERENCES} <= operations


SEED_STUDY = {"nctId": "NCT04325594"}
BRIEF = ["NCTId", "BriefTitle", "OverallStatus", "HasResults"]
BOTH = "true"
ANSWERS = {  # id: (path, path parameters, query, status)
    "study-json": ("/studies/{nctId}", SEED_STUDY, {"format": "json"}, 200),
    "study-csv": ("/studies/{nctId}", SEED_STUDY, {"format": "csv"}, 200),
    "study-json.zip": ("/studies/{nctId}", SEED_STUDY, {"format": "json.zip"}, 200),
    "study-fhir.json": ("/studies/{nctId}", SEED_STUDY, {"format": "fhir.json"}, 200),
    "study-ris": ("/studies/{nctId}", SEED_STUDY, {"format": "ris"}, 200),
    "study-legacy-modules": (
        "/studies/{nctId}",
        SEED_STUDY,
        {"markupFormat": "legacy", "fields": ["ConditionsModule", "EligibilityModule"]},
        200,
    ),
    "study-alias": ("/studies/{nctId}", {"nctId": ALIAS}, {}, 301),
    "list-all-counted": ("/studies", {}, {"pageSize": 100, "countTotal": BOTH}, 200),
    "list-legacy": ("/studies", {}, {"markupFormat": "legacy", "pageSize": 100}, 200),
    "list-fields-sorted": (
        "/studies",
        {},
        {"fields": BRIEF, "sort": ["LastUpdatePostDate"], "pageSize": 5},
        200,
    ),
    "list-csv": ("/studies", {}, {"format": "csv", "countTotal": BOTH}, 200),
    "metadata": (
        "/studies/metadata",
        {},
        {"includeIndexedOnly": BOTH, "includeHistoricOnly": BOTH},
        200,
    ),
    "search-areas": ("/studies/search-areas", {}, {}, 200),
    "enums": ("/studies/enums", {}, {}, 200),
    "size-stats": ("/stats/size", {}, {}, 200),
    "field-values": ("/stats/field/values", {}, {}, 200),
    "field-sizes": ("/stats/field/sizes", {}, {}, 200),
    "version": ("/version", {}, {}, 200),
}


@pytest.mark.parametrize(
    ("path", "path_parameters", "query", "status"), list(ANSWERS.values()), ids=list(ANSWERS)
)
def test_every_format_of_every_operation_answers_as_documented(
    official_app, path, path_parameters, query, status
):
    case = official[path]["GET"].Case(path_parameters=path_parameters, query=query)
    response = case.call(app=official_app, headers=IDENTITY)
    assert response.status_code == status
    validate(case, response)


@pytest.mark.parametrize("nct_id", [path.stem for path in LOADED])
def test_every_stored_study_matches_the_official_study_schema(official_app, nct_id):
    case = official["/studies/{nctId}"]["GET"].Case(path_parameters={"nctId": nct_id})
    response = case.call(app=official_app, headers=IDENTITY)
    assert response.status_code == 200
    validate(case, response)
