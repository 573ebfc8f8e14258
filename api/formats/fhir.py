"""`format=fhir.json`: the study as a FHIR R4 Bundle (type `collection`).

The Bundle holds a `ResearchStudy` (profile `study-registry-record` of the HL7 EBM IG, as the
registry's own FHIR output declares, REFERENCE.md §12), its lead sponsor (`Organization`),
principal investigator (`Practitioner`), sites (`Location`) and an eligibility `Group`
(criteria text, age range, sex, healthy volunteers; `quantity` is the enrolment count).
Entries reference each other by `urn:uuid:` full URLs derived from the NCT number, so the
same study always gives the same Bundle. Codes: `api.formats.fhir_codes`.
"""

from __future__ import annotations

import uuid

from api.formats import fhir_codes as codes
from api.formats.fhir_resources import clean, group, location, organization, text
from api.formats.study import STUDY_URL, FieldsError, StudyText, dig, dumps, items

MEDIA_TYPE = "application/fhir+json"
PROFILE = "http://hl7.org/fhir/uv/ebm/StructureDefinition/study-registry-record"
# HL7 Terminology's NamingSystem `ClinicalTrials-Gov`: the preferred URI for NCT numbers.
NCT_SYSTEM = "https://clinicaltrials.gov/nctid"
LARGE_DOCS = "https://cdn.clinicaltrials.gov/large-docs/{}/{}/{}"
PUBMED = "https://pubmed.ncbi.nlm.nih.gov/{}/"
FIELDS_REFUSED = (
    "Parameter 'fields' must not be specified with format 'fhir.json': fields are not customizable"
)


def _entry(nct_id: str, resource: dict) -> dict:
    name = f"{STUDY_URL.format(nct_id)}#{resource['resourceType']}/{resource['id']}"
    return {"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}", "resource": resource}


def _reference(entry: dict, display: str | None = None) -> dict:
    return {"reference": entry["fullUrl"], **({"display": display} if display else {})}


def _principal_investigator(protocol: dict) -> str | None:
    for official in items(protocol, "contactsLocationsModule", "overallOfficials"):
        if official.get("role") == "PRINCIPAL_INVESTIGATOR" and official.get("name"):
            return official["name"]
    party = dig(protocol, "sponsorCollaboratorsModule", "responsibleParty") or {}
    if party.get("type") in ("PRINCIPAL_INVESTIGATOR", "SPONSOR_INVESTIGATOR"):
        return party.get("investigatorFullName")
    return None


def _phase(design: dict) -> dict | None:
    phases = tuple(design.get("phases") or ())
    if phases not in codes.PHASES:
        return None
    return {
        "coding": [codes.coding(codes.PHASE_SYSTEM, *codes.PHASES[phases])],
        "text": "|".join(phases),
    }


def _purpose(design: dict) -> dict | None:
    purpose = dig(design, "designInfo", "primaryPurpose")
    if purpose is None:
        return None
    concept = text(purpose)
    if purpose in codes.PURPOSES:
        concept["coding"] = [codes.coding(codes.PURPOSE_SYSTEM, *codes.PURPOSES[purpose])]
    return concept


def _identifiers(nct_id: str, identification: dict) -> list[dict]:
    found = [{"use": "official", "system": NCT_SYSTEM, "value": nct_id}]
    if org_id := dig(identification, "orgStudyIdInfo", "id"):
        found.append({"use": "secondary", "type": text("Org Study ID"), "value": org_id})
    for info in items(identification, "secondaryIdInfos"):
        kind = info.get("type") or "Secondary ID"
        found.append({"use": "secondary", "type": text(kind), "value": info.get("id")})
    return found


def _contacts(protocol: dict) -> list[dict]:
    found = []
    for person in items(protocol, "contactsLocationsModule", "centralContacts"):
        phone = " ext ".join(filter(None, (person.get("phone"), person.get("phoneExt"))))
        telecom = [
            {"system": system, "value": value}
            for system, value in (("phone", phone), ("email", person.get("email")))
            if value
        ]
        found.append(clean({"name": person.get("name"), "telecom": telecom}))
    return found


def _related(nct_id: str, document: dict) -> list[dict]:
    references = dig(document, "protocolSection", "referencesModule") or {}
    found = [
        clean(
            {
                "type": "citation",
                "citation": ref.get("citation"),
                "url": PUBMED.format(ref["pmid"]) if ref.get("pmid") else None,
            }
        )
        for ref in items(references, "references")
    ]
    found += [
        clean({"type": "documentation", "display": link.get("label"), "url": link.get("url")})
        for link in items(references, "seeAlsoLinks")
    ]
    for doc in items(document, "documentSection", "largeDocumentModule", "largeDocs"):
        url = (
            LARGE_DOCS.format(nct_id[-2:], nct_id, doc["filename"]) if doc.get("filename") else None
        )
        found.append(clean({"type": "documentation", "display": doc.get("label"), "url": url}))
    return found


