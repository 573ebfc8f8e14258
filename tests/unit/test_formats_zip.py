"""`api.formats.zip_format`: the study's JSON, unchanged, as `<NCTId>.json` in a zip."""

import io
import zipfile

from api.formats import StudyText
from api.formats.zip_format import render
from tests.conftest import SEED


def unzip(data: bytes) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(data))


def test_the_zip_holds_one_json_file_named_after_the_study():
    archive = unzip(render(StudyText("NCT04325594", SEED.read_bytes())))
    assert archive.namelist() == ["NCT04325594.json"]
    assert archive.testzip() is None


def test_the_file_is_the_stored_text_byte_for_byte():
    stored = SEED.read_bytes()
    archive = unzip(render(StudyText("NCT04325594", stored)))
    assert archive.read("NCT04325594.json") == stored


def test_markup_stays_markdown_whatever_markup_format_says():
    stored = SEED.read_bytes()
    archive = unzip(render(StudyText("NCT04325594", stored, markup="legacy")))
    assert archive.read("NCT04325594.json") == stored


def test_the_same_study_zips_to_the_same_bytes_dated_by_its_last_update():
    first = render(StudyText("NCT04325594", SEED.read_bytes()))
    assert first == render(StudyText("NCT04325594", SEED.read_bytes()))
    assert unzip(first).infolist()[0].date_time == (2025, 4, 20, 0, 0, 0)


def test_a_projection_without_dates_is_dated_at_the_zip_epoch():
    archive = unzip(render(StudyText("NCT04325594", '{"hasResults":false}')))
    assert archive.read("NCT04325594.json") == b'{"hasResults":false}'
    assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)
