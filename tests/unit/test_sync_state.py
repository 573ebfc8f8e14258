"""Where a sync stands (`api.sync.state`): the run in progress, the high-water mark."""

from api.store.base import Checkpoint
from api.sync.state import RunState, key, plan, since_day

BASE = "http://127.0.0.1:9/api/v2"
NOW = "2026-03-02T04:05:06"


def test_the_first_run_takes_everything(store):
    state, resumed = plan(store, BASE, full=False, now=NOW)
    assert not resumed and state == RunState(started=NOW, full=False, since=None)


def test_a_later_run_asks_from_the_day_before_the_last_complete_one_started(store):
    store.put([], Checkpoint({key(BASE, "complete"): "2026-03-01T00:10:00"}))
    state, resumed = plan(store, BASE, full=False, now=NOW)
    assert not resumed and state.since == "2026-02-28"
    assert since_day("2024-03-01T23:59:59") == "2024-02-29"


def test_a_full_run_asks_for_everything_whatever_the_mark(store):
    store.put([], Checkpoint({key(BASE, "complete"): "2026-03-01T00:10:00"}))
    state, _ = plan(store, BASE, full=True, now=NOW)
    assert state.full and state.since is None


def test_the_run_in_progress_is_continued_from_its_committed_state(store):
    begun = RunState("2026-03-01T00:00:00", False, "2026-02-27").after_page("tok", 1000, 5000)
    store.put([], Checkpoint({key(BASE, "run"): begun.text()}))
    state, resumed = plan(store, BASE, full=False, now=NOW)
    assert resumed and state == begun
    assert (state.token, state.pages, state.listed, state.total) == ("tok", 1, 1000, 5000)


def test_an_update_continues_a_full_run_but_a_full_run_does_not_continue_an_update(store):
    full = RunState("2026-03-01T00:00:00", True, None, token="t", pages=3)
    store.put([], Checkpoint({key(BASE, "run"): full.text()}))
    assert plan(store, BASE, full=False, now=NOW) == (full, True)
    update = RunState("2026-03-01T00:00:00", False, "2026-02-27", token="t", pages=3)
    store.put([], Checkpoint({key(BASE, "run"): update.text()}))
    state, resumed = plan(store, BASE, full=True, now=NOW)
    assert not resumed and state.full and state.started == NOW


def test_each_upstream_has_its_own_progress(store):
    store.put([], Checkpoint({key(BASE, "complete"): "2026-03-01T00:10:00"}))
    assert plan(store, "https://clinicaltrials.gov/api/v2", False, NOW)[0].since is None


def test_the_last_page_leaves_only_the_reconcile_and_a_restart_keeps_the_query():
    state = RunState(NOW, True, None).after_page("a", 10, 30).after_page(None, 10, None)
    assert state.walked and (state.pages, state.listed, state.total) == (2, 20, 30)
    again = state.from_start()
    assert (again.token, again.pages, again.walked, again.started) == (None, 0, False, NOW)
    assert RunState.from_text(state.text()) == state
    assert RunState.from_text("{not json") is None and RunState.from_text(None) is None
