"""Re-importing what is stored: compact input equal to a stored document is recognised by
its tag, without parsing or the guard, and the rules for several versions still hold."""

import json

import pytest

from api.loading import load, records
from api.sources import Unit
from tests.conftest import seed_as
from tests.unit.test_loading_versions import stored_title, version

IDS = [f"NCT0000{number:04d}" for number in range(1, 6)]


def compact(text: str) -> str:
    return json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


def lines(texts) -> list[Unit]:
    return [Unit(f"studies.ndjson:{n}", text + "\n") for n, text in enumerate(texts, 1)]


def forbid_parsing(monkeypatch) -> None:
    """From now on, fail the test if any unit is parsed and checked."""
    def refuse(*args, **kwargs):
        raise AssertionError("a stored document was parsed again")
    monkeypatch.setattr(records, "records_from_text", refuse)


@pytest.mark.parametrize("workers", [1, 2])
def test_an_unchanged_compact_download_is_not_parsed_again(store, monkeypatch, workers):
    texts = [compact(seed_as(nct_id)) for nct_id in IDS]
    assert load(store, lines(texts)).count("added") == len(IDS)
    generation = store.generation()
    forbid_parsing(monkeypatch)
    report = load(store, lines(texts), workers=workers)
    assert (report.count("unchanged"), report.units, report.refused_count) == (
        len(IDS), len(IDS), 0)
    assert store.generation() == generation


def test_a_byte_order_mark_and_surrounding_whitespace_do_not_hide_a_stored_text(
        store, monkeypatch):
    text = compact(seed_as(IDS[0]))
    load(store, [Unit("a.json", text)])
    forbid_parsing(monkeypatch)
    report = load(store, [Unit("b.json", "\ufeff \n" + text + "\n\n")])
    assert report.count("unchanged") == 1


def test_pretty_printed_input_is_checked_in_full_and_found_unchanged(store):
    text = seed_as(IDS[0])
    load(store, [Unit("a.json", json.dumps(json.loads(text), indent=2))])
    report = load(store, [Unit("a.json", json.dumps(json.loads(text), indent=4))])
    assert report.count("unchanged") == 1


def test_a_stored_version_after_another_of_equal_date_still_wins(store):
    first, second = compact(version("Zebrafirst", "2024-06-30")), compact(
        version("Quokkasecond", "2024-06-30"))
    load(store, lines([first]))
    report = load(store, lines([second, first]), batch_size=1)
    assert stored_title(store) == "Zebrafirst"
    assert report.count("replaced") == 2


def test_a_stored_version_after_a_newer_one_is_older_than_stored(store):
    old, new = compact(version("Zebrafirst", "2020-01-01")), compact(
        version("Quokkasecond", "2024-06-30"))
    load(store, lines([old]))
    report = load(store, lines([new, old]))
    assert stored_title(store) == "Quokkasecond"
    assert (report.count("replaced"), report.count("outdated")) == (1, 1)
