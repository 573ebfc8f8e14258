"""A registry client, generated from the official OpenAPI document, works against the server.

openapi-python-client generates a typed client from `ctg-oas-v2.yaml` (read from ../shared)
into a temporary folder, as is, with no configuration. The production server (`make run`'s)
serves the real registry records, loaded with `flask --app api import`. The client's typed
models must parse every answer.

What the generator makes of the document, recorded here because the tests depend on it:
- a 200 with several media types is typed by its first one: `fetchStudy`'s is `text/csv`,
  so `fetch_study` returns the body as text; the tests parse it with the generated `Study`
  model, as a caller of that client must;
- `style: pipeDelimited, explode: false` is not honoured: a list parameter is sent repeated
  (`fields=NCTId&fields=BriefTitle`), which the server accepts like `fields=NCTId|BriefTitle`.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from tests.conformance.conftest import LOADED
from tests.conftest import REFERENCE, requires_shared
from tests.server import import_records, production_server, tool_environment

pytestmark = pytest.mark.conformance

OFFICIAL = REFERENCE / "ctgov-api-v2" / "ctg-oas-v2.yaml"
PACKAGE = "ctgov_registry_client"
FIELDS = ["NCTId", "BriefTitle", "OverallStatus", "HasResults"]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The generated client package, importable for the module's tests."""
    requires_shared()
    folder = tmp_path_factory.mktemp("generated-client")
    command = ["generate", "--path", str(OFFICIAL), "--output-path", str(folder / PACKAGE),
               "--meta", "none"]
    # The generator formats its output with ruff, which it looks for on PATH.
    done = subprocess.run([sys.executable, "-m", "openapi_python_client", *command],
                          capture_output=True, text=True, timeout=120, check=False,
                          env=tool_environment())
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout + done.stderr, done.stdout + done.stderr
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(folder))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def client(generated, tmp_path_factory):
    """A generated client talking to the production server on the real records."""
    store_url = f"sqlite:///{tmp_path_factory.mktemp('client-store')}/trials.sqlite3"
    import_records(store_url, LOADED)
    with (production_server(store_url) as url,
          generated.Client(base_url=f"{url}/api/v2", timeout=10,
                           raise_on_unexpected_status=True) as client):
        yield client


def api(module: str):
    return importlib.import_module(f"{PACKAGE}.api.{module}")


def models():
    return importlib.import_module(f"{PACKAGE}.models")


@pytest.mark.parametrize("nct_id", [path.stem for path in LOADED])
def test_every_study_parses_into_the_typed_model_unchanged(client, nct_id):
    response = api("studies.fetch_study").sync_detailed(nct_id, client=client)
    assert response.status_code == 200
    document = json.loads(response.content)
    study = models().Study.from_dict(document)
    assert study.protocol_section.identification_module.nct_id == nct_id
    assert study.to_dict() == document


def test_a_search_page_with_fields_and_a_count_parses(client):
    page = api("studies.list_studies").sync(
        client=client, fields=FIELDS, count_total=True, page_size=10
    )
    assert isinstance(page, models().PagedStudies)
    assert page.total_count == len(LOADED)
    first = page.studies[0].to_dict()
    assert set(first) <= {"protocolSection", "hasResults"}
    assert set(first["protocolSection"]) <= {"identificationModule", "statusModule"}
    # Every listed field came back, not only the first (the list parameter is repeated).
    assert page.studies[0].protocol_section.identification_module.brief_title
    assert page.studies[0].protocol_section.status_module.overall_status


def test_paging_with_the_next_page_token_reaches_every_study(client):
    listed, following = [], {}
    for _ in range(len(LOADED)):  # bounded: one page per study at most
        page = api("studies.list_studies").sync(
            client=client, fields=["NCTId"], page_size=7, **following
        )
        listed += [study.protocol_section.identification_module.nct_id for study in page.studies]
        if not isinstance(page.next_page_token, str):
            break
        following = {"page_token": page.next_page_token}
    assert sorted(listed) == sorted(path.stem for path in LOADED)


@pytest.mark.parametrize(
    ("module", "model"),
    [
        ("studies.studies_metadata", "FieldNode"),
        ("studies.enums", "EnumInfo"),
        ("studies.search_areas", "SearchDocument"),
    ],
)
def test_the_data_model_lists_parse(client, module, model):
    items = api(module).sync(client=client)
    assert items and all(isinstance(item, getattr(models(), model)) for item in items)


def test_the_version_parses(client):
    version = api("version.version").sync(client=client)
    assert isinstance(version, models().Version)
    assert version.api_version == "2.0.5"


def test_an_absent_study_is_the_documented_plain_text_404(client):
    response = api("studies.fetch_study").sync_detailed("NCT99999999", client=client)
    assert (response.status_code, response.parsed) == (404, "NCT number NCT99999999 not found")
