"""The server's log: JSON lines (or one readable line each) on standard error.

Everything the application logs goes through the `api` logger (Flask's `app.logger` is
that logger; modules log to `api.<module>`): the access log (`api.access`, one line a
request, `api.observability.requests`) and the errors (`api.errors`, with the traceback).
Each line carries the id of the request being answered (`request_id`, null outside a
request), so that an error can be found beside its request's access line.

`TRIALS_LOG_FORMAT` (api.settings) chooses: `json` (what `python -m api.serving` writes
unless told otherwise), `text`, or `off` (the default of `create_app`: the `api` logger is
left as Python leaves it, so that tests and embedding programs see records through their
own handlers). Logging is a process's, not an app's: the last app built sets it.

JSON through python-json-logger with orjson, which the project already uses: its formatter
takes a standard `LogRecord`, so the errors Flask and the modules log need no other API.
"""

from __future__ import annotations

import contextvars
import logging
import sys
import time

from flask import logging as flask_logging
from pythonjsonlogger.orjson import OrjsonFormatter

FORMATS = ("json", "text", "off")
# The id of the request this thread (or task) is answering; None outside a request.
current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "current_request_id", default=None)
APP_LOGGER = "api"


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request being answered (`request_id`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:  # else the line named it itself
            record.request_id = current_request_id.get()
        return True


class StderrHandler(logging.StreamHandler):
    """A handler writing to what `sys.stderr` is when the line is written, not when the
    handler was made: a redirect (or a test's capture) made later is honoured."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass  # always the current sys.stderr


class TextFormatter(logging.Formatter):
    """`time level [request id] message`, then the access line's fields as key=value."""

    FIELDS = ("route", "duration_ms", "bytes", "remote_addr", "user_agent")

    # ISO 8601 in UTC with milliseconds, as the JSON lines' time.
    converter = time.gmtime
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.request_id = getattr(record, "request_id", None) or "-"
        line = super().format(record)
        extra = " ".join(f"{name}={getattr(record, name)!r}" for name in self.FIELDS
                         if hasattr(record, name))
        return f"{line} {extra}" if extra else line


def json_formatter() -> logging.Formatter:
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message, request id,
    the fields passed as `extra=`, and `exc_info` (the traceback) for an error."""
    return OrjsonFormatter("{levelname}{name}{message}{request_id}", style="{",
                           rename_fields={"levelname": "level", "name": "logger"},
                           timestamp="time")


def configure(log_format: str) -> None:
    """Send the `api` logger's records to standard error in `log_format` (one of
    `FORMATS`); `off` takes this module's handler away again."""
    logger = logging.getLogger(APP_LOGGER)
    ours = [handler for handler in logger.handlers if isinstance(handler, StderrHandler)]
    for handler in ours:
        logger.removeHandler(handler)
    if log_format == "off":
        if ours:  # undo what an earlier app of this process set; else touch nothing
            logger.setLevel(logging.NOTSET)
            logger.propagate = True
        return
    # Flask's own handler, added when no other was there yet, would write each line twice.
    logger.removeHandler(flask_logging.default_handler)
    handler = StderrHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(json_formatter() if log_format == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # Lines are written here once; a root handler (granian's, a host program's) would
    # write them again in its own format.
    logger.propagate = False
