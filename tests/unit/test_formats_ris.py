"""`api.formats.ris`: the study as one RIS record, read back with `rispy`."""

import json

import pytest
import rispy

from api.formats import FieldsError, StudyText
from api.formats.ris import render, select
from tests.conftest import SEED, read_json

URL = "https://clinicaltrials.gov/study/NCT04325594"


def seed_ris(fields=None, text=None) -> str:
    return render(StudyText("NCT04325594", text or SEED.read_bytes(), select(fields)))


def test_a_reference_manager_reads_one_database_record():
    (entry,) = rispy.loads(seed_ris())
    assert entry["type_of_reference"] == "DBASE"
    assert entry["id"] == "NCT04325594"
    assert entry["accession_number"] == "NCT04325594"
    assert entry["title"] == (
        "The Application of the Umbilical Cord Mesenchymal Stem Cells in "
        "the Complex Treatment of Non-ischemic Heart Failure"
    )
    assert entry["authors"] == ["Aziz Azkhojayev, MD"]
    assert entry["urls"] == [URL]
    assert entry["name_of_database"] == "ClinicalTrials.gov"
    assert entry["date"] == "2025/04/20"
    assert entry["year"] == "2025"  # no first-posted or submit date in the seed: last update
    assert entry["keywords"] == [
        "Chronic Heart Failure",
        "Non-ischemic Cardiomyopathy",
        "Non-ischemic Dilated Cardiomyopathy",
    ]
    summary = read_json(SEED)["protocolSection"]["descriptionModule"]["briefSummary"]
    assert entry["abstract"] == summary


def test_every_line_is_a_tag_ending_with_crlf():
    text = seed_ris()
    lines = text.split("\r\n")
    assert lines[0] == "TY  - DBASE"
    assert lines[-2:] == ["ER  - ", ""]
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line) >= 6 and line[2:6] == "  - " for line in lines[:-1])


def test_keywords_follow_conditions_and_a_value_stays_on_one_line():
    document = read_json(SEED)
    conditions = document["protocolSection"]["conditionsModule"]
    conditions["keywords"] = ["MSC", "Chronic Heart Failure"]
    document["protocolSection"]["descriptionModule"]["briefSummary"] = "one\n\n* two"
    document["protocolSection"]["statusModule"]["studyFirstPostDateStruct"] = {"date": "2020-03-27"}
    (entry,) = rispy.loads(seed_ris(text=json.dumps(document)))
    assert entry["keywords"][-1] == "MSC" and entry["keywords"].count("Chronic Heart Failure") == 1
    assert entry["abstract"] == "one * two"
    assert entry["year"] == "2020"


def test_fields_keep_only_the_named_tags():
    assert seed_ris(["ti", "UR"]) == (
        "TY  - DBASE\r\nTI  - The Application of the Umbilical Cord Mesenchymal Stem Cells in "
        f"the Complex Treatment of Non-ischemic Heart Failure\r\nUR  - {URL}\r\nER  - \r\n"
    )


@pytest.mark.parametrize("name", ["NCTId", "XX", "Study Title"])
def test_a_name_that_is_not_a_tag_is_refused(name):
    with pytest.raises(FieldsError) as error:
        seed_ris(["TI", name])
    assert str(error.value) == f"Parameter 'fields' contains invalid RIS tag name: '{name}'"
