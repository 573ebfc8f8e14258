"""Reading `/metrics` as Prometheus does: the official client library's own parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, tuple], float]


def samples(text: str) -> Samples:
    """Every sample of a scrape's text: (name, sorted (label, value) pairs) -> value."""
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(scraped: Samples, name: str, **labels) -> float | None:
    """The sample `name` with exactly `labels` (values compared as text); None if absent."""
    return scraped.get((name, tuple(sorted((key, str(v)) for key, v in labels.items()))))
