"""Parameters and responses of the stats endpoints, shaped as the official spec's
components (`GzipStats`, `FieldValuesStats` and its six kinds, `ListSizes`)."""

import marshmallow as ma

from api.query import DelimitedList, QuerySchema, one_of
from schemas.base import Schema
from schemas.enums import FieldStatsType

# The registry refuses search parameters on the stats endpoints with its own message, not
# the usual unknown-parameter one (REFERENCE.md §5).
SEARCH_PREFIXES = ("query.", "filter.", "postFilter.")
FIELD_NAME = {"type": "string", "pattern": r"^[a-zA-Z][a-zA-Z0-9\-. ]*$"}


class StatsQuery(QuerySchema):
    """Base of the stats endpoints' parameters: search parameters are refused first."""

    @ma.pre_load
    def refuse_search_parameters(self, data, **kwargs):
        """400 `Invalid prefix in parameter name: query.cond` for any search parameter."""
        for name in data:
            if name.startswith(SEARCH_PREFIXES):
                raise ma.ValidationError(f"Invalid prefix in parameter name: {name}")
        return data


class SizeQuery(StatsQuery):
    """`GET /stats/size` takes no parameters."""


class FieldSizesQuery(StatsQuery):
    """Query parameters of `GET /stats/field/sizes`."""

    fields = DelimitedList(
        ma.fields.String(metadata=FIELD_NAME),
        metadata={
            "description": "Piece names or field paths of list fields, comma- or "
            "pipe-separated. All list fields when absent.",
            "example": ["Phase", "Condition"],
        },
    )


class FieldValuesQuery(FieldSizesQuery):
    """Query parameters of `GET /stats/field/values`."""

    types = DelimitedList(
        ma.fields.String(validate=one_of("types", FieldStatsType.values())),
        metadata={
            "description": "Only fields of these types, comma- or pipe-separated.",
            "example": ["ENUM", "BOOLEAN"],
        },
    )
    fields = DelimitedList(
        ma.fields.String(metadata=FIELD_NAME),
        metadata={
            "description": "Piece names or field paths of leaf fields, comma- or "
            "pipe-separated. All leaf fields when absent.",
            "example": ["Phase", "protocolSection.conditionsModule.conditions"],
        },
    )


class StudySizeSchema(Schema):
    """A study and its gzip-compressed size."""

    id = ma.fields.String(required=True, metadata={"example": "NCT04267848"})
    size_bytes = ma.fields.Integer(required=True, metadata={"format": "int32"})


class DistItemSchema(Schema):
    """How many studies have a size in one range."""

    size_range = ma.fields.String(required=True, metadata={"example": "4-8KB"})
    studies_count = ma.fields.Integer(required=True, metadata={"format": "int32"})


class GzipStatsSchema(Schema):
    """Sizes of the studies' JSON, gzip-compressed, in bytes."""

    total_studies = ma.fields.Integer(required=True, metadata={"format": "int32"})
    average_size_bytes = ma.fields.Integer(required=True, metadata={"format": "int32"})
    largest_studies = ma.fields.List(
        ma.fields.Nested(StudySizeSchema),
        required=True,
        metadata={"description": "The ten largest studies, largest first."},
    )
    percentiles = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.Integer(),
        required=True,
        metadata={
            "description": "Size at the 5th, 25th, 50th, 75th and 95th percentile "
            "(nearest rank), keyed by the percentile.",
            "example": {"5": 2400, "25": 3000, "50": 4300, "75": 5800, "95": 12000},
        },
    )
    ranges = ma.fields.List(
        ma.fields.Nested(DistItemSchema),
        required=True,
        metadata={
            "description": "How many studies fall in each size range (`0-1KB`, "
            "`1-2KB`, `2-4KB`, ... with 1 KB = 1024 bytes); empty ranges are left out."
        },
    )


class ValueCountSchema(Schema):
    """A value and how many studies have it."""

    value = ma.fields.String(required=True)
    studies_count = ma.fields.Integer(required=True, metadata={"format": "int32"})


