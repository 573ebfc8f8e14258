"""What every format renders from: one stored study, and a way to read its values."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property

from api import json_text
from api.exceptions import InvalidRequest

STUDY_URL = "https://clinicaltrials.gov/study/{}"


class FieldsError(InvalidRequest):
    """A `fields=` value the requested format cannot take; the message is the 400 body."""


@dataclass
class StudyText:
    """A study's canonical NCT number and JSON (UTF-8 bytes or text: as stored, or the
    `fields=` projection of it for the JSON formats), with what `fields=` selected for the
    format (its `select`; None: everything) and `markupFormat`."""

    nct_id: str
    text: bytes | str
    selection: object = None
    markup: str = "markdown"

    @cached_property
    def document(self) -> dict:
        """The study parsed, key order kept; parsed once, only when a format needs it."""
        return json.loads(self.text)


def dig(value, *keys):
    """The value at `keys` below `value`, or None when any step is absent."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def items(value, *keys) -> list:
    """The list at `keys` below `value`; an empty list when it is absent."""
    found = dig(value, *keys)
    return found if isinstance(found, list) else []


dumps = json_text.dumps
