"""`api.formats.csv_format`: the registry's CSV columns, cells, quoting and streaming."""

import csv
import io

import pytest

from api.exceptions import InvalidRequest
from api.formats import FieldsError, StudyText
from api.formats.csv_format import csv_chunks, render, resolve_columns, select
from tests.conftest import SEED, read_json

# The registry's default columns in its fixed order (REFERENCE.md §11), written out here so
# the test does not read them from the code under test.
REGISTRY_COLUMNS = [
    "NCT Number",
    "Study Title",
    "Study URL",
    "Acronym",
    "Study Status",
    "Brief Summary",
    "Study Results",
    "Conditions",
    "Interventions",
    "Primary Outcome Measures",
    "Secondary Outcome Measures",
    "Other Outcome Measures",
    "Sponsor",
    "Collaborators",
    "Sex",
    "Age",
    "Phases",
    "Enrollment",
    "Funder Type",
    "Study Type",
    "Study Design",
    "Other IDs",
    "Start Date",
    "Primary Completion Date",
    "Completion Date",
    "First Posted",
    "Results First Posted",
    "Last Update Posted",
    "Locations",
    "Study Documents",
]

# The seed trial's row, derived by hand from records/NCT04325594.json.
SEED_ROW = {
    "NCT Number": "NCT04325594",
    "Study Title": "The Application of the Umbilical Cord Mesenchymal Stem Cells in the Complex "
    "Treatment of Non-ischemic Heart Failure",
    "Study URL": "https://clinicaltrials.gov/study/NCT04325594",
    "Acronym": "",
    "Study Status": "COMPLETED",
    "Study Results": "NO",
    "Conditions": "Chronic Heart Failure|Non-ischemic Cardiomyopathy|"
    "Non-ischemic Dilated Cardiomyopathy",
    "Interventions": "BIOLOGICAL: Intracoronary administration of umbilical cord-derived MSCs",
    "Primary Outcome Measures": "",
    "Secondary Outcome Measures": "",
    "Other Outcome Measures": "",
    "Sponsor": "The Research-Clinical Center for Cardiac Surgery and Transplantology LLP",
    "Collaborators": 'State-Financed Health Facility "Samara Regional Medical Center Dinasty"',
    "Sex": "ALL",
    "Age": "ADULT, OLDER_ADULT",
    "Phases": "PHASE1|PHASE2",
    "Enrollment": "30",
    "Funder Type": "OTHER",
    "Study Type": "INTERVENTIONAL",
    "Study Design": "Allocation: NA | Intervention Model: SINGLE_GROUP | Masking: NONE | "
    "Primary Purpose: TREATMENT",
    "Other IDs": "RCCCT 02-02-2020",
    "Start Date": "2020-03-01",
    "Primary Completion Date": "",
    "Completion Date": "2023-04-01",
    "First Posted": "",
    "Results First Posted": "",
    "Last Update Posted": "2025-04-20",
    "Locations": "The Research-Clinical Center for Cardiac Surgery and Transplantology LLP, "
    "Taraz, Zhambyl Oblysy, Kazakhstan",
    "Study Documents": "",
}


def seed_csv(fields=None) -> str:
    return render(StudyText("NCT04325594", SEED.read_bytes(), select(fields)))


def parse(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_without_fields_all_30_columns_come_in_the_registry_order():
    assert list(resolve_columns(None)) == REGISTRY_COLUMNS
    assert seed_csv().split("\r\n", 1)[0] == ",".join(REGISTRY_COLUMNS)


@pytest.mark.parametrize("column", list(SEED_ROW))
def test_the_seed_trial_cell(column):
    (row,) = parse(seed_csv())
    assert row[column] == SEED_ROW[column]


def test_the_brief_summary_cell_is_the_stored_markdown():
    (row,) = parse(seed_csv())
    summary = read_json(SEED)["protocolSection"]["descriptionModule"]["briefSummary"]
    assert row["Brief Summary"] == summary


def test_inner_quotes_are_doubled_inside_a_quoted_cell():
    assert ',"State-Financed Health Facility ""Samara Regional Medical Center Dinasty""",' in (
        seed_csv()
    )


def test_rows_end_with_crlf_and_a_cell_keeps_its_own_line_breaks():
    document = read_json(SEED)
    document["protocolSection"]["descriptionModule"]["briefSummary"] = "one\n\ntwo, three"
    text = "".join(csv_chunks([document], ["NCT Number", "Brief Summary"]))
    assert text == 'NCT Number,Brief Summary\r\nNCT04325594,"one\n\ntwo, three"\r\n'


def test_requested_columns_keep_the_server_order():
    fields = ["Phases", "NCT Number", "study url"]
    assert resolve_columns(fields) == ("NCT Number", "Study URL", "Phases")
    assert seed_csv(fields) == (
        "NCT Number,Study URL,Phases\r\n"
        "NCT04325594,https://clinicaltrials.gov/study/NCT04325594,"
        "PHASE1|PHASE2\r\n"
    )


@pytest.mark.parametrize("name", ["NCTId", "BriefTitle", "protocolSection", "NCT"])
def test_a_json_piece_name_is_not_a_column(name):
    with pytest.raises(FieldsError) as error:
        resolve_columns(["NCT Number", name])
    assert str(error.value) == f"Parameter 'fields' contains invalid CSV column name: '{name}'"


def test_chunks_stream_the_header_before_any_study_is_read():
    def studies():
        yield read_json(SEED)
        raise AssertionError("read past the first study")

    chunks = csv_chunks(studies(), ["NCT Number"])
    assert next(chunks) == "NCT Number\r\n"
    assert next(chunks) == "NCT04325594\r\n"


def test_later_pages_have_no_header_row():
    documents = [read_json(SEED), read_json(SEED)]
    assert list(csv_chunks(documents, ["Phases"], header=False)) == ["PHASE1|PHASE2\r\n"] * 2


def test_observational_design_and_masked_roles():
    document = read_json(SEED)
    design = document["protocolSection"]["designModule"]
    design["designInfo"] = {"observationalModel": "COHORT", "timePerspective": "PROSPECTIVE"}
    (row,) = parse("".join(csv_chunks([document], ["Study Design"])))
    assert row["Study Design"] == "Observational Model: COHORT | Time Perspective: PROSPECTIVE"
    design["designInfo"] = {
        "allocation": "RANDOMIZED",
        "maskingInfo": {"masking": "DOUBLE", "whoMasked": ["PARTICIPANT", "INVESTIGATOR"]},
    }
    (row,) = parse("".join(csv_chunks([document], ["Study Design"])))
    assert (
        row["Study Design"]
        == "Allocation: RANDOMIZED | Masking: DOUBLE (PARTICIPANT, INVESTIGATOR)"
    )


def test_outcomes_join_their_parts_and_skip_missing_ones():
    document = read_json(SEED)
    document["protocolSection"]["outcomesModule"] = {
        "primaryOutcomes": [
            {"measure": "Deaths", "description": "All causes", "timeFrame": "5 days"},
            {"measure": "LVEF", "timeFrame": "6 months"},
        ]
    }
    (row,) = parse("".join(csv_chunks([document], ["Primary Outcome Measures"])))
    assert row["Primary Outcome Measures"] == "Deaths, All causes, 5 days|LVEF, 6 months"


def test_a_bad_column_is_refused_in_the_registry_words():
    assert select(["Phases", "NCT Number"]) == ("NCT Number", "Phases")
    with pytest.raises(InvalidRequest) as error:
        select(["NCTId"])
    assert error.value.message == "Parameter 'fields' contains invalid CSV column name: 'NCTId'"
