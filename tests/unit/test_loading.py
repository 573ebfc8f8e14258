import json

import pytest

from api.loading import load_files, minify, parse, records_from_text
from api.store.sqlite import SQLiteStore
from schemas.guard import RecordRefused
from tests.conftest import SEED, read_json

SEED_TEXT = SEED.read_text(encoding="utf-8")


def page(*studies: str) -> str:
    return '{"totalCount": 2,\n "studies": [\n' + ",\n".join(studies) + '],\n "nextPageToken": "x"}'


def test_minify_keeps_strings_and_number_literals():
    text = '{ "a" : "x  y\\" z" ,\n "b": [1.50, 2E3 ] }'
    assert minify(text) == '{"a":"x  y\\" z","b":[1.50,2E3]}'


def test_a_single_study_file_is_one_record():
    [record] = records_from_text(SEED_TEXT, "seed.json")
    assert record.nct_id == "NCT04325594"
    assert record.text == minify(SEED_TEXT)


def test_a_page_file_gives_each_study_its_own_verbatim_text():
    other = SEED_TEXT.replace("NCT04325594", "NCT00000102")
    records = records_from_text(page(SEED_TEXT, other), "page.json")
    assert [r.nct_id for r in records] == ["NCT04325594", "NCT00000102"]
    assert records[1].text == minify(other)


def test_page_labels_name_the_study():
    [(label, _, _)] = parse(page(SEED_TEXT), "page.json")
    assert label == "page.json studies[0]"


@pytest.mark.parametrize(("text", "rule"), [
    ("{not json", "json"),
    ('{"protocolSection": {}, "protocolSection": {}}', "json"),
    (page(SEED_TEXT, SEED_TEXT), "unique"),
])
def test_unreadable_or_ambiguous_files_are_refused(text, rule):
    with pytest.raises(RecordRefused) as caught:
        records_from_text(text, "bad.json")
    assert caught.value.problems[0].rule == rule


def test_aliases_are_taken_from_the_record():
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"]["nctIdAliases"] = ["NCT00000001"]
    [record] = records_from_text(json.dumps(document), "alias.json")
    assert record.aliases == ("NCT00000001",)


def test_a_file_is_loaded_all_or_nothing(tmp_path):
    good = SEED_TEXT.replace("NCT04325594", "NCT00000102")
    bad = SEED_TEXT.replace("NCT04325594", "NCT00000103").replace('"COMPLETED"', '"DONE"')
    (tmp_path / "page.json").write_text(page(good, bad))
    store = SQLiteStore(tmp_path / "store.sqlite3")
    report = load_files(store, [tmp_path])
    assert list(report.refused) == [str(tmp_path / "page.json")]
    assert "studies[1]: /protocolSection/statusModule/overallStatus" in report.refused[str(tmp_path / "page.json")]
    assert store.count() == 0


def test_directories_are_searched_for_json_files(tmp_path):
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "a.json").write_text(SEED_TEXT)
    (tmp_path / "notes.txt").write_text("not a record")
    store = SQLiteStore(tmp_path / "store.sqlite3")
    report = load_files(store, [tmp_path])
    assert report.count("added") == 1 and not report.refused


def test_missing_file_is_refused_not_raised(tmp_path):
    store = SQLiteStore(tmp_path / "store.sqlite3")
    report = load_files(store, [tmp_path / "absent.json"])
    assert "cannot read" in report.refused[str(tmp_path / "absent.json")]