def _arms(protocol: dict) -> list[dict]:
    return [
        clean(
            {
                "name": arm.get("label"),
                "type": text(arm["type"]) if arm.get("type") else None,
                "description": arm.get("description"),
            }
        )
        for arm in items(protocol, "armsInterventionsModule", "armGroups")
        if arm.get("label")
    ]


def _topics(protocol: dict) -> dict:
    """What the study is about: design codes, interventions, conditions, keywords, countries."""
    design = protocol.get("designModule", {})
    conditions = protocol.get("conditionsModule", {})
    interventions = items(protocol, "armsInterventionsModule", "interventions")
    sites = items(protocol, "contactsLocationsModule", "locations")
    countries = dict.fromkeys(site["country"] for site in sites if site.get("country"))
    return {
        "primaryPurposeType": _purpose(design),
        "phase": _phase(design),
        "category": [text(design["studyType"])] if design.get("studyType") else [],
        "focus": [text(i["name"]) for i in interventions if i.get("name")],
        "condition": [text(name) for name in conditions.get("conditions", [])],
        "keyword": [text(word) for word in conditions.get("keywords", [])],
        "location": [text(country) for country in countries],
    }


def _research_study(nct_id: str, document: dict, references: dict) -> dict:
    protocol = document.get("protocolSection", {})
    identification = protocol.get("identificationModule", {})
    status = protocol.get("statusModule", {})
    description = protocol.get("descriptionModule", {})
    period = {
        "start": dig(status, "startDateStruct", "date"),
        "end": dig(status, "completionDateStruct", "date"),
    }
    study = {
        "resourceType": "ResearchStudy",
        "id": nct_id,
        "meta": {"profile": [PROFILE]},
        "identifier": _identifiers(nct_id, identification),
        "title": identification.get("briefTitle"),
        "status": codes.status(status.get("overallStatus"), status.get("lastKnownStatus")),
        **_topics(protocol),
        "contact": _contacts(protocol),
        "relatedArtifact": _related(nct_id, document),
        "description": description.get("briefSummary"),
        "enrollment": [references["Group"]],
        "period": clean(period),
        "sponsor": references.get("Organization"),
        "principalInvestigator": references.get("Practitioner"),
        "site": references.get("Location", []),
        "reasonStopped": text(status["whyStopped"]) if status.get("whyStopped") else None,
        "note": [{"text": description["detailedDescription"]}]
        if description.get("detailedDescription")
        else [],
        "arm": _arms(protocol),
    }
    return clean(study)


def _supporting(nct_id: str, protocol: dict) -> tuple[list[dict], dict]:
    """The entries the ResearchStudy points to, and its references to them by type."""
    entries, references = [], {}
    cohort = _entry(nct_id, group(nct_id, protocol))
    entries.append(cohort)
    references["Group"] = _reference(cohort)
    sponsor = dig(protocol, "sponsorCollaboratorsModule", "leadSponsor")
    if sponsor and sponsor.get("name"):
        entry = _entry(nct_id, organization(nct_id, sponsor))
        entries.append(entry)
        references["Organization"] = _reference(entry, sponsor["name"])
    if name := _principal_investigator(protocol):
        entry = _entry(
            nct_id, {"resourceType": "Practitioner", "id": f"{nct_id}-pi", "name": [{"text": name}]}
        )
        entries.append(entry)
        references["Practitioner"] = _reference(entry, name)
    for number, site in enumerate(items(protocol, "contactsLocationsModule", "locations"), 1):
        entry = _entry(nct_id, location(nct_id, number, site))
        entries.append(entry)
        references.setdefault("Location", []).append(_reference(entry, site.get("facility")))
    return entries, references


def bundle(nct_id: str, document: dict) -> dict:
    """The FHIR R4 Bundle of one study document."""
    entries, references = _supporting(nct_id, document.get("protocolSection", {}))
    study = _entry(nct_id, _research_study(nct_id, document, references))
    return {
        "resourceType": "Bundle",
        "id": nct_id,
        "type": "collection",
        "entry": [study, *entries],
    }


def select(fields: list[str] | None, query_areas=None) -> None:
    """`fields=` is refused: the registry's FHIR output is not customizable."""
    if fields is not None:
        raise FieldsError(FIELDS_REFUSED)


def render(study: StudyText) -> str:
    """`GET /studies/{nctId}?format=fhir.json`: the Bundle as JSON text."""
    return dumps(bundle(study.nct_id, study.document))
