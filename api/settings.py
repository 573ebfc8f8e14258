"""Settings: each declared once, with its default and its check; `TRIALS_<KEY>` overrides it.

`TRIALS_DATABASE_URL=sqlite:////var/lib/trials.sqlite3` sets `DATABASE_URL`, and so on for
every row of `SETTINGS`. Values are parsed here, from the text of the variable, rather than by
Flask's JSON-ish coercion (`from_prefixed_env` would turn `TRIALS_RECORDS_DIR=1` into an int
and `TRIALS_DATABASE_URL=null` into None). A bad value is a `SettingError`: one line naming the
variable, the value and what is expected. An unknown `TRIALS_*` variable is refused too: a
misspelt setting would otherwise be ignored without a word.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
PREFIX = "TRIALS_"


class SettingError(ValueError):
    """A setting's value is not what it must be; `str()` is the one line to show."""


@dataclass(frozen=True)
class Setting:
    """One `TRIALS_*` setting: its default, its parser and, in words, what it accepts.

    `parse` takes the variable's text (or a value a caller passed to `create_app`) and
    returns the value to use, or raises `ValueError` saying what is wrong (may be empty).
    """

    key: str
    default: object
    parse: Callable[[object], object]
    expected: str


def _number(value, convert):
    if isinstance(value, bool):  # True is an int to Python, not a number of seconds to us
        raise TypeError("")
    try:
        number = convert(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("") from None  # Python's own wording says nothing useful here
    if not (math.isfinite(number) and number > 0):
        raise ValueError("")
    return number


def _positive_float(value) -> float:
    return _number(value, float)


def _positive_int(value) -> int:
    if isinstance(value, float) or (isinstance(value, str) and not value.strip().lstrip("+")
                                    .replace("_", "").isdigit()):
        raise ValueError("")
    return _number(value, int)


def _database_url(value) -> str | None:
    """None (the default store), a URL of a SQLite store in a directory that exists, or a
    PostgreSQL database's URL."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError("")
    from api.store import is_postgresql, postgresql_url, store_path  # the store owns the syntax

    if is_postgresql(value):
        return postgresql_url(value)  # ValueError saying what is wrong
    path = store_path(value)  # ValueError saying what is wrong
    if not path.parent.is_dir():
        raise ValueError(f"directory {path.parent} does not exist")
    if path.is_dir():
        raise ValueError(f"{path} is a directory")
    return value


def _read_url(value) -> str | None:
    """None (reads go to the primary) or a PostgreSQL URL (a hot standby's)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise TypeError("")
    from api.store import postgresql_url

    return postgresql_url(value)  # ValueError saying what is wrong


def _log_format(value) -> str:
    """One of the log's formats (`api.observability.logs`)."""
    from api.observability.logs import FORMATS  # the log's module owns its formats

    if not isinstance(value, str) or value.strip().lower() not in FORMATS:
        raise ValueError("")
    return value.strip().lower()


def _records_dir(value) -> str:
    """"" (no seeding) or a directory or file of records that exists."""
    if not isinstance(value, (str, Path)):
        raise TypeError("")
    text = str(value)
    if text and not Path(text).exists():
        raise ValueError(f"{text} does not exist")
    return text


def _upstream_url(value) -> str:
    """An http(s) URL with a host: the upstream `flask sync` reads by default."""
    if not isinstance(value, str):
        raise TypeError("")
    from api.sync.client import base_url  # the sync package owns the URL's forms

    return base_url(value)  # ValueError saying what is wrong


MIB = 1024 * 1024
SETTINGS: tuple[Setting, ...] = (
    # None: <instance folder>/trials.sqlite3 (see api.startup), whatever the working directory.
    Setting("DATABASE_URL", None, _database_url,
            "sqlite:///PATH (relative to the working directory) or sqlite:////ABSOLUTE/PATH, "
            "in a directory that exists, or postgresql://USER@HOST:PORT/DATABASE"),
    # Loaded through the guard when the server starts with an empty store.
    Setting("RECORDS_DIR", str(PROJECT_DIR / "records"), _records_dir,
            "a directory of records to load into an empty store, or empty to load none"),
    # A search running longer is stopped inside the database and answered with an error.
    Setting("SEARCH_TIME_BUDGET", 5.0, _positive_float, "a number of seconds greater than 0"),
    # Import limits per document, checked before it is fully parsed (poison input).
    Setting("MAX_DOCUMENT_BYTES", 64 * MIB, _positive_int, "a whole number of bytes greater than 0"),
    Setting("MAX_DOCUMENT_DEPTH", 64, _positive_int,
            "a whole number of nesting levels greater than 0"),
    # How long opening the store waits for the write lock when it must write (creating the
    # store, upgrading it); reading a current store never waits.
    Setting("STORE_LOCK_WAIT", 20.0, _positive_float, "a number of seconds greater than 0"),
    # `flask sync`: the upstream registry API read by default (its base URL, or a server's
    # root), how many requests a second at most, how long one request may wait for an
    # answer, and how a failed request is retried (attempts after the first; the first
    # wait, doubled each time, with jitter).
    Setting("SYNC_URL", "https://clinicaltrials.gov/api/v2", _upstream_url,
            "an http:// or https:// URL: a registry API base URL ending in /api/v2, or a "
            "server's root"),
    Setting("SYNC_RATE", 1.0, _positive_float, "a number of requests a second greater than 0"),
    Setting("SYNC_TIMEOUT", 60.0, _positive_float, "a number of seconds greater than 0"),
    Setting("SYNC_RETRIES", 6, _positive_int, "a whole number of retries greater than 0"),
    Setting("SYNC_BACKOFF", 2.0, _positive_float, "a number of seconds greater than 0"),
    # A hot standby of the PostgreSQL DATABASE_URL: reads go there, writes to the primary.
    Setting("DATABASE_READ_URL", None, _read_url,
            "postgresql://USER@HOST:PORT/DATABASE (a hot standby of DATABASE_URL's database), "
            "or empty for none"),
    # The log (access lines, errors) on standard error: JSON lines, text, or none from this
    # server (off: the application's records go to Python's own handlers). `python -m
    # api.serving` defaults to json.
    Setting("LOG_FORMAT", "off", _log_format, "json, text or off"),
)
BY_KEY: Mapping[str, Setting] = {setting.key: setting for setting in SETTINGS}


def _checked(setting: Setting, value, name: str):
    try:
        return setting.parse(value)
    except (ValueError, TypeError, OverflowError) as error:
        reason = str(error) if isinstance(error, ValueError) else ""
        raise SettingError(f"{name}={value!r}: {reason + '; ' if reason else ''}"
                           f"expected {setting.expected}") from None


def load(environ: Mapping[str, str], overrides: Mapping | None = None) -> dict:
    """Every setting: its default, else `TRIALS_<KEY>` from `environ`, else `overrides`
    (what a caller passed to `create_app`), each checked. Keys of `overrides` that are not
    settings pass through unchecked (they are Flask's or a test's own)."""
    values = {setting.key: setting.default for setting in SETTINGS}
    for name, text in sorted(environ.items()):
        if not name.startswith(PREFIX):
            continue
        setting = BY_KEY.get(name.removeprefix(PREFIX))
        if setting is None:
            known = ", ".join(PREFIX + key for key in BY_KEY)
            raise SettingError(f"{name}={text!r}: not a setting of this server; "
                               f"expected one of {known}")
        values[setting.key] = _checked(setting, text, name)
    for key, value in (overrides or {}).items():
        setting = BY_KEY.get(key)
        values[key] = _checked(setting, value, f"setting {key}") if setting else value
    _check_read_url(values)
    return values


def _check_read_url(values: dict) -> None:
    """A read replica only makes sense beside a PostgreSQL primary."""
    from api.store import is_postgresql

    if values["DATABASE_READ_URL"] and not is_postgresql(values["DATABASE_URL"] or ""):
        raise SettingError(f"{PREFIX}DATABASE_READ_URL={values['DATABASE_READ_URL']!r}: a read "
                           f"replica needs a postgresql:// {PREFIX}DATABASE_URL (it is "
                           f"{values['DATABASE_URL']!r})")


class Config:
    """Fixed settings of the server (not read from the environment)."""

    # The registry API version this server reproduces; `/version` reports it.
    API_VERSION = "2.0.5"
    API_TITLE = "ClinicalTrials.gov API v2 (compatible server)"
    OPENAPI_VERSION = "3.0.3"
    # The registry serves its OpenAPI document at /api/oas/v2; so does this server.
    OPENAPI_URL_PREFIX = "/api"
    OPENAPI_JSON_PATH = "oas/v2"
    OPENAPI_SWAGGER_UI_PATH = "docs"
    API_SPEC_OPTIONS = {
        "info": {
            "description": (
                "Serves clinical trial records in the JSON format of the ClinicalTrials.gov "
                "REST API v2, so that software written for the registry's API works against "
                "this server unchanged. Records are the registry's own study documents, "
                "returned exactly as they were loaded. Errors are `text/plain` messages worded "
                "as the registry words them.\n\nFor people, each study also has a page, "
                "[/study/{nctId}](/study/NCT04325594) as on the registry's website, and "
                "[/search](/search) finds studies with the parameters of `GET /studies`."
            ),
            "license": {"name": "Records: public domain (U.S. National Library of Medicine)"},
        },
        "servers": [{"url": "/", "description": "This server"}],
    }

    # Response compression (flask-compress, see api.transport): gzip only, as the registry
    # answers `Accept-Encoding: gzip`; the text and JSON media types this server sends.
    COMPRESS_ALGORITHM = ["gzip"]
    COMPRESS_REGISTER = False  # api.transport calls it, after tagging
    COMPRESS_ALGORITHM_STREAMING = ["gzip"]
    COMPRESS_MIMETYPES = [
        "application/json", "application/fhir+json", "text/csv", "text/plain",
        "application/x-research-info-systems", "text/html", "text/css", "application/javascript",
    ]
