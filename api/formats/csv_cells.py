"""The registry's 30 CSV columns: display name and how each cell is written (REFERENCE.md §11).

Cell formats follow the registry's own export: lists joined with `|`, enum values as the API
spells them, dates as stored, markup as stored (markdown), absent values as empty cells.
"""

from __future__ import annotations

from api.formats.study import STUDY_URL, dig, items

PROTOCOL = "protocolSection"
LARGE_DOCS = "https://cdn.clinicaltrials.gov/large-docs/{}/{}/{}"
# Study Design parts in the registry's order: interventional ones, then observational ones.
DESIGN_PARTS = (
    ("Allocation", "allocation"),
    ("Intervention Model", "interventionModel"),
    ("Masking", None),
    ("Primary Purpose", "primaryPurpose"),
    ("Observational Model", "observationalModel"),
    ("Time Perspective", "timePerspective"),
)
# A document's label when the registry stored none, from what the document holds.
DOCUMENT_KINDS = (
    ("hasProtocol", "Study Protocol"),
    ("hasSap", "Statistical Analysis Plan"),
    ("hasIcf", "Informed Consent Form"),
)


def _module(document, name):
    return dig(document, PROTOCOL, name) or {}


def _joined(values, separator="|") -> str:
    return separator.join(str(value) for value in values if value not in (None, ""))


def _date(key):
    return lambda document: dig(_module(document, "statusModule"), key, "date")


def _outcomes(key):
    def cell(document):
        outcomes = items(_module(document, "outcomesModule"), key)
        return _joined(
            _joined((o.get("measure"), o.get("description"), o.get("timeFrame")), ", ")
            for o in outcomes
        )

    return cell


def _interventions(document):
    interventions = items(_module(document, "armsInterventionsModule"), "interventions")
    return _joined(f"{i.get('type')}: {i.get('name')}" for i in interventions)


def _design(document):
    info = dig(_module(document, "designModule"), "designInfo") or {}
    parts = []
    for label, key in DESIGN_PARTS:
        value = info.get(key) if key else dig(info, "maskingInfo", "masking")
        if value is None:
            continue
        who = dig(info, "maskingInfo", "whoMasked") if key is None else None
        parts.append(f"{label}: {value}" + (f" ({', '.join(who)})" if who else ""))
    return " | ".join(parts)


def _other_ids(document):
    module = _module(document, "identificationModule")
    secondary = [info.get("id") for info in items(module, "secondaryIdInfos")]
    return _joined([dig(module, "orgStudyIdInfo", "id"), *secondary])


def _locations(document):
    locations = items(_module(document, "contactsLocationsModule"), "locations")
    keys = ("facility", "city", "state", "zip", "country")
    return _joined(_joined((place.get(key) for key in keys), ", ") for place in locations)


def _document_label(doc: dict) -> str | None:
    if doc.get("label"):
        return doc["label"]
    kinds = [label for key, label in DOCUMENT_KINDS if doc.get(key)]
    return " and ".join(kinds) or None


def _documents(document):
    nct_id = dig(document, PROTOCOL, "identificationModule", "nctId")
    docs = items(document, "documentSection", "largeDocumentModule", "largeDocs")
    return _joined(
        _joined(
            (
                _document_label(doc),
                LARGE_DOCS.format(nct_id[-2:], nct_id, doc["filename"])
                if doc.get("filename")
                else None,
            ),
            ", ",
        )
        for doc in docs
    )


def _value(module, *keys):
    return lambda document: dig(_module(document, module), *keys)


def _list(module, *keys, separator="|", key=None):
    def cell(document):
        values = items(_module(document, module), *keys)
        return _joined((value.get(key) for value in values) if key else values, separator)

    return cell


COLUMNS = {
    "NCT Number": _value("identificationModule", "nctId"),
    "Study Title": _value("identificationModule", "briefTitle"),
    "Study URL": lambda d: STUDY_URL.format(dig(d, PROTOCOL, "identificationModule", "nctId")),
    "Acronym": _value("identificationModule", "acronym"),
    "Study Status": _value("statusModule", "overallStatus"),
    "Brief Summary": _value("descriptionModule", "briefSummary"),
    "Study Results": lambda document: "YES" if document.get("hasResults") else "NO",
    "Conditions": _list("conditionsModule", "conditions"),
    "Interventions": _interventions,
    "Primary Outcome Measures": _outcomes("primaryOutcomes"),
    "Secondary Outcome Measures": _outcomes("secondaryOutcomes"),
    "Other Outcome Measures": _outcomes("otherOutcomes"),
    "Sponsor": _value("sponsorCollaboratorsModule", "leadSponsor", "name"),
    "Collaborators": _list("sponsorCollaboratorsModule", "collaborators", key="name"),
    "Sex": _value("eligibilityModule", "sex"),
    "Age": _list("eligibilityModule", "stdAges", separator=", "),
    "Phases": _list("designModule", "phases"),
    "Enrollment": _value("designModule", "enrollmentInfo", "count"),
    "Funder Type": _value("sponsorCollaboratorsModule", "leadSponsor", "class"),
    "Study Type": _value("designModule", "studyType"),
    "Study Design": _design,
    "Other IDs": _other_ids,
    "Start Date": _date("startDateStruct"),
    "Primary Completion Date": _date("primaryCompletionDateStruct"),
    "Completion Date": _date("completionDateStruct"),
    "First Posted": _date("studyFirstPostDateStruct"),
    "Results First Posted": _date("resultsFirstPostDateStruct"),
    "Last Update Posted": _date("lastUpdatePostDateStruct"),
    "Locations": _locations,
    "Study Documents": _documents,
}
