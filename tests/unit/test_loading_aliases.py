"""One id is never both a study and another study's alias, nor the alias of two studies.

The loader refuses the unit that would make the clash and loads the rest; the store's
`put` refuses (raises, stores nothing) if a caller hands it such a record directly.
"""

import json

import pytest

from api.loading import load
from api.sources import Unit
from api.store import Record
from schemas.guard import RecordRefused
from tests.conftest import seed_as
from tests.stores import reopen


study = seed_as


def loaded(store, *texts: str, **options):
    return load(store, [Unit(f"{n}.json", text) for n, text in enumerate(texts)], **options)


def snapshot(store) -> list:
    return list(store.iter_documents()), [store.canonical_id(f"NCT0000000{n}") for n in range(10)]


@pytest.mark.parametrize("batch_size", [500, 1], ids=["same batch", "later batch"])
@pytest.mark.parametrize(("texts", "refused"), [
    # a study whose id another study already lists as an alias
    ([study("NCT00000001", "NCT00000002"), study("NCT00000002")], "1.json"),
    # a study listing another study's id as its alias
    ([study("NCT00000001"), study("NCT00000002", "NCT00000001")], "1.json"),
    # two studies listing one alias
    ([study("NCT00000001", "NCT00000009"), study("NCT00000002", "NCT00000009")], "1.json"),
], ids=["id is an alias", "alias is a study", "alias of two"])
def test_the_record_making_a_clash_is_refused_and_the_rest_load(store, texts, refused,
                                                                batch_size):
    report = loaded(store, *texts, study("NCT00000005"), batch_size=batch_size)
    assert list(report.refused) == [refused]
    assert report.problems[refused][0].rule == "alias"
    assert report.count("added") == 2 and store.count() == 2
    assert store.get("NCT00000005") is not None


def test_a_clash_with_what_is_stored_leaves_it_untouched(store):
    loaded(store, study("NCT00000001", "NCT00000009"))
    before = snapshot(store)
    report = loaded(store, study("NCT00000009"), study("NCT00000002", "NCT00000009"),
                    study("NCT00000003", "NCT00000001"))
    assert report.refused_count == 3 and snapshot(store) == before
    assert store.canonical_id("NCT00000009") == "NCT00000001"


def test_a_page_clashing_with_itself_is_refused_whole(store):
    page = json.dumps({"studies": [json.loads(study("NCT00000001", "NCT00000002")),
                                   json.loads(study("NCT00000002"))]})
    report = loaded(store, page)
    assert report.refused_count == 1 and store.count() == 0


def test_a_new_version_may_keep_or_change_its_own_aliases(store):
    loaded(store, study("NCT00000001", "NCT00000009"))
    document = json.loads(study("NCT00000001", "NCT00000009", "NCT00000008"))
    document["protocolSection"]["statusModule"]["overallStatus"] = "TERMINATED"
    report = loaded(store, json.dumps(document))
    assert report.count("replaced") == 1 and not report.refused
    assert store.canonical_id("NCT00000008") == "NCT00000001"


@pytest.mark.parametrize("records", [
    [Record("NCT00000002", study("NCT00000002"))],
    [Record("NCT00000003", study("NCT00000003", "NCT00000001"), ("NCT00000001",))],
    [Record("NCT00000003", study("NCT00000003", "NCT00000009"), ("NCT00000009",))],
    [Record("NCT00000004", study("NCT00000004")),  # fine alone: all or nothing
     Record("NCT00000003", study("NCT00000003", "NCT00000004"), ("NCT00000004",))],
], ids=["id is an alias", "alias is a study", "alias of two", "within one call"])
def test_put_refuses_rather_than_corrupt(store, records):
    store.put([Record("NCT00000001", study("NCT00000001", "NCT00000002", "NCT00000009"),
                      ("NCT00000002", "NCT00000009"))])
    before = snapshot(store)
    with pytest.raises(RecordRefused) as caught:
        store.put(records)
    assert caught.value.problems[0].rule == "alias"
    assert snapshot(store) == before and store.count() == 1


def test_a_clash_made_meanwhile_by_another_writer_refuses_that_unit_alone(store):
    """Between the loader's check of a unit and the batch's write, another process stores
    a study listing the unit's id as an alias: `put` refuses, the loader writes unit by
    unit and refuses only that one."""
    other = reopen(store)

    def meanwhile(_done: int) -> None:
        if other.count() == 0:
            other.put([Record("NCT00000002", study("NCT00000002", "NCT00000001"),
                              ("NCT00000001",))])

    try:
        report = loaded(store, study("NCT00000001"), study("NCT00000005"), progress=meanwhile)
    finally:
        other.close()
    assert list(report.refused) == ["0.json"]
    assert "NCT00000001 is already an alias of study NCT00000002" in report.refused["0.json"]
    assert report.count("added") == 1 and store.get("NCT00000005") is not None
    assert store.get("NCT00000001") is None
