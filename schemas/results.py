"""The registry's `resultsSection`, present once results are posted.

Field order is the registry's; see `schemas.fields` for the field types and piece names.
"""

from schemas import enums
from schemas.base import Schema
from schemas.fields import Boolean, Enum, Integer, List, Markup, Nested, PartialDate, Text


class FlowGroupSchema(Schema):
    """One `groups` entry: `resultsSection.participantFlowModule.groups`."""

    id = Text("FlowGroupId", synonyms=True)
    title = Text("FlowGroupTitle", synonyms=True)
    description = Markup("FlowGroupDescription", max_chars=1500, synonyms=True)


class FlowStatsSchema(Schema):
    """Used at `resultsSection.participantFlowModule.periods.milestones.achievements`,
    `resultsSection.participantFlowModule.periods.dropWithdraws.reasons`."""

    group_id = Text("{}GroupId", synonyms=True)
    comment = Markup("{}Comment", synonyms=True)
    num_subjects = Text("{}NumSubjects", synonyms=True)
    num_units = Text("{}NumUnits", synonyms=True)


class FlowMilestoneSchema(Schema):
    """One `milestones` entry: `resultsSection.participantFlowModule.periods.milestones`."""

    type = Text("FlowMilestoneType", max_chars=100, synonyms=True)
    comment = Markup("FlowMilestoneComment", max_chars=500, synonyms=True)
    achievements = Nested(FlowStatsSchema, "FlowAchievement", many=True)


class DropWithdrawSchema(Schema):
    """One `dropWithdraws` entry:
    `resultsSection.participantFlowModule.periods.dropWithdraws`."""

    type = Text("FlowDropWithdrawType", max_chars=100, synonyms=True)
    comment = Markup("FlowDropWithdrawComment", max_chars=100, synonyms=True)
    reasons = Nested(FlowStatsSchema, "FlowReason", many=True, exclude=("num_units",))


class FlowPeriodSchema(Schema):
    """One `periods` entry: `resultsSection.participantFlowModule.periods`."""

    title = Text("FlowPeriodTitle", max_chars=40, synonyms=True)
    milestones = Nested(FlowMilestoneSchema, "FlowMilestone", many=True)
    drop_withdraws = Nested(DropWithdrawSchema, "FlowDropWithdraw", many=True)


class ParticipantFlowModuleSchema(Schema):
    """How participants moved through the study, period by period."""

    pre_assignment_details = Markup("FlowPreAssignmentDetails", max_chars=500, synonyms=True)
    recruitment_details = Markup("FlowRecruitmentDetails", max_chars=500, synonyms=True)
    type_units_analyzed = Text("FlowTypeUnitsAnalyzed", max_chars=40, synonyms=True)
    groups = Nested(FlowGroupSchema, "FlowGroup", many=True)
    periods = Nested(FlowPeriodSchema, "FlowPeriod", many=True)


class MeasureGroupSchema(Schema):
    """Used at `resultsSection.baselineCharacteristicsModule.groups`,
    `resultsSection.outcomeMeasuresModule.outcomeMeasures.groups`."""

    id = Text("{}Id", synonyms=True)
    title = Text("{}Title", synonyms=True)
    description = Markup("{}Description", synonyms=True)


class DenomCountSchema(Schema):
    """Used at `resultsSection.baselineCharacteristicsModule.denoms.counts`,
    `resultsSection.baselineCharacteristicsModule.measures.denoms.counts`,
    `resultsSection.baselineCharacteristicsModule.measures.classes.denoms.counts`,
    `resultsSection.outcomeMeasuresModule.outcomeMeasures.denoms.counts`,
    `resultsSection.outcomeMeasuresModule.outcomeMeasures.classes.denoms.counts`."""

    group_id = Text("{}GroupId", synonyms=True)
    value = Text("{}Value", synonyms=True)


class DenomSchema(Schema):
    """Used at `resultsSection.baselineCharacteristicsModule.denoms`,
    `resultsSection.baselineCharacteristicsModule.measures.denoms`,
    `resultsSection.baselineCharacteristicsModule.measures.classes.denoms`,
    `resultsSection.outcomeMeasuresModule.outcomeMeasures.denoms`,
    `resultsSection.outcomeMeasuresModule.outcomeMeasures.classes.denoms`."""

    units = Text("{}Units", synonyms=True)
    counts = Nested(DenomCountSchema, "{}Count", many=True)


