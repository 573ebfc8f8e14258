"""The registry's `documentSection`.

Field order is the registry's; see `schemas.fields` for the field types and piece names.
"""

from schemas.base import Schema
from schemas.fields import Boolean, DateTimeMinutes, Long, Nested, NormalizedDate, Text


class LargeDocSchema(Schema):
    """One `largeDocs` entry: `documentSection.largeDocumentModule.largeDocs`."""

    type_abbrev = Text("LargeDocTypeAbbrev", synonyms=True)
    has_protocol = Boolean("LargeDocHasProtocol", source_type="TEXT")
    has_sap = Boolean("LargeDocHasSAP", source_type="TEXT")
    has_icf = Boolean("LargeDocHasICF", source_type="TEXT")
    label = Text("LargeDocLabel", synonyms=True)
    date = NormalizedDate("LargeDocDate")
    upload_date = DateTimeMinutes("LargeDocUploadDate")
    filename = Text("LargeDocFilename")
    size = Long("LargeDocSize", source_type="FUNC FileSize(NCTId, LargeDocFilename)")


class LargeDocumentModuleSchema(Schema):
    """The documents uploaded with the record."""

    no_sap = Boolean("LargeDocNoSAP")
    large_docs = Nested(LargeDocSchema, "LargeDoc", many=True)


class DocumentSectionSchema(Schema):
    """Protocol, statistical analysis plan and consent documents uploaded with the
    record."""

    large_document_module = Nested(LargeDocumentModuleSchema, "LargeDocumentModule")
