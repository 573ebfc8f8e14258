"""Several versions of one study in one load: the latest `lastUpdatePostDate` wins, an equal
date follows input order; in one batch, across batches and across worker processes.

Before the fix, two versions in one batch failed with "database disk image is malformed":
the second version's index removal ran before the first one's (deferred) index insert.
"""

import itertools
import json
import sqlite3

import pytest

from api.loading import load
from api.search.filters import query_criteria
from api.sources import Unit
from api.store import Record
from api.store.base import SearchQuery
from api.store.sqlite import SQLiteStore
from tests.conftest import seed_as

NCT_ID = "NCT00000102"
OLD, NEW = "2020-01-01", "2024-06-30"


def version(title: str, updated: str, nct_id: str = NCT_ID) -> str:
    """The seed record as study `nct_id`, titled `title`, last updated on `updated`."""
    document = json.loads(seed_as(nct_id, briefTitle=title))
    document["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = updated
    return json.dumps(document)


def stored_title(store, nct_id: str = NCT_ID) -> str:
    document = json.loads(store.get(nct_id).json)
    return document["protocolSection"]["identificationModule"]["briefTitle"]


def assert_sound(store) -> None:
    """The database and both full-text indexes pass SQLite's own checks (PostgreSQL's index
    has no contentless table to go wrong: nothing to check)."""
    if not isinstance(store, SQLiteStore):
        return
    with sqlite3.connect(store.path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        for table in ("area_text", "piece_text"):
            connection.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")


def title_hits(store, word: str) -> int:
    """How many studies the full-text index finds `word` in (what search reads)."""
    if not isinstance(store, SQLiteStore):
        query = SearchQuery(criteria=query_criteria("query.term", word), count_total=True)
        return store.search(query).total
    with sqlite3.connect(store.path) as connection:
        return connection.execute("SELECT count(*) FROM area_text WHERE area_text MATCH ?",
                                  (word,)).fetchone()[0]


def units(*texts: str) -> list[Unit]:
    return [Unit(f"{n}.json", text) for n, text in enumerate(texts)]


@pytest.mark.parametrize("batch_size", [500, 1], ids=["one batch", "a batch each"])
@pytest.mark.parametrize("workers", [1, 2], ids=["in process", "two workers"])
def test_the_latest_version_wins_in_either_order(store, batch_size, workers):
    old, new = version("Zebrafirst", OLD), version("Quokkasecond", NEW)
    for order in ((old, new), (new, old)):
        report = load(store, units(*order), batch_size=batch_size, workers=workers)
        assert not report.refused and report.units == 2
        assert stored_title(store) == "Quokkasecond"
    assert title_hits(store, "quokkasecond") == 1 and title_hits(store, "zebrafirst") == 0
    assert store.count() == 1
    assert_sound(store)


def test_outcomes_are_judged_against_the_version_before(store):
    report = load(store, units(version("Zebrafirst", OLD), version("Quokkasecond", NEW),
                               version("Zebrafirst", OLD), version("Quokkasecond", NEW)))
    assert (report.count("added"), report.count("replaced"), report.count("outdated"),
            report.count("unchanged")) == (1, 1, 1, 1)


def test_an_equal_date_follows_input_order(store):
    first, second = version("Zebrafirst", NEW), version("Quokkasecond", NEW)
    load(store, units(first, second))
    assert stored_title(store) == "Quokkasecond"
    load(store, units(second, first))  # the later input wins, against the stored one too
    assert stored_title(store) == "Zebrafirst"
    assert_sound(store)


def test_many_versions_of_many_studies_in_any_order(store):
    """Three versions of each of four studies, every interleaving of dates, two workers,
    batches that split versions of one study."""
    dates = ["2021-01-01", "2022-01-01", "2023-01-01"]
    texts = [version(f"Title{n}v{d}", date, f"NCT0000020{n}")
             for n, (d, date) in itertools.product(range(4), enumerate(dates))]
    shuffled = texts[::3] + texts[1::3][::-1] + texts[2::3]
    report = load(store, units(*shuffled), batch_size=5, workers=2)
    assert report.units == 12 and not report.refused
    assert [stored_title(store, f"NCT0000020{n}") for n in range(4)] == [
        f"Title{n}v2" for n in range(4)]
    assert title_hits(store, "title0v2") == 1 and title_hits(store, "title0v0") == 0
    assert_sound(store)


def test_put_itself_settles_versions_in_one_call(store):
    """Any caller of `Store.put`, not only the loader, may pass several versions."""
    def record(title, updated):
        return Record(NCT_ID, json.dumps(json.loads(version(title, updated)),
                                         separators=(",", ":")))

    result = store.put([record("Zebrafirst", OLD), record("Quokkasecond", NEW),
                        record("Wombatthird", OLD)])
    assert (result.added, result.replaced, result.outdated) == ((NCT_ID,), (NCT_ID,), (NCT_ID,))
    assert stored_title(store) == "Quokkasecond"
    result = store.put([record("Wombatthird", NEW), record("Quokkasecond", NEW)])
    assert result.replaced == (NCT_ID, NCT_ID) and stored_title(store) == "Quokkasecond"
    assert title_hits(store, "wombatthird") == 0 and title_hits(store, "quokkasecond") == 1
    assert_sound(store)
