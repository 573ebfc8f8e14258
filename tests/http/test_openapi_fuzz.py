"""Our own contract, fuzzed: schemathesis drives the app from our OpenAPI document.

The document is the one `/api/oas/v2` serves (committed as `openapi/openapi.json`;
test_openapi.py holds the two equal), built once at import so that its operations can
parametrize the test. Requests are generated for every operation, valid and invalid ones,
and every answer must: not be a server error; have a documented status code, content type,
headers and body schema; refuse what the document says is invalid; and, for every 4xx, be
the registry's plain-text message. In half of the valid requests the NCT number, section,
module and `fields=` list are swapped for stored and known ones, so that success answers
are checked too.

A stateful run follows links from one answer to the next request: a listed study is fetched,
a next page requested with `nextPageToken`, a fetched study's section and module read. The
document declares no links yet, so this module adds them to its copy (LINKS).
"""

from __future__ import annotations

import copy
import re
import tempfile

import pytest
import schemathesis

from api import create_app
from api.loading import load_files
from schemas.catalogue import catalogue
from tests.conftest import SEED, write_aliased_seed
from tests.fuzzing import (
    checks_for,
    IDENTITY,
    budget,
    configure,
    realistic,
    run_scenarios,
)

pytestmark = pytest.mark.fuzz

ALIASED, ALIAS = "NCT09900001", "NCT09900002"
PATH_VARIABLE = re.compile(r"<(\w+)>")  # Werkzeug's `<nctId>`, OpenAPI's `{nctId}`
KNOWN = [SEED.stem, ALIASED, ALIAS]
PARTS = [
    (section.name, module.name)
    for section in catalogue().roots
    for module in section.children
    if not module.is_leaf
]



def _operation(path: str) -> str:
    """A JSON pointer to the GET operation of `path` (for a link's `operationRef`)."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get"


STUDY = "$response.body#/protocolSection/identificationModule/nctId"
LINKS = {
    "/api/v2/studies": {
        "ListedStudy": {
            "operationRef": _operation("/api/v2/studies/{nctId}"),
            "parameters": {
                "path.nctId": "$response.body#/studies/0/protocolSection/identificationModule/nctId"
            },
        },
        "NextPage": {
            "operationRef": _operation("/api/v2/studies"),
            "parameters": {"query.pageToken": "$response.body#/nextPageToken"},
        },
    },
    "/api/v2/studies/{nctId}": {
        "Section": {
            "operationRef": _operation("/api/v2/studies/{nctId}/{section}"),
            "parameters": {"path.nctId": STUDY, "path.section": "protocolSection"},
        },
        "Module": {
            "operationRef": _operation("/api/v2/studies/{nctId}/{section}/{module}"),
            "parameters": {
                "path.nctId": STUDY,
                "path.section": "protocolSection",
                "path.module": "eligibilityModule",
            },
        },
    },
}


def served_document() -> dict:
    """Our OpenAPI document as `/api/oas/v2` serves it, from an app on an empty store."""
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{folder}/openapi.sqlite3",
                "RECORDS_DIR": "",
                "TESTING": True,
            }
        )
        try:
            return app.test_client().get("/api/oas/v2").json
        finally:
            app.extensions["store"].close()


SERVED = served_document()


def load_document(links: bool = False):
    """Our document as schemathesis reads it; with LINKS added to the 200s when asked."""
    raw = copy.deepcopy(SERVED)
    if links:
        for path, path_links in LINKS.items():
            raw["paths"][path]["get"]["responses"]["200"]["links"] = path_links
    schema = schemathesis.openapi.from_dict(raw)
    configure(schema)

    @schema.hook
    def flatmap_case(context, case):
        return realistic(case, KNOWN, PARTS)

    return schema


@pytest.fixture(scope="module")
def our_app(tmp_path_factory):
    """An app on the seed record and a copy of it that lists an alias."""
    folder = tmp_path_factory.mktemp("our-contract")
    aliased = write_aliased_seed(folder, ALIASED, ALIAS)
    app = create_app({"DATABASE_URL": f"sqlite:///{folder}/trials.sqlite3", "TESTING": True})
    report = load_files(app.extensions["store"], [aliased])
    assert not report.refused, report.refused
    return app


ours = load_document()


@ours.parametrize()
@budget()
def test_every_operation_answers_as_our_document_says(case, our_app):
    response = case.call(app=our_app, headers=IDENTITY)
    case.validate_response(response, checks=checks_for(case))


def test_every_operation_is_fuzzed(our_app):
    operations = {operation.ok().label for operation in ours.get_all_operations()}
    routes = {method + " " + PATH_VARIABLE.sub(r"{\1}", rule.rule)
              for rule in our_app.url_map.iter_rules()
              if rule.rule.startswith(("/api/v2/", "/api/int/"))
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert operations == routes


def test_following_links_gives_documented_answers(our_app):
    linked = load_document(links=True)
    linked.app = our_app

    class Client(linked.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": IDENTITY}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=checks_for(case), transport_kwargs=kwargs)

    run_scenarios(Client)
