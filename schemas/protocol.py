"""The registry's `protocolSection`: what a sponsor registers about a study.

Field order is the registry's; see `schemas.fields` for the field types and piece names.
"""

from schemas import enums
from schemas.base import Schema
from schemas.fields import (
    Boolean,
    Enum,
    Integer,
    List,
    Markup,
    NctId,
    Nested,
    NormalizedDate,
    NormalizedTime,
    Number,
    PartialDate,
    Text,
)


class OrgStudyIdInfoSchema(Schema):
    """The `protocolSection.identificationModule.orgStudyIdInfo` structure."""

    id = Text("OrgStudyId", max_chars=30, synonyms=True)
    type = Enum(enums.OrgStudyIdType, "OrgStudyIdType")
    link = Text("OrgStudyIdLink")


class SecondaryIdInfoSchema(Schema):
    """One `secondaryIdInfos` entry:
    `protocolSection.identificationModule.secondaryIdInfos`."""

    id = Text("SecondaryId", max_chars=30, synonyms=True)
    type = Enum(enums.SecondaryIdType, "SecondaryIdType")
    domain = Text("SecondaryIdDomain", max_chars=119, synonyms=True)
    link = Text("SecondaryIdLink")


class OrganizationSchema(Schema):
    """The `protocolSection.identificationModule.organization` structure."""

    full_name = Text("OrgFullName")
    class_ = Enum(enums.AgencyClass, "OrgClass")


class IdentificationModuleSchema(Schema):
    """The study's identifiers and titles."""

    nct_id = NctId("NCTId", max_chars=11, required=True)
    nct_id_aliases = List(NctId(), "NCTIdAlias", synonyms=True)
    org_study_id_info = Nested(OrgStudyIdInfoSchema, "OrgStudyIdInfo")
    secondary_id_infos = Nested(SecondaryIdInfoSchema, "SecondaryIdInfo", many=True)
    brief_title = Text("BriefTitle", max_chars=300, synonyms=True)
    official_title = Text("OfficialTitle", max_chars=600, synonyms=True)
    acronym = Text("Acronym", max_chars=14, synonyms=True)
    organization = Nested(OrganizationSchema, "Organization")


class ExpandedAccessInfoSchema(Schema):
    """The `protocolSection.statusModule.expandedAccessInfo` structure."""

    has_expanded_access = Boolean("HasExpandedAccess", source_type="TEXT")
    nct_id = Text("ExpandedAccessNCTId", synonyms=True)
    status_for_nct_id = Enum(enums.ExpandedAccessStatus, "ExpandedAccessStatusForNCTId")


class PartialDateStructSchema(Schema):
    """Used at `protocolSection.statusModule.startDateStruct`,
    `protocolSection.statusModule.primaryCompletionDateStruct`,
    `protocolSection.statusModule.completionDateStruct`."""

    date = PartialDate("{}")
    type = Enum(enums.DateType, "{}Type")


class DateStructSchema(Schema):
    """Used at `protocolSection.statusModule.studyFirstPostDateStruct`,
    `protocolSection.statusModule.resultsFirstPostDateStruct`,
    `protocolSection.statusModule.dispFirstPostDateStruct`,
    `protocolSection.statusModule.lastUpdatePostDateStruct`,
    `derivedSection.miscInfoModule.submissionTracking.firstMcpInfo.postDateStruct`."""

    date = NormalizedDate("{}")
    type = Enum(enums.DateType, "{}Type")


class StatusModuleSchema(Schema):
    """Recruitment status and the study's key dates."""

    status_verified_date = PartialDate("StatusVerifiedDate")
    overall_status = Enum(enums.Status, "OverallStatus")
    last_known_status = Enum(enums.Status, "LastKnownStatus")
    delayed_posting = Boolean("DelayedPosting")
    why_stopped = Markup("WhyStopped", synonyms=True)
    expanded_access_info = Nested(ExpandedAccessInfoSchema, "ExpandedAccessInfo")
    start_date_struct = Nested(PartialDateStructSchema, "StartDateStruct", prefix="StartDate")
    primary_completion_date_struct = Nested(
        PartialDateStructSchema, "PrimaryCompletionDateStruct", prefix="PrimaryCompletionDate"
    )
    completion_date_struct = Nested(
        PartialDateStructSchema, "CompletionDateStruct", prefix="CompletionDate"
    )
    study_first_submit_date = NormalizedDate("StudyFirstSubmitDate")
    study_first_submit_qc_date = NormalizedDate("StudyFirstSubmitQCDate")
    study_first_post_date_struct = Nested(
        DateStructSchema, "StudyFirstPostDateStruct", prefix="StudyFirstPostDate"
    )
    results_waived = Boolean("ResultsWaived")
    results_first_submit_date = NormalizedDate("ResultsFirstSubmitDate")
    results_first_submit_qc_date = NormalizedDate("ResultsFirstSubmitQCDate")
    results_first_post_date_struct = Nested(
        DateStructSchema, "ResultsFirstPostDateStruct", prefix="ResultsFirstPostDate"
    )
    disp_first_submit_date = NormalizedDate("DispFirstSubmitDate")
    disp_first_submit_qc_date = NormalizedDate("DispFirstSubmitQCDate")
    disp_first_post_date_struct = Nested(
        DateStructSchema, "DispFirstPostDateStruct", prefix="DispFirstPostDate"
    )
    last_update_submit_date = NormalizedDate("LastUpdateSubmitDate")
    last_update_post_date_struct = Nested(
        DateStructSchema, "LastUpdatePostDateStruct", prefix="LastUpdatePostDate"
    )