class MeasurementSchema(Schema):
    """One measured value of a baseline or outcome category, per group.

    Used at `resultsSection.baselineCharacteristicsModule.measures.classes.categories.measurements`
    and `resultsSection.outcomeMeasuresModule.outcomeMeasures.classes.categories.measurements`.
    """

    group_id = Text("{}GroupId", synonyms=True)
    value = Text("{}Value", synonyms=True)
    spread = Text("{}Spread", synonyms=True)
    lower_limit = Text("{}LowerLimit", synonyms=True)
    upper_limit = Text("{}UpperLimit", synonyms=True)
    comment = Markup("{}Comment", synonyms=True)


class MeasureCategorySchema(Schema):
    """Used at `resultsSection.baselineCharacteristicsModule.measures.classes.categories`,
    `resultsSection.outcomeMeasuresModule.outcomeMeasures.classes.categories`."""

    title = Text("{}CategoryTitle", synonyms=True)
    measurements = Nested(MeasurementSchema, "{}Measurement", many=True)


class MeasureClassSchema(Schema):
    """Used at `resultsSection.baselineCharacteristicsModule.measures.classes`,
    `resultsSection.outcomeMeasuresModule.outcomeMeasures.classes`."""

    title = Text("{}ClassTitle", synonyms=True)
    denoms = Nested(DenomSchema, "{}ClassDenom", many=True)
    categories = Nested(MeasureCategorySchema, "{}Category", many=True, prefix="{}")


class BaselineMeasureSchema(Schema):
    """One `measures` entry: `resultsSection.baselineCharacteristicsModule.measures`."""

    title = Text("BaselineMeasureTitle", synonyms=True)
    description = Markup("BaselineMeasureDescription", max_chars=100, synonyms=True)
    population_description = Markup(
        "BaselineMeasurePopulationDescription", max_chars=600, synonyms=True
    )
    param_type = Enum(enums.MeasureParam, "BaselineMeasureParamType")
    dispersion_type = Enum(enums.MeasureDispersionType, "BaselineMeasureDispersionType")
    unit_of_measure = Text("BaselineMeasureUnitOfMeasure", max_chars=40, synonyms=True)
    calculate_pct = Boolean("BaselineMeasureCalculatePct")
    denom_units_selected = Text("BaselineMeasureDenomUnitsSelected", max_chars=40, synonyms=True)
    denoms = Nested(DenomSchema, "BaselineMeasureDenom", many=True)
    classes = Nested(MeasureClassSchema, "BaselineClass", many=True, prefix="Baseline")


class BaselineCharacteristicsModuleSchema(Schema):
    """Participants' characteristics at the start, by group."""

    population_description = Markup("BaselinePopulationDescription", max_chars=500, synonyms=True)
    type_units_analyzed = Text("BaselineTypeUnitsAnalyzed", max_chars=40, synonyms=True)
    groups = Nested(MeasureGroupSchema, "BaselineGroup", many=True)
    denoms = Nested(DenomSchema, "BaselineDenom", many=True)
    measures = Nested(BaselineMeasureSchema, "BaselineMeasure", many=True)