class LongestStringSchema(Schema):
    """The longest value of a field and the first study (by NCT id) with it."""

    length = ma.fields.Integer(required=True, metadata={"format": "int32"})
    nct_id = ma.fields.String(required=True)
    value = ma.fields.String(required=True)


class FieldStatsSchema(Schema):
    """What every field statistic has."""

    type = ma.fields.String(required=True, validate=ma.validate.OneOf(FieldStatsType.values()))
    piece = ma.fields.String(required=True, metadata={"example": "Phase"})
    field = ma.fields.String(
        required=True, metadata={"example": "protocolSection.designModule.phases"}
    )
    missing_studies_count = ma.fields.Integer(required=True, metadata={"format": "int32"})


class EnumStatsSchema(FieldStatsSchema):
    """Statistics of an enum field."""

    unique_values_count = ma.fields.Integer(required=True, metadata={"format": "int64"})
    top_values = ma.fields.List(ma.fields.Nested(ValueCountSchema))


class StringStatsSchema(EnumStatsSchema):
    """Statistics of a text field."""

    longest = ma.fields.Nested(LongestStringSchema)


class DateStatsSchema(FieldStatsSchema):
    """Statistics of a date field: the formats used, earliest and latest."""

    formats = ma.fields.List(
        ma.fields.String(), required=True, metadata={"example": ["yyyy-MM", "yyyy-MM-dd"]}
    )
    min = ma.fields.String()
    max = ma.fields.String()


class IntegerStatsSchema(FieldStatsSchema):
    """Statistics of an integer field."""

    min = ma.fields.Integer(metadata={"format": "int64"})
    max = ma.fields.Integer(metadata={"format": "int64"})
    avg = ma.fields.Float(metadata={"format": "double"})


class NumberStatsSchema(FieldStatsSchema):
    """Statistics of a decimal number field."""

    min = ma.fields.Float(metadata={"format": "double"})
    max = ma.fields.Float(metadata={"format": "double"})
    avg = ma.fields.Float(metadata={"format": "double"})


class BooleanStatsSchema(FieldStatsSchema):
    """Statistics of a boolean field: studies with true, studies with false."""

    true_count = ma.fields.Integer(required=True, metadata={"format": "int32"})
    false_count = ma.fields.Integer(required=True, metadata={"format": "int32"})


class ListSizeSchema(Schema):
    """A list size and how many studies have a list of that size."""

    size = ma.fields.Integer(required=True)
    studies_count = ma.fields.Integer(required=True, metadata={"format": "int32"})


class ListSizesSchema(Schema):
    """How long one list field's lists are, counted per study."""

    field = ma.fields.String(
        required=True, metadata={"example": "protocolSection.conditionsModule.conditions"}
    )
    piece = ma.fields.String(required=True, metadata={"example": "Condition"})
    unique_sizes_count = ma.fields.Integer(required=True, metadata={"format": "int64"})
    min_size = ma.fields.Integer()
    max_size = ma.fields.Integer()
    top_sizes = ma.fields.List(ma.fields.Nested(ListSizeSchema))


# The schema of each FieldStatsType's items.
STATS_SCHEMAS = {
    "ENUM": EnumStatsSchema,
    "STRING": StringStatsSchema,
    "DATE": DateStatsSchema,
    "INTEGER": IntegerStatsSchema,
    "NUMBER": NumberStatsSchema,
    "BOOLEAN": BooleanStatsSchema,
}
FIELD_VALUES_STATS = {"type": "array", "items": {"$ref": "#/components/schemas/FieldValuesStats"}}


def register_components(spec) -> None:
    """Document `FieldValuesStats` as the spec does: any of the six kinds of item."""
    for schema in STATS_SCHEMAS.values():
        spec.components.schema(schema.__name__.removesuffix("Schema"), schema=schema)
    spec.components.schema(
        "FieldValuesStats",
        {
            "description": "Statistics of one field; which kind depends on the field's type.",
            "anyOf": [
                {"$ref": f"#/components/schemas/{schema.__name__.removesuffix('Schema')}"}
                for schema in STATS_SCHEMAS.values()
            ],
        },
    )