class ResponsiblePartySchema(Schema):
    """The `protocolSection.sponsorCollaboratorsModule.responsibleParty` structure."""

    type = Enum(enums.ResponsiblePartyType, "ResponsiblePartyType")
    investigator_full_name = Text("ResponsiblePartyInvestigatorFullName", synonyms=True)
    investigator_title = Text("ResponsiblePartyInvestigatorTitle", max_chars=254, synonyms=True)
    investigator_affiliation = Text(
        "ResponsiblePartyInvestigatorAffiliation", max_chars=160, synonyms=True
    )
    old_name_title = Text("ResponsiblePartyOldNameTitle", synonyms=True)
    old_organization = Text("ResponsiblePartyOldOrganization", synonyms=True)


class SponsorSchema(Schema):
    """Used at `protocolSection.sponsorCollaboratorsModule.leadSponsor`,
    `protocolSection.sponsorCollaboratorsModule.collaborators`."""

    name = Text("{}Name", max_chars=160)
    class_ = Enum(enums.AgencyClass, "{}Class")


class SponsorCollaboratorsModuleSchema(Schema):
    """Who runs and funds the study."""

    responsible_party = Nested(ResponsiblePartySchema, "ResponsibleParty")
    lead_sponsor = Nested(SponsorSchema, "LeadSponsor")
    collaborators = Nested(SponsorSchema, "Collaborator", many=True)


class OversightModuleSchema(Schema):
    """Regulatory oversight: FDA regulation, data monitoring committee."""

    oversight_has_dmc = Boolean("OversightHasDMC")
    is_fda_regulated_drug = Boolean("IsFDARegulatedDrug")
    is_fda_regulated_device = Boolean("IsFDARegulatedDevice")
    is_unapproved_device = Boolean("IsUnapprovedDevice")
    is_ppsd = Boolean("IsPPSD")
    is_us_export = Boolean("IsUSExport")
    fdaaa801_violation = Boolean("FDAAA801Violation")


class DescriptionModuleSchema(Schema):
    """The brief summary and detailed description (markdown)."""

    brief_summary = Markup("BriefSummary", max_chars=5000, synonyms=True)
    detailed_description = Markup("DetailedDescription", max_chars=32000, synonyms=True)


class ConditionsModuleSchema(Schema):
    """The conditions studied and the sponsor's keywords."""

    conditions = List(Text(), "Condition", max_chars=160, synonyms=True)
    keywords = List(Text(), "Keyword", synonyms=True)


class ExpandedAccessTypesSchema(Schema):
    """The `protocolSection.designModule.expandedAccessTypes` structure."""

    individual = Boolean("ExpAccTypeIndividual")
    intermediate = Boolean("ExpAccTypeIntermediate")
    treatment = Boolean("ExpAccTypeTreatment")


class MaskingBlockSchema(Schema):
    """The `protocolSection.designModule.designInfo.maskingInfo` structure."""

    masking = Enum(enums.DesignMasking, "DesignMasking")
    masking_description = Markup("DesignMaskingDescription", max_chars=1000, synonyms=True)
    who_masked = List(Enum(enums.WhoMasked), "DesignWhoMasked")


class DesignInfoSchema(Schema):
    """The `protocolSection.designModule.designInfo` structure."""

    allocation = Enum(enums.DesignAllocation, "DesignAllocation")
    intervention_model = Enum(enums.InterventionalAssignment, "DesignInterventionModel")
    intervention_model_description = Markup("DesignInterventionModelDescription", synonyms=True)
    primary_purpose = Enum(enums.PrimaryPurpose, "DesignPrimaryPurpose")
    observational_model = Enum(enums.ObservationalModel, "DesignObservationalModel")
    time_perspective = Enum(enums.DesignTimePerspective, "DesignTimePerspective")
    masking_info = Nested(MaskingBlockSchema, "DesignMaskingInfo")