class MeasureAnalysisSchema(Schema):
    """One `analyses` entry:
    `resultsSection.outcomeMeasuresModule.outcomeMeasures.analyses`."""

    param_type = Text("OutcomeAnalysisParamType", max_chars=40, synonyms=True)
    param_value = Text("OutcomeAnalysisParamValue", synonyms=True)
    dispersion_type = Enum(enums.AnalysisDispersionType, "OutcomeAnalysisDispersionType")
    dispersion_value = Text("OutcomeAnalysisDispersionValue", synonyms=True)
    statistical_method = Text("OutcomeAnalysisStatisticalMethod", max_chars=40, synonyms=True)
    statistical_comment = Markup("OutcomeAnalysisStatisticalComment", max_chars=150, synonyms=True)
    p_value = Text("OutcomeAnalysisPValue", synonyms=True)
    p_value_comment = Markup("OutcomeAnalysisPValueComment", max_chars=250, synonyms=True)
    ci_num_sides = Enum(enums.ConfidenceIntervalNumSides, "OutcomeAnalysisCINumSides")
    ci_pct_value = Text("OutcomeAnalysisCIPctValue", synonyms=True)
    ci_lower_limit = Text("OutcomeAnalysisCILowerLimit", synonyms=True)
    ci_upper_limit = Text("OutcomeAnalysisCIUpperLimit", synonyms=True)
    ci_lower_limit_comment = Markup("OutcomeAnalysisCILowerLimitComment", synonyms=True)
    ci_upper_limit_comment = Markup(
        "OutcomeAnalysisCIUpperLimitComment", max_chars=250, synonyms=True
    )
    estimate_comment = Markup("OutcomeAnalysisEstimateComment", max_chars=250, synonyms=True)
    tested_non_inferiority = Boolean("OutcomeAnalysisTestedNonInferiority")
    non_inferiority_type = Enum(enums.NonInferiorityType, "OutcomeAnalysisNonInferiorityType")
    non_inferiority_comment = Markup(
        "OutcomeAnalysisNonInferiorityComment", max_chars=500, synonyms=True
    )
    other_analysis_description = Markup(
        "OutcomeAnalysisOtherAnalysisDescription", max_chars=999, synonyms=True
    )
    group_description = Markup("OutcomeAnalysisGroupDescription", max_chars=500, synonyms=True)
    group_ids = List(Text(), "OutcomeAnalysisGroupId", synonyms=True)


class OutcomeMeasureSchema(Schema):
    """One `outcomeMeasures` entry:
    `resultsSection.outcomeMeasuresModule.outcomeMeasures`."""

    type = Enum(enums.OutcomeMeasureType, "OutcomeMeasureType")
    title = Text("OutcomeMeasureTitle", max_chars=255, synonyms=True)
    description = Markup("OutcomeMeasureDescription", max_chars=999, synonyms=True)
    population_description = Markup(
        "OutcomeMeasurePopulationDescription", max_chars=500, synonyms=True
    )
    reporting_status = Enum(enums.ReportingStatus, "OutcomeMeasureReportingStatus")
    anticipated_posting_date = PartialDate("OutcomeMeasureAnticipatedPostingDate")
    param_type = Enum(enums.MeasureParam, "OutcomeMeasureParamType")
    dispersion_type = Text("OutcomeMeasureDispersionType", synonyms=True)
    unit_of_measure = Text("OutcomeMeasureUnitOfMeasure", max_chars=40, synonyms=True)
    calculate_pct = Boolean("OutcomeMeasureCalculatePct")
    time_frame = Text("OutcomeMeasureTimeFrame", max_chars=255, synonyms=True)
    type_units_analyzed = Text("OutcomeMeasureTypeUnitsAnalyzed", max_chars=40, synonyms=True)
    denom_units_selected = Text("OutcomeMeasureDenomUnitsSelected", synonyms=True)
    groups = Nested(MeasureGroupSchema, "OutcomeGroup", many=True)
    denoms = Nested(DenomSchema, "OutcomeDenom", many=True)
    classes = Nested(MeasureClassSchema, "OutcomeClass", many=True, prefix="Outcome")
    analyses = Nested(MeasureAnalysisSchema, "OutcomeAnalysis", many=True)


class OutcomeMeasuresModuleSchema(Schema):
    """Results for each outcome measure, with statistical analyses."""

    outcome_measures = Nested(OutcomeMeasureSchema, "OutcomeMeasure", many=True)


class EventGroupSchema(Schema):
    """One `eventGroups` entry: `resultsSection.adverseEventsModule.eventGroups`."""

    id = Text("EventGroupId", synonyms=True)
    title = Text("EventGroupTitle", synonyms=True)
    description = Markup("EventGroupDescription", max_chars=1500, synonyms=True)
    deaths_num_affected = Integer("EventGroupDeathsNumAffected", source_type="TEXT")
    deaths_num_at_risk = Integer("EventGroupDeathsNumAtRisk", source_type="TEXT")
    serious_num_affected = Integer("EventGroupSeriousNumAffected", source_type="TEXT")
    serious_num_at_risk = Integer("EventGroupSeriousNumAtRisk", source_type="TEXT")
    other_num_affected = Integer("EventGroupOtherNumAffected", source_type="TEXT")
    other_num_at_risk = Integer("EventGroupOtherNumAtRisk", source_type="TEXT")


