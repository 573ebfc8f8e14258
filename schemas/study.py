"""The registry's `Study` document, the root of the tree.

Field order is the registry's; see `schemas.fields` for the field types and piece names.
"""

from schemas.base import Schema
from schemas.fields import Boolean, Nested
from schemas.annotation import AnnotationSectionSchema
from schemas.derived import DerivedSectionSchema
from schemas.document import DocumentSectionSchema
from schemas.protocol import ProtocolSectionSchema
from schemas.results import ResultsSectionSchema


class StudySchema(Schema):
    """A study record, the registry's `Study` document: five sections and `hasResults`."""

    protocol_section = Nested(ProtocolSectionSchema, "ProtocolSection", required=True)
    results_section = Nested(ResultsSectionSchema, "ResultsSection")
    annotation_section = Nested(AnnotationSectionSchema, "AnnotationSection")
    document_section = Nested(DocumentSectionSchema, "DocumentSection")
    derived_section = Nested(DerivedSectionSchema, "DerivedSection")
    has_results = Boolean("HasResults", source_type="FUNC Present(ResultsFirstSubmitDate)")