class BioSpecSchema(Schema):
    """The `protocolSection.designModule.bioSpec` structure."""

    retention = Enum(enums.BioSpecRetention, "BioSpecRetention")
    description = Markup("BioSpecDescription", max_chars=1000, synonyms=True)


class EnrollmentInfoSchema(Schema):
    """The `protocolSection.designModule.enrollmentInfo` structure."""

    count = Integer("EnrollmentCount")
    type = Enum(enums.EnrollmentType, "EnrollmentType")


class DesignModuleSchema(Schema):
    """Study type, phases, design, enrollment."""

    study_type = Enum(enums.StudyType, "StudyType")
    n_ptrs_to_this_exp_acc_nct_id = Number("NPtrsToThisExpAccNCTId")
    expanded_access_types = Nested(ExpandedAccessTypesSchema, "ExpandedAccessTypes")
    patient_registry = Boolean("PatientRegistry")
    target_duration = NormalizedTime("TargetDuration")
    phases = List(Enum(enums.Phase), "Phase")
    design_info = Nested(DesignInfoSchema, "DesignInfo")
    bio_spec = Nested(BioSpecSchema, "BioSpec")
    enrollment_info = Nested(EnrollmentInfoSchema, "EnrollmentInfo")


class ArmGroupSchema(Schema):
    """One `armGroups` entry: `protocolSection.armsInterventionsModule.armGroups`."""

    label = Text("ArmGroupLabel", max_chars=100, synonyms=True)
    type = Enum(enums.ArmGroupType, "ArmGroupType")
    description = Markup("ArmGroupDescription", max_chars=999, synonyms=True)
    intervention_names = List(Text(), "ArmGroupInterventionName", synonyms=True)


class InterventionSchema(Schema):
    """One `interventions` entry:
    `protocolSection.armsInterventionsModule.interventions`."""

    type = Enum(enums.InterventionType, "InterventionType")
    name = Text("InterventionName", max_chars=200, synonyms=True)
    description = Markup("InterventionDescription", max_chars=1000, synonyms=True)
    arm_group_labels = List(Text(), "InterventionArmGroupLabel", synonyms=True)
    other_names = List(Text(), "InterventionOtherName", synonyms=True)


class ArmsInterventionsModuleSchema(Schema):
    """Arms (groups of participants) and the interventions they receive."""

    arm_groups = Nested(ArmGroupSchema, "ArmGroup", many=True)
    interventions = Nested(InterventionSchema, "Intervention", many=True)


class OutcomeSchema(Schema):
    """Used at `protocolSection.outcomesModule.primaryOutcomes`,
    `protocolSection.outcomesModule.secondaryOutcomes`,
    `protocolSection.outcomesModule.otherOutcomes`."""

    measure = Text("{}Measure", synonyms=True)
    description = Markup("{}Description", synonyms=True)
    time_frame = Text("{}TimeFrame", synonyms=True)


class OutcomesModuleSchema(Schema):
    """Primary, secondary and other outcome measures as registered."""

    primary_outcomes = Nested(OutcomeSchema, "PrimaryOutcome", many=True)
    secondary_outcomes = Nested(OutcomeSchema, "SecondaryOutcome", many=True)
    other_outcomes = Nested(OutcomeSchema, "OtherOutcome", many=True)


class EligibilityModuleSchema(Schema):
    """Who may take part: criteria (markdown), sex, ages, healthy volunteers."""

    eligibility_criteria = Markup("EligibilityCriteria", max_chars=20000, synonyms=True)
    healthy_volunteers = Boolean("HealthyVolunteers")
    sex = Enum(enums.Sex, "Sex")
    gender_based = Boolean("GenderBased")
    gender_description = Markup("GenderDescription", max_chars=1000, synonyms=True)
    minimum_age = NormalizedTime("MinimumAge")
    maximum_age = NormalizedTime("MaximumAge")
    std_ages = List(Enum(enums.StandardAge), "StdAge")
    study_population = Markup("StudyPopulation", max_chars=1000, synonyms=True)
    sampling_method = Enum(enums.SamplingMethod, "SamplingMethod")


class ContactSchema(Schema):
    """Used at `protocolSection.contactsLocationsModule.centralContacts`,
    `protocolSection.contactsLocationsModule.locations.contacts`."""

    name = Text("{}Name")
    role = Enum(enums.ContactRole, "{}Role")
    phone = Text("{}Phone")
    phone_ext = Text("{}PhoneExt")
    email = Text("{}EMail")


class OfficialSchema(Schema):
    """One `overallOfficials` entry:
    `protocolSection.contactsLocationsModule.overallOfficials`."""

    name = Text("OverallOfficialName")
    affiliation = Text("OverallOfficialAffiliation", max_chars=255)
    role = Enum(enums.OfficialRole, "OverallOfficialRole")


