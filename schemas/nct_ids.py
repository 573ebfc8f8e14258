"""NCT numbers: how the registry spells them in requests, and their one canonical form.

The registry takes `nct4325594`, `NCT04325594` and `NCT004325594` for the same study: the
prefix in any case, leading zeros optional (official spec, `^[Nn][Cc][Tt]0*[1-9]\\d{0,7}$`).
Every id is made canonical (`NCT` and eight digits) once, where it enters, and compared in
that form everywhere else.
"""

from __future__ import annotations

import re

# The registry's pattern for an NCT number in a request (path, `filter.ids`).
REQUEST_PATTERN = r"^[Nn][Cc][Tt]0*[1-9]\d{0,7}$"
# ASCII digits only, as the registry's (Java) patterns read `\d`.
_REQUESTED = re.compile(r"[Nn][Cc][Tt]0*([1-9]\d{0,7})", re.ASCII)
# A `query.*` value of only NCT numbers (comma- and/or space-separated): filters are then
# ignored (official spec). `NCT0` counts as one, and matches no study.
_ONLY_IDS = re.compile(r"\s*(?:[Nn][Cc][Tt]\d{1,8}[\s,]*)+", re.ASCII)
_ANY_NUMBER = re.compile(r"[Nn][Cc][Tt](\d{1,8})", re.ASCII)


def canonical(raw: str) -> str | None:
    """`nct4325594` -> `NCT04325594`; None when `raw` is not an NCT number."""
    match = _REQUESTED.fullmatch(raw)
    return f"NCT{int(match.group(1)):08d}" if match else None


def only_ids(text: str) -> tuple[str, ...] | None:
    """The canonical ids of a text holding nothing but NCT numbers; None for any other text.

    A number the registry cannot have (`NCT0`) is left out, so it matches nothing.
    """
    if not _ONLY_IDS.fullmatch(text):
        return None
    numbers = (int(number) for number in _ANY_NUMBER.findall(text))
    return tuple(f"NCT{number:08d}" for number in numbers if number)
