"""What the generated-input tests (schemathesis, hypothesis) share: budget, checks, values.

`make test` runs them with a small fixed budget and a fixed seed, so a run is repeatable and
quick; `make fuzz` raises the budget. Both come from the environment:

- `FUZZ_EXAMPLES`: examples per fuzzed operation or property (default 25);
- `FUZZ_SEED`: the seed every generator starts from (default below); change it to explore
  other inputs, and quote it when reporting a failure.
"""

from __future__ import annotations

import os
import re

from hypothesis import HealthCheck, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from api.formats.csv_cells import COLUMNS
from api.formats.ris import TAGS
from schemas.catalogue import catalogue

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("FUZZ_SEED", "20260"))
# schemathesis offers gzip as `requests` does, but its WSGI client does not decompress;
# compression is tested over a socket (tests/http/test_socket.py).
IDENTITY = {"Accept-Encoding": "identity"}


def budget(share: float = 1.0):
    """Decorator: the hypothesis settings and seed of a fuzz test.

    `share` scales the example count for a property whose examples cost more (each one
    imports a record), so a larger `FUZZ_EXAMPLES` raises every test alike.
    """
    examples = max(1, round(EXAMPLES * share))
    # No example database: every run, on a clean clone or not, draws the same examples from
    # the seed. No deadline: the first request of a run warms caches up.
    chosen = settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )

    def decorate(test):
        return seed(SEED)(chosen(test))

    return decorate


def configure(schema) -> None:
    """Generate valid and invalid requests from `schema` (a schemathesis schema), NUL
    characters included."""
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], allow_x00=True
    )


def run_scenarios(machine) -> None:
    """Run a schemathesis state machine (link-following scenarios) on the fuzzing budget."""
    scenarios = max(1, EXAMPLES // 2)  # each scenario is several requests long
    chosen = settings(
        max_examples=scenarios,
        stateful_step_count=6,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    seed(SEED)(machine).run(settings=chosen)


def media_type(response) -> str:
    """A schemathesis response's media type, without parameters."""
    return response.headers.get("content-type", [""])[0].split(";")[0].strip()


def errors_are_plain_text(ctx, response, case):
    """A schemathesis check: every client error is a bare `text/plain` message."""
    if 400 <= response.status_code < 500 and media_type(response) != "text/plain":
        raise AssertionError(f"{response.status_code} answered as {media_type(response)}")


# Not `positive_data_acceptance`: many schema-valid strings are refused on purpose (an Essie
# query that does not parse, an unknown field name, a forged page token: 400, as the registry).
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
    checks.negative_data_rejection,
    errors_are_plain_text,
]


def has_empty_value(case, response=None) -> bool:
    """A query parameter given empty (`fields=`), or a list with an empty item: as if not
    given (README, "Searching"), though a document's patterns call it invalid."""
    body = case.body if isinstance(case.body, dict) else {}
    for name, value in [*(case.query or {}).items(), *body.items()]:
        items = value if isinstance(value, list) else [value]
        if name.rpartition(".")[2] in LIST_PARAMETERS:  # commas and pipes separate items
            items = [part for item in items if isinstance(item, str)
                     for part in re.split(r"[,|]", item)]
        if any(isinstance(item, str) and not item.strip() for item in items):
            return True
    return False


# The list parameters (`filter.ids` and `postFilter.ids` alike, by the last part of the name).
LIST_PARAMETERS = {"fields", "sort", "overallStatus", "ids", "synonyms", "types"}


def checks_for(case) -> list:
    """CHECKS, less the rejection of invalid data for a case with an empty value, and for a
    form body: form encoding sends every value as text, so a value generated as the wrong
    JSON type (`countTotal: 0`) arrives as text the server reads as it would in a query
    string (`0`, false). The POST's validation is the GET's (tests/http/test_search_post.py)."""
    if has_empty_value(case) or isinstance(case.body, dict):
        return [check for check in CHECKS if check is not checks.negative_data_rejection]
    return CHECKS


def nct_id_variants(known: list[str]) -> st.SearchStrategy[str]:
    """Stored NCT numbers as clients write them: canonical, lower case, without zeros."""
    return st.sampled_from(known).flatmap(
        lambda nct_id: st.sampled_from([nct_id, nct_id.lower(), "NCT" + nct_id[3:].lstrip("0")])
    )


_PIECES = sorted({node.piece for node in catalogue().nodes})
_FIELD_NAMES = {"csv": list(COLUMNS), "ris": list(TAGS)}


@st.composite
def _realistic(draw, case, known: list[str], parts: list[tuple[str, str]]):
    path = dict(case.path_parameters or {})
    if "nctId" in path and draw(st.booleans()):
        path["nctId"] = draw(nct_id_variants(known))
    if "section" in path and parts and draw(st.booleans()):
        section, module = draw(st.sampled_from(parts))
        path["section"] = section
        if "module" in path:
            path["module"] = module
    if path != (case.path_parameters or {}):
        case.path_parameters = path
    query = case.query
    if isinstance(query, dict) and "fields" in query and draw(st.booleans()):
        names = _FIELD_NAMES.get(query.get("format"), _PIECES)
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True))
        case.query = {**query, "fields": chosen}
    return case


def realistic(case, known: list[str], parts: list[tuple[str, str]] = ()):
    """For a `flatmap_case` hook: half of the time, values the server holds or knows.

    Generated NCT numbers are nearly all absent (404), section and module names and
    `fields=` names nearly all unknown (404, 400), so without this the success answers
    would go unchecked. A valid case gets, each at a coin's toss, a stored study's NCT number,
    a real section and module, `fields=` names the format knows (piece names, CSV columns
    with `format=csv`, RIS tags with `format=ris`). An invalid case is left as it is: it must
    stay invalid.
    """
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return st.just(case)
    return _realistic(case, known, list(parts))
