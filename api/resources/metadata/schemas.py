"""Parameters and responses of the data model endpoints, shaped as the official spec's
`FieldNode`, `EnumInfo` and `SearchDocument` components (names, keys, key order)."""

import marshmallow as ma

from api.query import QuerySchema
from schemas.base import Schema


def invalid_value(parameter: str) -> str:
    """The registry's wording for a value a parameter cannot take."""
    return f"Invalid value in parameter `{parameter}`: `{{input}}`"


class MetadataQuery(QuerySchema):
    """Query parameters of `GET /studies/metadata`."""

    include_indexed_only = ma.fields.Boolean(
        data_key="includeIndexedOnly",
        load_default=False,
        error_messages={"invalid": invalid_value("includeIndexedOnly")},
        metadata={
            "description": "Include indexed-only fields, if `true`. This server has "
            "none, so the tree is the same either way."
        },
    )
    include_historic_only = ma.fields.Boolean(
        data_key="includeHistoricOnly",
        load_default=False,
        error_messages={"invalid": invalid_value("includeHistoricOnly")},
        metadata={
            "description": "Include fields available only in historic data (marked "
            "`historicOnly`), if `true`."
        },
    )


class WebLinkSchema(Schema):
    """A link to the registry's data element definitions."""

    label = ma.fields.String(required=True)
    url = ma.fields.String(required=True)


class FieldNodeSchema(Schema):
    """One field of the Study document; a structure has `children`.

    Keys come in the registry's order. This server fills `name`, `piece`, `sourceType`,
    `type` and, where they apply, `nested`, `maxChars`, `isEnum`, `synonyms`,
    `historicOnly`, `children`; the registry's prose (`title`, `description`, `rules`,
    `dedLink`) and legacy names are not reproduced.
    """

    name = ma.fields.String(required=True, metadata={"example": "nctId"})
    piece = ma.fields.String(required=True, metadata={"example": "NCTId"})
    title = ma.fields.String()
    nested = ma.fields.Boolean(
        metadata={"description": "Essie `SEARCH[...]` matches within one element of this list."}
    )
    source_type = ma.fields.String(
        required=True,
        metadata={
            "description": "STRUCT, TEXT, MARKUP, DATE, BOOLEAN, NUMERIC or TIME.",
            "example": "TEXT",
        },
    )
    max_chars = ma.fields.Integer(metadata={"format": "int32"})
    type = ma.fields.String(
        required=True,
        metadata={
            "description": "`text`, `markup`, `boolean`, `integer`, "
            "`long`, `number`, a date or time type, an enum name or a "
            "structure name; `X[]` is a list of X.",
            "example": "text",
        },
    )
    is_enum = ma.fields.Boolean()
    synonyms = ma.fields.Boolean()
    description = ma.fields.String()
    rules = ma.fields.String()
    alt_piece_names = ma.fields.List(ma.fields.String())
    ded_link = ma.fields.Nested(WebLinkSchema)
    historic_only = ma.fields.Boolean()
    indexed_only = ma.fields.Boolean()
    children = ma.fields.List(ma.fields.Nested(lambda: FieldNodeSchema()))


class EnumItemSchema(Schema):
    """One value of an enum and its label in the registry's legacy interface."""

    value = ma.fields.String(required=True, metadata={"example": "ESTIMATED"})
    legacy_value = ma.fields.String(required=True, metadata={"example": "Anticipated"})
    exceptions = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.String(),
        metadata={
            "description": "Piece name -> legacy label, for pieces whose legacy "
            "label differs from `legacyValue`.",
            "example": {"StartDateType": "Estimate"},
        },
    )


class EnumInfoSchema(Schema):
    """An enum type, every piece that holds it, and its values."""

    type = ma.fields.String(required=True, metadata={"example": "Status"})
    pieces = ma.fields.List(
        ma.fields.String(),
        required=True,
        metadata={"example": ["OverallStatus", "LastKnownStatus"]},
    )
    values = ma.fields.List(ma.fields.Nested(EnumItemSchema), required=True)


class Weight(ma.fields.Float):
    """A relevance weight; a whole number is written `1`, as the registry writes it."""

    def _serialize(self, value, attr, obj, **kwargs):
        number = super()._serialize(value, attr, obj, **kwargs)
        return int(number) if number is not None and number.is_integer() else number


class SearchPartSchema(Schema):
    """Pieces searched together, and how much a match counts."""

    pieces = ma.fields.List(ma.fields.String(), required=True, metadata={"example": ["NCTId"]})
    type = ma.fields.String(required=True, metadata={"example": "text"})
    is_enum = ma.fields.Boolean(required=True)
    is_synonyms = ma.fields.Boolean(required=True)
    weight = Weight(required=True, metadata={"format": "float", "example": 0.95})


class SearchAreaSchema(Schema):
    """A search area: `param` names its `query.*` parameter, `uiLabel` its form label."""

    name = ma.fields.String(required=True, metadata={"example": "ConditionSearch"})
    ui_label = ma.fields.String(metadata={"example": "Conditions or disease"})
    param = ma.fields.String(metadata={"example": "cond"})
    parts = ma.fields.List(ma.fields.Nested(SearchPartSchema), required=True)


class SearchDocumentSchema(Schema):
    """A searchable document type (only `Study`) and its areas."""

    name = ma.fields.String(required=True, metadata={"example": "Study"})
    areas = ma.fields.List(ma.fields.Nested(SearchAreaSchema), required=True)
