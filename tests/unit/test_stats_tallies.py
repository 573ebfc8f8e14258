"""Running per-field tallies (api/services/stats_tallies.py)."""

import pytest

from api.services import stats_tallies as tallies


def tally_of(tally, *studies):
    """Feed `tally` one value set per study (NCT ids in order) and return its summary."""
    for number, values in enumerate(studies, start=1):
        tally.add(set(values), f"NCT{number:08d}")
    return tally.summary()


def test_a_value_counts_once_per_study_however_often_it_appears():
    summary = tally_of(tallies.ValueTally(), {"Taraz"}, {"Taraz", "Almaty"})
    assert summary == {
        "uniqueValuesCount": 2,
        "topValues": [
            {"value": "Taraz", "studiesCount": 2},
            {"value": "Almaty", "studiesCount": 1},
        ],
    }


def test_values_with_equal_counts_come_in_value_order():
    summary = tally_of(tallies.ValueTally(), {"b"}, {"c"}, {"a"})
    assert [item["value"] for item in summary["topValues"]] == ["a", "b", "c"]


def test_top_values_stop_at_250_but_all_distinct_values_are_counted():
    summary = tally_of(tallies.ValueTally(), *({f"value {n:03d}"} for n in range(300)))
    assert summary["uniqueValuesCount"] == 300
    assert len(summary["topValues"]) == tallies.TOP_VALUES == 250


def test_past_the_exact_limit_counts_become_bounded_estimates():
    studies = [{"common", f"unique {n}"} for n in range(2000)]
    tally = tallies.ValueTally(exact_limit=10)
    summary = tally_of(tally, *studies)
    assert tally.counts is None  # handed over to the sketches
    assert abs(summary["uniqueValuesCount"] - 2001) < 2001 * 0.05
    top = summary["topValues"][0]
    assert top["value"] == "common" and 2000 <= top["studiesCount"] < 2100
    assert len(summary["topValues"]) < 250  # one-off values are not reported as frequent


def test_the_longest_string_is_the_first_study_s_on_a_tie():
    summary = tally_of(tallies.StringTally(), {"abc"}, {"xyz", "a"}, {"ab"})
    assert summary["longest"] == {"length": 3, "nctId": "NCT00000001", "value": "abc"}


def test_a_string_field_no_study_has_has_no_longest_value():
    assert tally_of(tallies.StringTally()) == {"uniqueValuesCount": 0, "topValues": []}


def test_dates_report_formats_in_a_fixed_order_and_their_range():
    summary = tally_of(tallies.DateTally(), {"2020-03-01"}, {"2019-11"}, {"2021"})
    assert summary == {
        "formats": ["yyyy", "yyyy-MM", "yyyy-MM-dd"],
        "min": "2019-11",
        "max": "2021",
    }


def test_a_date_field_no_study_has_reports_no_formats_and_no_range():
    assert tally_of(tallies.DateTally()) == {"formats": []}


def test_numbers_report_least_greatest_and_mean():
    summary = tally_of(tallies.NumberTally(), {30}, {10, 20}, {60})
    assert summary == {"min": 10, "max": 60, "avg": 30.0}


def test_a_number_field_no_study_has_reports_nothing_more():
    assert tally_of(tallies.NumberTally()) == {}


def test_a_study_with_both_booleans_counts_for_both():
    summary = tally_of(tallies.BooleanTally(), {True}, {True, False}, {False})
    assert summary == {"trueCount": 2, "falseCount": 2}


def test_list_sizes_most_common_first_then_by_size():
    summary = tally_of(tallies.SizeTally(), {3}, {1}, {3}, {1, 2}, {0})
    assert summary == {
        "uniqueSizesCount": 4,
        "minSize": 0,
        "maxSize": 3,
        "topSizes": [
            {"size": 1, "studiesCount": 2},
            {"size": 3, "studiesCount": 2},
            {"size": 0, "studiesCount": 1},
            {"size": 2, "studiesCount": 1},
        ],
    }


@pytest.mark.parametrize(
    "tally",
    [
        tallies.ValueTally,
        tallies.StringTally,
        tallies.DateTally,
        tallies.NumberTally,
        tallies.BooleanTally,
        tallies.SizeTally,
    ],
)
def test_every_tally_counts_the_studies_that_have_the_field(tally):
    instance = tally()
    values = {"SizeTally": {1}, "NumberTally": {1}, "BooleanTally": {True}}.get(
        tally.__name__, {"2020"}
    )
    tally_of(instance, values, values)
    assert instance.studies == 2