class GeoPointSchema(Schema):
    """A site's coordinates, computed by the registry from its address."""

    lat = Number(required=True)
    lon = Number(required=True)


class LocationSchema(Schema):
    """One `locations` entry: `protocolSection.contactsLocationsModule.locations`."""

    facility = Text("LocationFacility", max_chars=254)
    status = Enum(enums.RecruitmentStatus, "LocationStatus")
    city = Text("LocationCity")
    state = Text("LocationState")
    zip = Text("LocationZip")
    country = Text("LocationCountry")
    contacts = Nested(ContactSchema, "LocationContact", many=True)
    geo_point = Nested(
        GeoPointSchema,
        "LocationGeoPoint",
        source_type="FUNC GeoPoint(LocationCity, LocationState, LocationZip, LocationCountry, LocationLatitude, LocationLongitude, OverallStatus, LastUpdatePostDate)",
    )


class ContactsLocationsModuleSchema(Schema):
    """Contacts, responsible officials and study sites."""

    central_contacts = Nested(ContactSchema, "CentralContact", many=True)
    overall_officials = Nested(OfficialSchema, "OverallOfficial", many=True)
    locations = Nested(LocationSchema, "Location", many=True, nested_search=True)


class RetractionSchema(Schema):
    """One `retractions` entry:
    `protocolSection.referencesModule.references.retractions`."""

    pmid = Text("RetractionPMID")
    source = Text("RetractionSource", synonyms=True)


class ReferenceSchema(Schema):
    """One `references` entry: `protocolSection.referencesModule.references`."""

    pmid = Text("ReferencePMID")
    type = Enum(enums.ReferenceType, "ReferenceType")
    citation = Text("ReferenceCitation", max_chars=2000, synonyms=True)
    retractions = Nested(RetractionSchema, "Retraction", many=True)


class SeeAlsoLinkSchema(Schema):
    """One `seeAlsoLinks` entry: `protocolSection.referencesModule.seeAlsoLinks`."""

    label = Markup("SeeAlsoLinkLabel", max_chars=254, synonyms=True)
    url = Text("SeeAlsoLinkURL", max_chars=3999)


class AvailIpdSchema(Schema):
    """One `availIpds` entry: `protocolSection.referencesModule.availIpds`."""

    id = Text("AvailIPDId", max_chars=30, synonyms=True)
    type = Text("AvailIPDType", max_chars=254, synonyms=True)
    url = Text("AvailIPDURL", max_chars=3999)
    comment = Markup("AvailIPDComment", max_chars=1000, synonyms=True)


class ReferencesModuleSchema(Schema):
    """Publications, links and available individual participant data."""

    references = Nested(ReferenceSchema, "Reference", many=True)
    see_also_links = Nested(SeeAlsoLinkSchema, "SeeAlsoLink", many=True)
    avail_ipds = Nested(AvailIpdSchema, "AvailIPD", many=True)


class IpdSharingStatementModuleSchema(Schema):
    """Whether and how individual participant data will be shared."""

    ipd_sharing = Enum(enums.IpdSharing, "IPDSharing")
    description = Markup("IPDSharingDescription", max_chars=1000, synonyms=True)
    info_types = List(Enum(enums.IpdSharingInfoType), "IPDSharingInfoType")
    time_frame = Markup("IPDSharingTimeFrame", max_chars=1000, synonyms=True)
    access_criteria = Markup("IPDSharingAccessCriteria", max_chars=1000, synonyms=True)
    url = Text("IPDSharingURL", max_chars=3999)


class ProtocolSectionSchema(Schema):
    """What the sponsor registered: identification, status, design, eligibility, sites."""

    identification_module = Nested(
        IdentificationModuleSchema, "IdentificationModule", required=True
    )
    status_module = Nested(StatusModuleSchema, "StatusModule")
    sponsor_collaborators_module = Nested(
        SponsorCollaboratorsModuleSchema, "SponsorCollaboratorsModule"
    )
    oversight_module = Nested(OversightModuleSchema, "OversightModule")
    description_module = Nested(DescriptionModuleSchema, "DescriptionModule")
    conditions_module = Nested(ConditionsModuleSchema, "ConditionsModule")
    design_module = Nested(DesignModuleSchema, "DesignModule")
    arms_interventions_module = Nested(ArmsInterventionsModuleSchema, "ArmsInterventionsModule")
    outcomes_module = Nested(OutcomesModuleSchema, "OutcomesModule")
    eligibility_module = Nested(EligibilityModuleSchema, "EligibilityModule")
    contacts_locations_module = Nested(ContactsLocationsModuleSchema, "ContactsLocationsModule")
    references_module = Nested(ReferencesModuleSchema, "ReferencesModule")
    ipd_sharing_statement_module = Nested(
        IpdSharingStatementModuleSchema, "IPDSharingStatementModule"
    )
