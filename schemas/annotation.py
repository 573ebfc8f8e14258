"""The registry's `annotationSection`.

Field order is the registry's; see `schemas.fields` for the field types and piece names.
"""

from schemas import enums
from schemas.base import Schema
from schemas.fields import Boolean, Enum, Nested, NormalizedDate, Text


class UnpostedEventSchema(Schema):
    """One `unpostedEvents` entry:
    `annotationSection.annotationModule.unpostedAnnotation.unpostedEvents`."""

    type = Enum(enums.UnpostedEventType, "UnpostedEventType")
    date = NormalizedDate("UnpostedEventDate")
    date_unknown = Boolean("UnpostedEventDateUnknown")


class UnpostedAnnotationSchema(Schema):
    """The `annotationSection.annotationModule.unpostedAnnotation` structure."""

    unposted_responsible_party = Text("UnpostedResponsibleParty", synonyms=True)
    unposted_events = Nested(UnpostedEventSchema, "UnpostedEvent", many=True)


class ViolationEventSchema(Schema):
    """One `violationEvents` entry:
    `annotationSection.annotationModule.violationAnnotation.violationEvents`."""

    type = Enum(enums.ViolationEventType, "ViolationEventType")
    description = Text("ViolationEventDescription", synonyms=True)
    creation_date = NormalizedDate("ViolationEventCreationDate")
    issued_date = NormalizedDate("ViolationEventIssuedDate")
    release_date = NormalizedDate("ViolationEventReleaseDate")
    posted_date = NormalizedDate("ViolationEventPostedDate")


class ViolationAnnotationSchema(Schema):
    """The `annotationSection.annotationModule.violationAnnotation` structure."""

    violation_events = Nested(ViolationEventSchema, "ViolationEvent", many=True)


class AnnotationModuleSchema(Schema):
    """Unposted events and violation events."""

    unposted_annotation = Nested(UnpostedAnnotationSchema, "UnpostedAnnotation")
    violation_annotation = Nested(ViolationAnnotationSchema, "ViolationAnnotation")


class AnnotationSectionSchema(Schema):
    """Notes the registry adds about the record (unposted events, FDAAA violations)."""

    annotation_module = Nested(AnnotationModuleSchema, "AnnotationModule")
