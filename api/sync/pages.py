"""One `/studies` page of an upstream, as units for the guard: each study its own text.

The store keeps a study's text as it arrived (keys, key order, number literals), so each
study of a page must be cut out of the page's own text, not written again from its parsed
value. A page written compactly (the registry's answers, this server's) is cut cheaply:
each study's compact re-encoding is found where it must be. Anything else goes the
careful way, the page as one unit (`api.loading.records` reads pages too).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from api.sources import Unit
from api.sync.client import Transient

_BETWEEN = frozenset(b" \t\n\r,")


@dataclass(frozen=True)
class Page:
    """What one answer of `GET /studies` holds: the units to check, the NCT ids it listed
    (a study the guard refuses is listed all the same), the next page's token (None on the
    last page) and the total, when the upstream counted it."""

    units: list[Unit]
    listed: tuple[str, ...]
    next_token: str | None
    total: int | None


def _nct_id(study) -> str | None:
    try:
        nct_id = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    return nct_id if isinstance(nct_id, str) else None


def _compact_texts(body: bytes, studies: list) -> list[str] | None:
    """Each study's text in `body`, if each is its compact re-encoding, in order; else None."""
    texts, position = [], None
    for study in studies:
        try:
            compact = orjson.dumps(study)
        except TypeError:  # integers past 64 bits: not compact text orjson writes
            return None
        found = body.find(compact, position or 0)
        # Between two studies only a comma and whitespace (before the first: anything).
        if found < 0 or (position is not None and not set(body[position:found]) <= _BETWEEN):
            return None
        texts.append(compact.decode())
        position = found + len(compact)
    return texts


def read_page(body: bytes, value, label: str) -> Page:
    """The `Page` of an answer's `body` and its JSON `value`; `label` names it in reports.
    Raises `Transient` when the JSON is not a `/studies` page (a CDN's or proxy's answer)."""
    if not isinstance(value, dict) or not isinstance(value.get("studies"), list):
        raise Transient("the answer is JSON but not a page of studies")
    studies = value["studies"]
    token, total = value.get("nextPageToken"), value.get("totalCount")
    listed = tuple(nct_id for study in studies if (nct_id := _nct_id(study)))
    texts = _compact_texts(body, studies)
    if texts is None:
        units = [Unit(label, body.decode("utf-8", "replace"))]
    else:
        units = [Unit(f"{label}: {_nct_id(study) or f'studies[{index}]'}", text)
                 for index, (study, text) in enumerate(zip(studies, texts, strict=True))]
    return Page(units, listed, token if isinstance(token, str) and token else None,
                total if isinstance(total, int) else None)