class EventStatsSchema(Schema):
    """Used at `resultsSection.adverseEventsModule.seriousEvents.stats`,
    `resultsSection.adverseEventsModule.otherEvents.stats`."""

    group_id = Text("{}GroupId", synonyms=True)
    num_events = Integer("{}NumEvents", source_type="TEXT")
    num_affected = Integer("{}NumAffected", source_type="TEXT")
    num_at_risk = Integer("{}NumAtRisk", source_type="TEXT")


class AdverseEventSchema(Schema):
    """Used at `resultsSection.adverseEventsModule.seriousEvents`,
    `resultsSection.adverseEventsModule.otherEvents`."""

    term = Text("{}Term", synonyms=True)
    organ_system = Text("{}OrganSystem", synonyms=True)
    source_vocabulary = Text("{}SourceVocabulary", synonyms=True)
    assessment_type = Enum(enums.EventAssessment, "{}AssessmentType")
    notes = Markup("{}Notes", synonyms=True)
    stats = Nested(EventStatsSchema, "{}Stats", many=True)


class AdverseEventsModuleSchema(Schema):
    """Serious and other adverse events, by group."""

    frequency_threshold = Text("EventsFrequencyThreshold", synonyms=True)
    time_frame = Text("EventsTimeFrame", max_chars=500, synonyms=True)
    description = Markup("EventsDescription", max_chars=500, synonyms=True)
    all_cause_mortality_comment = Markup("EventsAllCauseMortalityComment", synonyms=True)
    event_groups = Nested(EventGroupSchema, "EventGroup", many=True)
    serious_events = Nested(AdverseEventSchema, "SeriousEvent", many=True)
    other_events = Nested(AdverseEventSchema, "OtherEvent", many=True)


class LimitationsAndCaveatsSchema(Schema):
    """The `resultsSection.moreInfoModule.limitationsAndCaveats` structure."""

    description = Markup("LimitationsAndCaveatsDescription", max_chars=500, synonyms=True)


class CertainAgreementSchema(Schema):
    """The `resultsSection.moreInfoModule.certainAgreement` structure."""

    pi_sponsor_employee = Boolean("AgreementPISponsorEmployee")
    restriction_type = Enum(enums.AgreementRestrictionType, "AgreementRestrictionType")
    restrictive_agreement = Boolean("AgreementRestrictiveAgreement")
    other_details = Markup("AgreementOtherDetails", max_chars=500, synonyms=True)


class PointOfContactSchema(Schema):
    """The `resultsSection.moreInfoModule.pointOfContact` structure."""

    title = Text("PointOfContactTitle", max_chars=1000, synonyms=True)
    organization = Text("PointOfContactOrganization", max_chars=255)
    email = Text("PointOfContactEMail", max_chars=255)
    phone = Text("PointOfContactPhone", max_chars=30)
    phone_ext = Text("PointOfContactPhoneExt", max_chars=10)


class MoreInfoModuleSchema(Schema):
    """Limitations, agreements with investigators, results point of contact."""

    limitations_and_caveats = Nested(LimitationsAndCaveatsSchema, "LimitationsAndCaveats")
    certain_agreement = Nested(CertainAgreementSchema, "CertainAgreement")
    point_of_contact = Nested(PointOfContactSchema, "PointOfContact")


class ResultsSectionSchema(Schema):
    """Posted results: participant flow, baseline, outcome measures, adverse events."""

    participant_flow_module = Nested(ParticipantFlowModuleSchema, "ParticipantFlowModule")
    baseline_characteristics_module = Nested(
        BaselineCharacteristicsModuleSchema, "BaselineCharacteristicsModule"
    )
    outcome_measures_module = Nested(OutcomeMeasuresModuleSchema, "OutcomeMeasuresModule")
    adverse_events_module = Nested(AdverseEventsModuleSchema, "AdverseEventsModule")
    more_info_module = Nested(MoreInfoModuleSchema, "MoreInfoModule")
