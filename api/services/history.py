"""A study's history: the versions this store has kept, each version's text, their differences.

Every text a study has had here is kept (`Store.history`, `Store.version`), also after the
study was removed: `GET /studies/{nctId}` is then 404 while its history still answers. An
NCT id that only another study lists as an alias answers as `GET /studies/{nctId}` does
(`MovedTo` the canonical id). Version texts are the stored bytes; the registry website's
shapes (`/api/int/...`) are assembled around them, never re-encoded.
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from api import json_text
from api.exceptions import NotFound
from api.services import diff
from api.services.studies import not_stored
from api.store.base import Document, History, Store, Version, content_tag


@dataclass(frozen=True)
class Difference:
    """How version `target` of a study differs from version `source` (`diff`)."""

    nct_id: str
    source: Version
    target: Version
    patch: list[dict]
    changes: list[diff.PieceChange]

    @property
    def summary(self) -> list[str]:
        """One line per changed piece: `OverallStatus: RECRUITING -> COMPLETED`."""
        return [change.summary for change in self.changes]


def study_history(store: Store, nct_id: str) -> History:
    """Every version of study `nct_id` (canonical) kept here, a removed study's too.

    `MovedTo` the canonical id for an id that is only another study's alias; `NotFound`,
    in the registry's words, for an id never stored.
    """
    history = store.history(nct_id)
    if history is None:
        not_stored(store, nct_id)
    return history


def _version(history: History, number: int) -> Version:
    for version in history.versions:
        if version.number == number:
            return version
    raise NotFound(f"Version {number} of {history.nct_id} not found")


def _text(store: Store, history: History, number: int) -> Document:
    """The stored bytes of a version `history` lists (pruned since: `NotFound`)."""
    document = store.version(history.nct_id, number)
    if document is None:
        raise NotFound(f"Version {number} of {history.nct_id} not found")
    return document


def version_text(store: Store, nct_id: str, number: int) -> Document:
    """Version `number` of study `nct_id`: its stored bytes and their tag."""
    history = study_history(store, nct_id)
    return _text(store, history, _version(history, number).number)


def website_version(store: Store, nct_id: str, number: int) -> Document:
    """`GET /api/int/studies/{nctId}/history/{version}`: `{"studyVersion": n, "study": ...}`,
    as the registry's website answers (ctrdata reads `.studyVersion`, cthist `.study`).

    Versions never change, so the tag is derived from the version's own, not hashed anew.
    """
    stored = version_text(store, nct_id, number)
    body = b'{"studyVersion":%d,"study":%b}' % (number, stored.json)
    return Document(body, content_tag(b"website-version:%d:%b" % (number, stored.tag.encode())))


def website_study(store: Store, nct_id: str, with_history: bool) -> bytes:
    """`GET /api/int/studies/{nctId}[?history=true]`: `{"study": ...}` and, when asked,
    `"history": {"changes": [{"version", "date", "status"}, ...]}` in version order, the
    registry website's shape as cthist and ctrdata read it.

    The study is the current text; for a removed study, the last version kept.
    """
    history = study_history(store, nct_id)
    current = store.get(nct_id)
    if current is None:
        if not history.versions:
            raise NotFound(f"NCT number {nct_id} not found")
        current = _text(store, history, history.versions[-1].number)
    body = b'{"study":' + current.json
    if with_history:
        changes = [_change(version) for version in history.versions]
        body += b',"history":{"changes":' + json_text.dumps_bytes(changes) + b"}"
    return body + b"}"


def _change(version: Version) -> dict:
    """One entry of the website's `history.changes`; absent facts are omitted."""
    change = {"version": version.number, "date": version.date, "status": version.status}
    return {key: value for key, value in change.items() if value is not None}


def difference(store: Store, nct_id: str, number: int, base: int | None = None) -> Difference:
    """How version `number` differs from version `base` (default: the version kept before
    it). `NotFound` when either is unknown, or `number` is the oldest kept and no `base`."""
    history = study_history(store, nct_id)
    target = _version(history, number)
    if base is None:
        earlier = [version for version in history.versions if version.number < number]
        if not earlier:
            raise NotFound(f"Version {number} of {nct_id} has no earlier version")
        source = earlier[-1]
    else:
        source = _version(history, base)
    before, after = (orjson.loads(_text(store, history, version.number).json)
                     for version in (source, target))
    return Difference(nct_id, source, target, diff.patch(before, after),
                      diff.piece_changes(before, after))
