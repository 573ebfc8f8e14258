"""The directory the production server's workers share their metrics in (api/serving.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from api.serving import metrics_directory
from tests.conftest import PROJECT


def test_a_fresh_directory_is_made_named_and_removed_at_the_end():
    environ = {}
    with metrics_directory(environ) as path:
        assert environ["PROMETHEUS_MULTIPROC_DIR"] == path
        assert Path(path).is_dir() and not any(Path(path).iterdir())
        (Path(path) / "counter_123.db").write_bytes(b"")
    assert not Path(path).exists()
    assert "PROMETHEUS_MULTIPROC_DIR" not in environ


def test_the_operator_s_directory_is_made_or_emptied_of_an_earlier_run_s_files(tmp_path):
    named = tmp_path / "metrics"
    with metrics_directory({"PROMETHEUS_MULTIPROC_DIR": str(named)}):
        assert named.is_dir()
    (named / "histogram_77.db").write_bytes(b"old")
    (named / "README").write_text("not ours")
    with metrics_directory({"PROMETHEUS_MULTIPROC_DIR": str(named)}) as path:
        assert sorted(item.name for item in Path(path).iterdir()) == ["README"]
    assert named.is_dir()  # the operator's: kept


def test_the_master_has_not_chosen_the_metrics_storage_before_naming_the_directory(tmp_path):
    # The workers are forked from the master: had it imported prometheus_client, they would
    # keep the per-process storage it chose without the directory.
    check = ("import sys, api.serving; api.serving.startup.preflight(); "
             "print('prometheus_client' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", check], cwd=PROJECT, capture_output=True,
                          text=True, check=True, timeout=60,
                          env={"TRIALS_DATABASE_URL": f"sqlite:///{tmp_path}/trials.sqlite3",
                               "PATH": ""})
    assert done.stdout.strip() == "False"
