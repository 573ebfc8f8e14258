"""The import's fast path: compact studies the guard accepts skip the careful reading, and
come to the same records; everything else is read the careful way, with the same verdicts.
Also the parts of the faster import that are not the path itself: the schema's nesting
bound, one piece_text row per study, every worker started from the importing thread."""

import contextlib
import json
import multiprocessing
import threading
import time

import pytest

from api.loading import Limits, jsontext, pool, records
from api.loading.pool import checked
from api.loading.records import records_from_text
from api.sources import Skipped, Unit
from api.store import sqlite_index
from schemas import guard
from schemas.guard import RecordRefused
from tests.conftest import SEED, read_json

SEED_TEXT = SEED.read_text(encoding="utf-8")
COMPACT = json.dumps(read_json(SEED), ensure_ascii=False, separators=(",", ":"))


def careful(text: str, limits: Limits = records.DEFAULT_LIMITS) -> list:
    """What the careful path alone makes of `text` (the fast one turned off)."""
    original = records._compact_study
    records._compact_study = lambda *args: None
    try:
        return records_from_text(text, "unit", limits)
    finally:
        records._compact_study = original


def test_a_compact_study_takes_the_fast_path_to_the_same_record():
    assert jsontext.compact_document(COMPACT + "\n") is not None
    [fast] = records_from_text(COMPACT + "\n", "unit")
    [slow] = careful(COMPACT + "\n")
    assert (fast.nct_id, fast.text, fast.aliases) == (slow.nct_id, slow.text, slow.aliases)
    assert fast.text == COMPACT
    assert fast.index == slow.index


@pytest.mark.parametrize("text", [
    SEED_TEXT,  # indented
    COMPACT.replace('{"protocolSection":', '{"hasResults":false,"protocolSection":', 1)
    .replace('"hasResults":false}', '"hasResults":false,"hasResults":false}'),  # duplicate key
    COMPACT.replace('"count":', '"count":1e1,"x":', 1),  # a literal orjson writes otherwise
    COMPACT.replace("Kazakhstan", "Kaz\\u0061khstan", 1),  # an escape it does not write
    '{"studies":[' + COMPACT + "]}",  # a page
], ids=["indented", "duplicate key", "number literal", "escape", "page"])
def test_other_text_is_not_taken_for_compact(text):
    assert jsontext.compact_document(text) is None or "studies" in text


def test_a_duplicate_key_is_still_refused():
    text = COMPACT.replace('"hasResults":false', '"hasResults":false,"hasResults":false', 1)
    assert text != COMPACT
    with pytest.raises(RecordRefused, match="duplicate key 'hasResults'"):
        records_from_text(text, "unit")


def test_a_refused_compact_study_gets_the_careful_verdict():
    text = COMPACT.replace('"overallStatus":"', '"overallStatus":"X', 1)
    assert jsontext.compact_document(text) is not None
    with pytest.raises(RecordRefused) as fast:
        records_from_text(text, "unit")
    with pytest.raises(RecordRefused) as slow:
        careful(text)
    assert fast.value.problems == slow.value.problems and fast.value.problems


def test_a_low_nesting_limit_still_refuses_a_valid_compact_study():
    depth = next(d for d in range(64) if not jsontext.deeper_than(COMPACT, d))
    limits = Limits(max_depth=depth - 1)
    assert limits.max_depth < guard.depth_bound()
    with pytest.raises(RecordRefused, match="nested deeper than the limit"):
        records_from_text(COMPACT, "unit", limits)


def test_the_schema_bounds_the_nesting_of_what_it_accepts():
    bound = guard.depth_bound()
    assert bound == 11  # the registry's deepest records (results sections)
    assert not jsontext.deeper_than(COMPACT, bound)


@pytest.mark.sqlite_only  # the SQLite index's full-text rows
def test_a_study_is_one_piece_text_row_whatever_its_pieces(store):
    document = read_json(SEED)
    document["protocolSection"].setdefault("descriptionModule", {})["detailedDescription"] = "zebra"
    [record] = records_from_text(json.dumps(document), "unit")
    pieces = [p for p in record.index.text
              if p in sqlite_index._other_text() and p != "DetailedDescription"]
    assert pieces
    store.put([record])
    connection = store._connection()
    # The rowid is the study's (was: study id * 4096 + piece id, a row per piece).
    assert connection.execute("SELECT rowid FROM piece_text WHERE piece_text MATCH "
                              "'{DetailedDescription} : zebra'").fetchall() == [(1,)]
    assert connection.execute("SELECT count(*) FROM piece_text WHERE piece_text MATCH "
                              f"'{{{pieces[0]}}} : zebra'").fetchone() == (0,)


@contextlib.contextmanager
def threads(running: bool):
    """Another thread alive in this process for the block, or not."""
    if not running:
        yield
        return
    done = threading.Event()
    thread = threading.Thread(target=done.wait)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


@pytest.mark.parametrize("threaded", [False, True], ids=["fork", "spawn"])
def test_workers_outlive_the_end_of_the_input(threaded):
    """Spawned workers are started by the reader thread and die with it (PR_SET_PDEATHSIG),
    which once ended with the input while workers still had chunks to check."""
    units = [Unit(f"unit:{n}", COMPACT.replace("NCT04325594", f"NCT0{n:07d}"))
             for n in range(1, 41)]
    with threads(running=threaded):
        assert pool._context().get_start_method() == ("spawn" if threaded else "fork")
        outcomes = checked(iter(units), workers=2, chunk_size=1)
        first = next(outcomes)
        time.sleep(1)  # the reader has read all 40 by now; the workers are still needed
        rest = list(outcomes)
    assert [outcome.records[0].nct_id for outcome in [first, *rest]] == [
        f"NCT0{n:07d}" for n in range(1, 41)]
    assert multiprocessing.active_children() == []


def test_nothing_to_check_starts_no_spawned_worker():
    skipped = [Skipped(f"file{n}.txt", "not a record file") for n in range(200)]
    seen = []
    with threads(running=True):
        for item in checked(iter(skipped), workers=2):
            seen.append(item)
            assert multiprocessing.active_children() == []
    assert seen == skipped
