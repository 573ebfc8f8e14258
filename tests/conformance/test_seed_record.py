"""records/NCT04325594.json states only what the trial's registry page states."""

import re

import pytest

from schemas.guard import check
from tests.conftest import SEED, SHARED, read_json

pytestmark = pytest.mark.conformance

PAGE = SHARED / "trial-page" / "NCT04325594.txt"

# Values the registry derives from stated ones rather than copies (records/README.md).
DERIVED = {
    "protocolSection.eligibilityModule.stdAges": "minimum age 18 Years, no maximum",
}
# Booleans: the page states them in words.
STATED_IN_WORDS = {
    "protocolSection.eligibilityModule.healthyVolunteers": "Accepts Healthy Volunteers\n\nNo",
    "hasResults": "Results pending",
}


@pytest.fixture(scope="module")
def page() -> str:
    if not PAGE.is_file():
        pytest.skip(f"the trial page is not at {PAGE}")
    return PAGE.read_text(encoding="utf-8")


def leaves(value, path=""):
    """(dotted path, value) of every leaf; list items share their list's path."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for child in value:
            yield from leaves(child, path)
    else:
        yield path, value


def fragments(text: str):
    """The pieces of a registry-formatted text that must each appear on the page.

    Markdown bullets, section colons and the `Type: ` prefix of arm intervention names are
    the registry's formatting, not statements.
    """
    for line in text.split("\n"):
        line = re.sub(r"^(\* |Biological: )", "", line).removesuffix(":")
        if line:
            yield line


def test_the_seed_passes_the_guard():
    check(read_json(SEED), SEED.name)


def test_every_value_is_stated_on_the_trial_page(page):
    unstated = []
    for path, value in leaves(read_json(SEED)):
        if path in DERIVED:
            continue
        if isinstance(value, bool):
            found = STATED_IN_WORDS[path] in page
        elif isinstance(value, int) or re.fullmatch(r"[A-Z][A-Z0-9_]*", value):  # whole words
            found = re.search(rf"\b{value}\b", page) is not None
        else:
            found = all(fragment in page for fragment in fragments(value))
        if not found:
            unstated.append(f"{path}: {value!r}")
    assert not unstated, "\n".join(unstated)


def test_derived_values_follow_from_stated_ones(page):
    eligibility = read_json(SEED)["protocolSection"]["eligibilityModule"]
    assert "Minimum Eligible Age\n\n18 Years" in page and "Maximum" not in page
    assert eligibility["stdAges"] == ["ADULT", "OLDER_ADULT"]


def test_the_record_has_no_results_and_the_page_none(page):
    assert "resultsSection" not in read_json(SEED)
    assert "Results pending" in page
