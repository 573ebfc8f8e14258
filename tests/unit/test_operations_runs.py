"""How a command's run is recorded in the store (api/services/operations.py): one outcome
for every way a run ends, read back by any process."""

from __future__ import annotations

import pytest

from api.loading import LoadReport
from api.loading.stopping import StopRequested
from api.services.operations import last_runs, recorded_run


def run_ending(store, error: BaseException | None, report: LoadReport | None = None):
    """Run `recorded_run` whose block loads `report` (if any) and then raises `error`; the
    run read back from the store."""
    try:
        with recorded_run(store, "import") as run:
            if report is not None:
                run.loaded(report)
            if error is not None:
                raise error
    except BaseException as raised:
        assert raised is error
    return last_runs(store)["import"]


@pytest.mark.parametrize("error, outcome", [
    (None, "ok"),
    (SystemExit(0), "ok"),
    (StopRequested(), "stopped"),
    (KeyboardInterrupt(), "stopped"),
    (SystemExit(3), "failed"),
    (RuntimeError("the upstream went away"), "failed"),
], ids=["returned", "exit-0", "stop-before-loading", "second-ctrl-c", "exit-3", "error"])
def test_a_run_without_a_load_ends_as_its_end_says(store, error, outcome):
    run = run_ending(store, error)
    assert (run.outcome, run.records) == (outcome, {})


def load(refused: int = 0, stopped: bool = False) -> LoadReport:
    report = LoadReport(refused_count=refused, stopped=stopped)
    report.counts["added"] = 2
    return report


@pytest.mark.parametrize("report, error, outcome", [
    (load(), None, "ok"),
    (load(refused=1), SystemExit(1), "refused"),
    (load(stopped=True), SystemExit(143), "stopped"),
    (load(), KeyboardInterrupt(), "stopped"),
    (load(), RuntimeError("optimize failed"), "failed"),
], ids=["ok", "refused", "stopped", "interrupted-after", "failed-after"])
def test_a_run_that_loaded_ends_as_its_load_says_unless_an_error_ends_it(store, report, error,
                                                                          outcome):
    run = run_ending(store, error, report)
    assert run.outcome == outcome
    assert run.records == {"added": 2, "replaced": 0, "unchanged": 0, "outdated": 0,
                           "refused": report.refused_count, "skipped": 0}


def test_the_run_s_times_are_recorded(store):
    run = run_ending(store, None)
    assert run.started <= run.finished
    assert 0 <= run.seconds <= run.finished - run.started + 0.001


def test_each_command_keeps_its_last_run_only(store):
    run_ending(store, None)
    run_ending(store, RuntimeError("second"))
    with recorded_run(store, "sync"):
        pass
    runs = last_runs(store)
    assert {command: run.outcome for command, run in runs.items()} == {
        "import": "failed", "sync": "ok"}


def test_recording_a_run_changes_no_data(store):
    generation, changed = store.generation(), store.data_timestamp()
    run_ending(store, None)
    assert (store.generation(), store.data_timestamp()) == (generation, changed)
