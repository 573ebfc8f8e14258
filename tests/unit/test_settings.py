"""Settings: every `TRIALS_*` value is checked, a bad one is one line naming it."""

import pytest

from api import settings
from api.settings import SettingError, load


def error_of(environ=None, overrides=None) -> str:
    with pytest.raises(SettingError) as caught:
        load(environ or {}, overrides)
    return str(caught.value)


def test_the_defaults_need_no_environment():
    values = load({})
    assert values["DATABASE_URL"] is None  # start-up puts it in the instance folder
    assert values["SEARCH_TIME_BUDGET"] == 5.0
    assert values["MAX_DOCUMENT_BYTES"] == 64 * 1024 * 1024
    assert values["MAX_DOCUMENT_DEPTH"] == 64
    assert values["RECORDS_DIR"].endswith("records")


def test_values_are_parsed_from_their_text_not_as_json(tmp_path):
    values = load({"TRIALS_SEARCH_TIME_BUDGET": " 2.5 ", "TRIALS_MAX_DOCUMENT_DEPTH": "10",
                   "TRIALS_MAX_DOCUMENT_BYTES": "1_000_000", "TRIALS_RECORDS_DIR": "",
                   "TRIALS_DATABASE_URL": f"sqlite:///{tmp_path}/t.sqlite3",
                   "OTHER": "ignored"})
    assert values["SEARCH_TIME_BUDGET"] == 2.5 and values["MAX_DOCUMENT_DEPTH"] == 10
    assert values["MAX_DOCUMENT_BYTES"] == 1_000_000 and values["RECORDS_DIR"] == ""
    assert values["DATABASE_URL"] == f"sqlite:///{tmp_path}/t.sqlite3"


@pytest.mark.parametrize("name, value, expected", [
    ("TRIALS_SEARCH_TIME_BUDGET", "abc", "expected a number of seconds greater than 0"),
    ("TRIALS_SEARCH_TIME_BUDGET", "0", "expected a number of seconds greater than 0"),
    ("TRIALS_SEARCH_TIME_BUDGET", "nan", "greater than 0"),
    ("TRIALS_SEARCH_TIME_BUDGET", "inf", "greater than 0"),
    ("TRIALS_MAX_DOCUMENT_BYTES", "1.5", "expected a whole number of bytes greater than 0"),
    ("TRIALS_MAX_DOCUMENT_BYTES", "-3", "expected a whole number of bytes"),
    ("TRIALS_MAX_DOCUMENT_DEPTH", "", "expected a whole number of nesting levels"),
    ("TRIALS_STORE_LOCK_WAIT", "-1", "greater than 0"),
    ("TRIALS_RECORDS_DIR", "/no/such/records", "/no/such/records does not exist"),
    ("TRIALS_DATABASE_URL", "postgresql://x", "no database name after the host"),
    ("TRIALS_DATABASE_URL", "mysql://x/trials",
     "only sqlite:/// and postgresql:// stores are supported, not mysql://"),
    ("TRIALS_DATABASE_URL", "trials.sqlite3", "only sqlite:/// and postgresql:// stores are"),
    ("TRIALS_DATABASE_READ_URL", "sqlite:///x", "a postgresql://USER@HOST:PORT/DATABASE URL"),
    ("TRIALS_DATABASE_READ_URL", "postgresql://standby/trials",
     "a read replica needs a postgresql:// TRIALS_DATABASE_URL"),
    ("TRIALS_DATABASE_URL", "sqlite:///", "no file path after sqlite:///"),
    ("TRIALS_DATABASE_URL", "sqlite:////no/such/dir/x.sqlite3",
     "directory /no/such/dir does not exist"),
    ("TRIALS_DATABSE_URL", "sqlite:///x",
     "not a setting of this server; expected one of TRIALS_DATABASE_URL, TRIALS_RECORDS_DIR"),
])
def test_a_bad_value_is_one_line_naming_variable_value_and_expectation(name, value, expected):
    message = error_of({name: value})
    assert message.startswith(f"{name}={value!r}: ")
    assert expected in message and "\n" not in message


def test_a_directory_is_no_store_file(tmp_path):
    assert f"{tmp_path} is a directory" in error_of(
        {"TRIALS_DATABASE_URL": f"sqlite:///{tmp_path}"})


def test_checking_a_url_creates_no_directory(tmp_path):
    error_of({"TRIALS_DATABASE_URL": f"sqlite:///{tmp_path}/a/b/x.sqlite3"})
    assert not (tmp_path / "a").exists()


def test_values_given_by_the_caller_are_checked_too():
    assert load({}, {"SEARCH_TIME_BUDGET": 0.25, "TESTING": True})["SEARCH_TIME_BUDGET"] == 0.25
    assert error_of(overrides={"MAX_DOCUMENT_DEPTH": 0}).startswith(
        "setting MAX_DOCUMENT_DEPTH=0: expected a whole number of nesting levels greater than 0")
    assert "expected a whole number" in error_of(overrides={"MAX_DOCUMENT_BYTES": True})


def test_python_s_own_wording_is_not_shown():
    assert error_of({"TRIALS_SEARCH_TIME_BUDGET": "abc"}) == (
        "TRIALS_SEARCH_TIME_BUDGET='abc': expected a number of seconds greater than 0")


def test_the_caller_overrides_the_environment():
    values = load({"TRIALS_SEARCH_TIME_BUDGET": "9"}, {"SEARCH_TIME_BUDGET": 1})
    assert values["SEARCH_TIME_BUDGET"] == 1


def test_every_setting_is_declared_once_with_a_default_that_passes_its_check():
    keys = [setting.key for setting in settings.SETTINGS]
    assert len(keys) == len(set(keys))
    for setting in settings.SETTINGS:
        assert setting.parse(setting.default) == setting.default
