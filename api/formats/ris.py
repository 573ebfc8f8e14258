"""`format=ris`: the study as one RIS record, for reference managers.

The record's type is `DBASE` (an entry of an online database: the study is a record of the
ClinicalTrials.gov registry, not a publication). Tags, in this order:

    TY  DBASE                     ID, AN  the NCT number
    TI  brief title               ST      acronym
    AU  each overall official (names as registered); without officials the responsible
        investigator, else the lead sponsor (as the registry's own citations name it)
    PY  year first posted (else first submitted, else last updated)
    DA  last update posted, YYYY/MM/DD
    DB  ClinicalTrials.gov        DP      National Library of Medicine (US)
    UR  https://clinicaltrials.gov/study/<NCTId>
    AB  brief summary             KW      each condition, then each keyword
    ER  end of record

Lines end with CRLF. A value's own line breaks become spaces, since a RIS value is one line.
`fields=` names tags to keep (any case); `TY` and `ER` are always written.
"""

from __future__ import annotations

import re

from api.formats.study import STUDY_URL, FieldsError, StudyText, dig, items

MEDIA_TYPE = "application/x-research-info-systems; charset=utf-8"
TAGS = ("ID", "AN", "TI", "ST", "AU", "PY", "DA", "DB", "DP", "UR", "AB", "KW")
DATABASE = "ClinicalTrials.gov"
PROVIDER = "National Library of Medicine (US)"
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def resolve_tags(fields: list[str] | None) -> tuple[str, ...]:
    """The tags `fields=` keeps, in `TAGS` order; `FieldsError` for a name that is not one
    of `TAGS`."""
    if fields is None:
        return TAGS
    tags = set()
    for name in fields:
        tag = name.strip().upper()
        if tag not in TAGS and tag not in ("TY", "ER"):
            raise FieldsError(f"Parameter 'fields' contains invalid RIS tag name: '{name}'")
        tags.add(tag)
    return tuple(tag for tag in TAGS if tag in tags)


def _authors(document: dict) -> list[str]:
    module = dig(document, "protocolSection", "contactsLocationsModule") or {}
    names = [official.get("name") for official in items(module, "overallOfficials")]
    names = list(dict.fromkeys(name for name in names if name))
    if names:
        return names
    # Usually the responsible investigator is also an official, under another spelling.
    sponsors = dig(document, "protocolSection", "sponsorCollaboratorsModule") or {}
    name = dig(sponsors, "responsibleParty", "investigatorFullName")
    name = name or dig(sponsors, "leadSponsor", "name")
    return [name] if name else []


def _status_date(document: dict, key: str) -> str | None:
    return dig(document, "protocolSection", "statusModule", key, "date")


def _values(document: dict, nct_id: str) -> dict[str, list]:
    """Every tag's values for the study, before any `fields=` selection."""
    protocol = document.get("protocolSection", {})
    identification = protocol.get("identificationModule", {})
    conditions = protocol.get("conditionsModule", {})
    updated = _status_date(document, "lastUpdatePostDateStruct")
    # The year the record was published: first posted, else first submitted, else updated.
    status = dig(document, "protocolSection", "statusModule") or {}
    published = (
        _status_date(document, "studyFirstPostDateStruct")
        or status.get("studyFirstSubmitDate")
        or updated
        or ""
    )
    return {
        "ID": [nct_id],
        "AN": [nct_id],
        "TI": [identification.get("briefTitle")],
        "ST": [identification.get("acronym")],
        "AU": _authors(document),
        "PY": [published[:4]],
        "DA": [updated.replace("-", "/") if updated else None],
        "DB": [DATABASE],
        "DP": [PROVIDER],
        "UR": [STUDY_URL.format(nct_id)],
        "AB": [dig(protocol, "descriptionModule", "briefSummary")],
        "KW": list(
            dict.fromkeys([*conditions.get("conditions", []), *conditions.get("keywords", [])])
        ),
    }


def _line(tag: str, value: str) -> str:
    return f"{tag}  - {_LINE_BREAKS.sub(' ', value).strip()}\r\n"


def select(fields: list[str] | None, query_areas=None) -> tuple[str, ...]:
    """What `fields=` selects for RIS: its tags (`resolve_tags`)."""
    return resolve_tags(fields)


def render(study: StudyText) -> str:
    """`GET /studies/{nctId}?format=ris`: one RIS record."""
    keep = study.selection if study.selection is not None else TAGS
    values = _values(study.document, study.nct_id)
    lines = [_line("TY", "DBASE")]
    for tag in TAGS:
        if tag in keep:
            lines.extend(_line(tag, value) for value in values[tag] if value)
    lines.append("ER  - \r\n")
    return "".join(lines)
