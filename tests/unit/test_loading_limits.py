"""Poison input is refused alone: size and nesting limits per document, checked before the
document is parsed (or, for size, read); files that are not records are skipped by name."""

import io
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from api.loading import Limits, deeper_than, load, load_files
from api.sources import Skipped, Unit, Unreadable, units
from tests.conftest import REAL_RECORDS, SEED, requires_shared, seed_as

SEED_TEXT = SEED.read_text(encoding="utf-8")


study = seed_as


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize(("text", "limit", "deeper"), [
    ("[]", 1, False), ("[]", 0, True), ("[[]]", 1, True), ("[[]]", 2, False),
    ('{"a": [{"b": []}]}', 4, False), ('{"a": [{"b": []}]}', 3, True),
    ('["[[[[", "\\"[[[["]', 1, False),  # brackets in strings, escaped quotes
    ('["\\\\", [[]]]', 2, True),  # an escaped backslash ends no string
    ("[" * 100_000, 64, True),  # unbalanced: counted, not removed
    ("[]" * 1000, 1, False), (nested(100_000), 64, True), (nested(64), 64, False),
])
def test_the_nesting_scan_measures_depth_without_parsing(text, limit, deeper):
    assert deeper_than(text, limit) is deeper


def test_real_records_nest_eleven_deep_at_most():
    requires_shared()
    depths = [next(d for d in range(64) if not deeper_than(p.read_text(encoding="utf-8"), d))
              for p in REAL_RECORDS]
    assert max(depths) == 11


def test_a_deeply_nested_file_is_refused_and_the_good_ones_load(store, tmp_path):
    (tmp_path / "poison.json").write_text(nested(100_000))
    for n in range(2, 5):
        (tmp_path / f"NCT0000010{n}.json").write_text(study(f"NCT0000010{n}"))
    report = load_files(store, [tmp_path], workers=2)
    assert report.count("added") == 3 and store.count() == 3
    [(label, message)] = report.refused.items()
    assert label == str(tmp_path / "poison.json")
    assert "nested deeper than the limit of 64 levels (rule: depth)" in message


def test_the_depth_limit_is_configurable(store):
    report = load(store, [Unit("seed.json", SEED_TEXT)], limits=Limits(max_depth=5))
    assert report.problems["seed.json"][0].rule == "depth"
    report = load(store, [Unit("seed.json", SEED_TEXT)], limits=Limits(max_depth=6))
    assert report.count("added") == 1


@pytest.mark.parametrize("kind", ["file", "zip member", "line"])
def test_a_document_over_the_size_limit_is_refused_unread(store, tmp_path, kind):
    big = study("NCT00000103") + " " * 100  # longer than the other study
    limit = len(big) - 1
    if kind == "file":
        (tmp_path / "big.json").write_text(big)
    elif kind == "zip member":
        with zipfile.ZipFile(tmp_path / "bulk.zip", "w") as archive:
            archive.writestr("NCT00000103.json", big)
    else:
        (tmp_path / "lines.ndjson").write_text(big + "\n" + study("NCT00000104") + "\n")
    report = load_files(store, [tmp_path], limits=Limits(max_bytes=limit))
    [message] = report.refused.values()
    assert f"over the limit of {limit:,} bytes" in message
    assert store.get("NCT00000103") is None
    if kind == "line":  # the next line is read from its start
        assert store.get("NCT00000104") is not None


def test_a_long_line_is_never_held_whole(tmp_path):
    line = study("NCT00000104")
    (tmp_path / "lines.ndjson").write_bytes(b"x" * 20_000_000 + b"\n" + line.encode())
    tracemalloc.start()
    try:
        found = list(units([tmp_path / "lines.ndjson"], max_bytes=len(line) + 10))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert isinstance(found[0], Unreadable) and found[0].rule == "size"
    assert isinstance(found[1], Unit) and found[1].label.endswith(":2")
    assert peak < 5_000_000  # chunks of the 20 MB line, never all of it


@pytest.mark.parametrize(("first", "labels"), [
    (b"x" * 10_000, ["<stdin>:1", "<stdin>:2"]),  # an over-long line: read on after it
    (b"{", ["<stdin>"]),  # one document over lines, over the limit as a whole
])
def test_standard_input_is_bounded_too(monkeypatch, first, labels):
    line = study("NCT00000104").encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(first + b"\n" + line + b"\n")))
    found = list(units([Path("-")], max_bytes=len(line) + 1))
    assert [item.label for item in found] == labels
    assert isinstance(found[0], Unreadable) and found[0].rule == "size"
    assert all(isinstance(item, Unit) for item in found[1:])


def test_files_that_are_not_records_are_skipped_by_name(store, tmp_path):
    tmp_path = tmp_path / "records"  # beside the store file, not around it
    tmp_path.mkdir()
    (tmp_path / "README.md").write_text("# records")
    (tmp_path / "notes.txt").write_text("not a record")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.json").write_text("{}")
    with zipfile.ZipFile(tmp_path / "bulk.zip", "w") as archive:
        archive.writestr("NCT00000102.json", study("NCT00000102"))
        archive.writestr("LICENSE.txt", "public domain")
    seen = []
    report = load_files(store, [tmp_path], listener=seen.append)
    assert report.count("added") == 1 and not report.refused
    assert report.skipped_count == 3
    assert set(report.skipped) == {str(tmp_path / "README.md"), str(tmp_path / "notes.txt"),
                                   f"{tmp_path / 'bulk.zip'}:LICENSE.txt"}
    assert all(isinstance(event, Skipped) for event in seen) and len(seen) == 3
    assert "3 skipped (not records)" in report.summary()


def test_a_named_file_is_read_whatever_its_name(store, tmp_path):
    (tmp_path / "record.txt").write_text(study("NCT00000102"))
    assert load_files(store, [tmp_path / "record.txt"]).count("added") == 1


def test_a_report_keeps_the_first_refusals_and_counts_all(store):
    seen = []
    report = load(store, (Unit(f"line:{n}", "garbage") for n in range(1000)),
                  listener=seen.append)
    assert report.refused_count == 1000 == len(seen)
    assert len(report.refused) == len(report.problems) == 100
