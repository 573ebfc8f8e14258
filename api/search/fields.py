"""What a search can do with each piece: its kind, how its values compare, which are indexed.

Derived from the field catalogue and the search areas, so a piece added to the schemas is
searchable without touching the search code. Backend-neutral: the SQLite store and any
other store index and compare values with these functions.
"""

from __future__ import annotations

import functools
import re

from schemas.catalogue import FieldNode, catalogue
from schemas.search_areas import AREAS

TEXT, ENUM, DATE, NUMBER, BOOLEAN, AGE, GEO = "text", "enum", "date", "number", "boolean", "age", "geo"
_KINDS = {"text": TEXT, "markup": TEXT, "PartialDate": DATE, "NormalizedDate": DATE,
          "DateTimeMinutes": DATE, "integer": NUMBER, "long": NUMBER, "number": NUMBER,
          "boolean": BOOLEAN, "NormalizedTime": AGE, "GeoPoint": GEO}
# Days per unit of an age or duration (`18 Years`); the registry sorts ages with units.
_UNIT_DAYS = {"year": 365.25, "month": 30.4375, "week": 7.0, "day": 1.0, "hour": 1 / 24,
              "minute": 1 / 1440}
_AGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(year|month|week|day|hour|minute)s?\s*$", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2}))?)?)?$")


# A boolean as text, in any case: how `countTotal=`, `AREA[HealthyVolunteers]yes` and the
# index spell them.
TRUE_TEXT = frozenset({"true", "yes", "y", "on", "1"})
FALSE_TEXT = frozenset({"false", "no", "n", "off", "0"})


def boolean(value) -> bool | None:
    """A JSON boolean, or its text (`TRUE_TEXT`, `FALSE_TEXT`); None for anything else."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in TRUE_TEXT else False if text in FALSE_TEXT else None


def kind(node: FieldNode) -> str:
    """`text`, `enum`, `date`, `number`, `boolean`, `age` or `geo`."""
    return _KINDS.get(node.registry_type.removesuffix("[]"), ENUM)


@functools.cache
def leaves() -> tuple[FieldNode, ...]:
    """Every leaf piece of the Study tree, in registry order."""
    return tuple(node for node in catalogue().nodes if node.is_leaf)


@functools.cache
def text_columns() -> tuple[str, ...]:
    """The pieces full-text indexed: all text and markup, plus every piece of a search area."""
    in_areas = {piece for area in AREAS for part in area.parts for piece in part.pieces}
    return tuple(node.piece for node in leaves() if kind(node) == TEXT or node.piece in in_areas)


def date_key(value: str) -> float | None:
    """A sortable number for a registry date: `2023-01-15` -> 20230115; partial dates sort first."""
    match = _DATE.match(value)
    if match is None:
        return None
    year, month, day, hour, minute = (int(part) if part else 0 for part in match.groups())
    return year * 10000 + month * 100 + day + (hour * 60 + minute) / 10000


def age_key(value: str) -> float | None:
    """Days in an age or duration such as `18 Years` or `6 months`."""
    match = _AGE.match(value)
    if match is None:
        return None
    return float(match.group(1)) * _UNIT_DAYS[match.group(2).lower()]


def number_key(value) -> float | None:
    """A number's value, None if it is not one."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def sort_key(node_kind: str, value) -> float | None:
    """The number a value of this kind sorts and compares by."""
    if node_kind == DATE:
        return date_key(value)
    if node_kind == AGE:
        return age_key(value)
    if node_kind == NUMBER:
        return number_key(value)
    if node_kind == BOOLEAN:
        return float(boolean(value) is True)
    return None


def stored_value(node_kind: str, value) -> str:
    """A value as the index keeps it: enums as written, booleans `true`/`false`."""
    if node_kind == BOOLEAN:
        return "true" if boolean(value) else "false"
    return str(value)
