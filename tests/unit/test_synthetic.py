"""bench/synthetic.py: the benchmark's studies are records the import accepts, sized as the
registry's."""

import json
import random
import statistics

import pytest

from api.loading.records import records_from_text
from bench import synthetic

needs_reference = pytest.mark.skipif(not synthetic.REFERENCE_RECORDS.is_dir(),
                                     reason="the registry records of ../shared are absent")


def size(text: str) -> int:
    return len(text.encode())


def test_target_sizes_follow_the_registry_classes():
    rng = random.Random(3)
    draws = [synthetic.registry_size(rng) for _ in range(20_000)]
    sizes = [target for target, _ in draws]
    assert 0.8 <= sum(10_000 <= s <= 40_000 for s in sizes) / len(sizes) <= 0.9
    assert 0.003 <= sum(s >= 150_000 for s in sizes) / len(sizes) <= 0.008
    assert 0.10 <= sum(results for _, results in draws) / len(draws) <= 0.15
    assert all(results for target, results in draws if target > 40_000)


def test_every_copy_passes_the_guard_with_its_own_id():
    texts = list(synthetic.studies(300, seed=5))
    ids = {record.nct_id for number, text in enumerate(texts)
           for record in records_from_text(text, f"study {number}")}
    assert ids == {f"NCT6{number:07d}" for number in range(300)}


@needs_reference
def test_copies_spread_as_the_registry_sizes():
    sizes = [size(text) for text in synthetic.studies(400, seed=5)]
    assert 10_000 <= statistics.median(sizes) <= 25_000
    assert sum(10_000 <= s <= 40_000 for s in sizes) / len(sizes) >= 0.7
    assert min(sizes) < 10_000 and max(sizes) > 40_000


@needs_reference
@pytest.mark.parametrize("target, results", [(15_000, False), (35_000, False),
                                             (60_000, True), (400_000, True)],
                         ids=["15kB", "35kB", "60kB-results", "400kB-results"])
def test_a_copy_reaches_its_target_size(target, results):
    sources = synthetic.sized_templates()
    text = synthetic.sized_study(sources, target, results, 42, random.Random(1))
    assert target * 0.9 <= size(text) <= target * 1.15
    assert ('"resultsSection"' in text) is results
    [record] = records_from_text(text, "sized")
    assert record.nct_id == "NCT60000042"


def test_templates_distribution_keeps_each_template_size():
    sources = synthetic.templates()
    for number, text in enumerate(synthetic.studies(len(sources), distribution="templates")):
        assert abs(size(text) - size(sources[number])) < 300


def test_an_unknown_distribution_is_refused():
    with pytest.raises(ValueError, match="distribution 'uniform'"):
        next(synthetic.studies(1, distribution="uniform"))


def test_copies_are_compact_json_as_the_bulk_download():
    # Re-imports recognise a stored document by its text: copies must be compact already.
    for text in synthetic.studies(50, seed=9):
        assert json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":")) == text
