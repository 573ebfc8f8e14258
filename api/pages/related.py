"""The sections the store adds to a record's own: related trials and the version history."""

from __future__ import annotations

from dataclasses import replace

from api.formats.study import dig
from api.pages.blocks import Card, Line, Link, Section, Table, present, section, tags
from api.store.base import History, Version


def study_path(nct_id: str) -> str:
    """The page of study `nct_id` (the registry website's path)."""
    return f"/study/{nct_id}"


def json_path(nct_id: str) -> str:
    """The study's JSON in the API."""
    return f"/api/v2/studies/{nct_id}"


def summary_line(protocol: dict) -> str:
    """`NCT05043610 COMPLETED PHASE3`: id, status and phases, as the website lists a trial."""
    return " ".join(filter(None, (
        dig(protocol, "identificationModule", "nctId"),
        dig(protocol, "statusModule", "overallStatus"),
        "/".join(dig(protocol, "designModule", "phases") or ()))))


def trial_card(document: dict) -> Card:
    """A trial in a list: its title linking to its page, then its summary line."""
    protocol = document.get("protocolSection", {})
    nct_id = dig(protocol, "identificationModule", "nctId") or ""
    title = dig(protocol, "identificationModule", "briefTitle") or nct_id
    return Card(title, (Line(summary_line(protocol)),), href=study_path(nct_id))


def related_trials(documents: list[dict]) -> Section | None:
    """"More Related Trials": the most similar stored studies (`api.services.similar`)."""
    return section("related-trials", "More Related Trials",
                   "Stored studies of similar conditions, interventions and keywords.",
                   [trial_card(document) for document in documents])


def version_history(history: History) -> Section | None:
    """This server's addition: every version stored, what each changed, its JSON."""
    rows = tuple(_version_row(history.nct_id, version, first=index == 0)
                 for index, version in enumerate(history.versions))
    table = Table(("Version", "Last Updated", "Recruitment Status", "Modules Changed",
                   "JSON", "Pieces Changed"), rows) if rows else None
    return section("version-history", "Version History",
                   "See each version of this record stored on this server, with its update "
                   "date, its status and the modules that changed.",
                   [table, Link("History as JSON", json_path(history.nct_id) + "/history")])


def _version_row(nct_id: str, version: Version, first: bool) -> tuple:
    path = f"{json_path(nct_id)}/history/{version.number}"
    changed = ", ".join(module.rpartition(".")[2] for module in version.modules)
    if first:
        changed = f"first version stored: {changed}" if changed else "first version stored"
    # The pieces changed are the diff's to tell: reading two versions for each row would
    # make a long history's page slow.
    return (str(version.number), version.date or "", version.status or "", changed,
            Link(f"version {version.number}", path),
            "" if first else Link(f"diff {version.number}", f"{path}/diff"))


def result_card(document: dict) -> Card:
    """A study found by a search: `trial_card` and the study's conditions."""
    card = trial_card(document)
    conditions = tags(dig(document, "protocolSection", "conditionsModule", "conditions") or ())
    return replace(card, blocks=card.blocks + present([conditions]))
