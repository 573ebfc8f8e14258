"""`GET /stats/size`, `/stats/field/values` and `/stats/field/sizes`."""

from flask import Response, current_app

from api.resources.stats.schemas import (
    FIELD_VALUES_STATS,
    FieldSizesQuery,
    FieldValuesQuery,
    GzipStatsSchema,
    ListSizesSchema,
    SizeQuery,
)
from api.services import stats
from api.smorest import Blueprint, Resource

blp = Blueprint("stats", __name__, url_prefix="/api/v2", description="Data statistics")

BAD_PARAMETER = "A search parameter (`query.*`, `filter.*`, `postFilter.*`) or another unknown one."
PREFIX_EXAMPLE = "Invalid prefix in parameter name: query.cond"
JSON = "application/json"


@blp.route("/stats/size")
class SizeStats(Resource):
    @blp.query(SizeQuery)
    @blp.response(200, GzipStatsSchema)
    @blp.error(400, BAD_PARAMETER, PREFIX_EXAMPLE)
    def get(self, query):
        """Study Sizes

        Statistics of the studies' JSON sizes, gzip-compressed: how many, the average, the
        ten largest, percentiles and how many fall in each size range.
        """
        return stats.size_stats(current_app.extensions["store"])


@blp.route("/stats/field/values")
@blp.route("/stats/fieldValues", endpoint="FieldValuesOldPath")
class FieldValues(Resource):
    @blp.query(FieldValuesQuery)
    @blp.response(200, FIELD_VALUES_STATS)
    @blp.error(
        400,
        BAD_PARAMETER + " Or a `types` value that is not a FieldStatsType.",
        "Invalid value in parameter `types`: `TEXT`",
    )
    @blp.error(404, "A field name that is not a leaf field.", "Field 'Foo' not found")
    def get(self, query):
        """Field Values

        Value statistics of the study leaf fields, each counted per study: how many studies
        lack the field, and by type the most frequent values (at most 250), the longest
        text, the formats and range of dates, the range and mean of numbers, the true and
        false counts of booleans. `/stats/fieldValues` is the registry's older path.
        """
        store = current_app.extensions["store"]
        body = stats.field_values(store, query.get("types"), query.get("fields"))
        return Response(body, content_type=JSON)


@blp.route("/stats/field/sizes")
class FieldSizes(Resource):
    @blp.query(FieldSizesQuery)
    @blp.response(200, ListSizesSchema(many=True))
    @blp.error(400, BAD_PARAMETER, PREFIX_EXAMPLE)
    @blp.error(404, "A field name that is not a list field.", "Field 'NCTId' is not a list field")
    def get(self, query):
        """List Field Sizes

        Sizes of the list fields: for each, the sizes its lists have and how many studies
        have a list of each size.
        """
        body = stats.field_sizes(current_app.extensions["store"], query.get("fields"))
        return Response(body, content_type=JSON)
