"""Settings: defaults here, overridden by `TRIALS_*` environment variables.

`TRIALS_DATABASE_URL=sqlite:////var/lib/trials.sqlite3` sets `DATABASE_URL`, and so on for
every key below (`app.config.from_prefixed_env("TRIALS")`).
"""

from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


class Config:
    """Default settings of the server."""

    # Where the records live; relative sqlite paths are relative to the working directory.
    DATABASE_URL = "sqlite:///instance/trials.sqlite3"
    # Loaded through the guard when the server starts with an empty store ("" disables).
    RECORDS_DIR = str(PROJECT_DIR / "records")

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
                "as the registry words them."
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
