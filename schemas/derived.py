"""The registry's `derivedSection`: what the registry computes from a record.

Field order is the registry's; see `schemas.fields` for the field types and piece names.
"""

from schemas import enums
from schemas.base import Schema
from schemas.fields import Boolean, Enum, Integer, List, Nested, NormalizedDate, Number, Text
from schemas.protocol import DateStructSchema


class FirstMcpInfoSchema(Schema):
    """The `derivedSection.miscInfoModule.submissionTracking.firstMcpInfo` structure."""

    post_date_struct = Nested(DateStructSchema, "FirstMCPPostDateStruct", prefix="FirstMCPPostDate")


class SubmissionInfoSchema(Schema):
    """One `submissionInfos` entry:
    `derivedSection.miscInfoModule.submissionTracking.submissionInfos`."""

    release_date = NormalizedDate("SubmissionReleaseDate")
    unrelease_date = NormalizedDate("SubmissionUnreleaseDate")
    unrelease_date_unknown = Boolean("SubmissionUnreleaseDateUnknown")
    reset_date = NormalizedDate("SubmissionResetDate")
    mcp_release_n = Integer("SubmissionMCPReleaseN")


class SubmissionTrackingSchema(Schema):
    """The `derivedSection.miscInfoModule.submissionTracking` structure."""

    estimated_results_first_submit_date = NormalizedDate("EstimatedResultsFirstSubmitDate")
    first_mcp_info = Nested(FirstMcpInfoSchema, "FirstMCPInfo")
    submission_infos = Nested(SubmissionInfoSchema, "SubmissionInfo", many=True)


class BmiLimitsSchema(Schema):
    """Body-mass-index limits of the historic `modelPredictions`."""

    min_bmi = Number("MinBmi", historic_only=True)
    max_bmi = Number("MaxBmi", historic_only=True)


class ModelPredictionsSchema(Schema):
    """Historic registry predictions (`derivedSection.miscInfoModule.modelPredictions`)."""

    bmi_limits = Nested(BmiLimitsSchema, "BmiLimits", historic_only=True)


class MiscInfoModuleSchema(Schema):
    """Registry bookkeeping: version date, removed countries, submission tracking."""

    version_holder = NormalizedDate("VersionHolder")
    removed_countries = List(Text(), "RemovedCountry")
    submission_tracking = Nested(SubmissionTrackingSchema, "SubmissionTracking")
    # Historic: older captures carry it; the registry's 2.0.5 spec no longer lists it.
    model_predictions = Nested(ModelPredictionsSchema, "ModelPredictions", historic_only=True)


class MeshSchema(Schema):
    """Used at `derivedSection.conditionBrowseModule.meshes`,
    `derivedSection.conditionBrowseModule.ancestors`,
    `derivedSection.interventionBrowseModule.meshes`,
    `derivedSection.interventionBrowseModule.ancestors`."""

    id = Text("{}Id")
    term = Text("{}Term", synonyms=True)


class BrowseLeafSchema(Schema):
    """Used at `derivedSection.conditionBrowseModule.browseLeaves`,
    `derivedSection.interventionBrowseModule.browseLeaves`."""

    id = Text("{}Id")
    name = Text("{}Name", synonyms=True)
    as_found = Text("{}AsFound", synonyms=True)
    relevance = Enum(enums.BrowseLeafRelevance, "{}Relevance")


class BrowseBranchSchema(Schema):
    """Used at `derivedSection.conditionBrowseModule.browseBranches`,
    `derivedSection.interventionBrowseModule.browseBranches`."""

    abbrev = Text("{}Abbrev", synonyms=True)
    name = Text("{}Name", synonyms=True)


class BrowseModuleSchema(Schema):
    """MeSH terms the registry matched to the conditions or interventions, with ancestors
    and browse tree."""

    meshes = Nested(MeshSchema, "{}Mesh", many=True)
    ancestors = Nested(MeshSchema, "{}Ancestor", many=True)
    browse_leaves = Nested(BrowseLeafSchema, "{}BrowseLeaf", many=True)
    browse_branches = Nested(BrowseBranchSchema, "{}BrowseBranch", many=True)


class DerivedSectionSchema(Schema):
    """What the registry computes from the record: MeSH terms, tracking dates."""

    misc_info_module = Nested(MiscInfoModuleSchema, "MiscInfoModule")
    condition_browse_module = Nested(
        BrowseModuleSchema, "ConditionBrowseModule", prefix="Condition"
    )
    intervention_browse_module = Nested(
        BrowseModuleSchema, "InterventionBrowseModule", prefix="Intervention"
    )
