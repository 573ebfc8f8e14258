"""`GET /studies/metadata`, `/studies/enums` and `/studies/search-areas`.

Static paths: Werkzeug matches them before the `/studies/<nctId>` variable rule, so
`metadata` is never taken for an NCT number.
"""

import functools

from flask import Response

from api import json_text
from api.resources.metadata.schemas import (
    EnumInfoSchema,
    FieldNodeSchema,
    MetadataQuery,
    SearchDocumentSchema,
)
from api.resources.studies.schemas import NoQuery
from api.services import metadata
from api.smorest import Blueprint, Resource

blp = Blueprint(
    "metadata",
    __name__,
    url_prefix="/api/v2",
    description="The data model: fields, enums and search areas",
)

UNKNOWN_PARAMETER = "`bogusParam` is unknown parameter"
ANSWERS = {
    "metadata": (FieldNodeSchema, metadata.field_tree),
    "enums": (EnumInfoSchema, metadata.enum_infos),
    "search-areas": (SearchDocumentSchema, metadata.search_documents),
}


@functools.cache
def answer(name: str, *args) -> bytes:
    """The endpoint's JSON, dumped through its response schema once: the data model cannot
    change while the server runs, and dumping the field tree costs milliseconds."""
    schema, build = ANSWERS[name]
    data = schema(many=True).dump(build(*args))
    return json_text.dumps_bytes(data)


def _json(body: bytes) -> Response:
    return Response(body, content_type="application/json")


@blp.route("/studies/metadata")
class StudiesMetadata(Resource):
    @blp.query(MetadataQuery)
    @blp.response(200, FieldNodeSchema(many=True))
    @blp.error(400, "An unknown parameter or a value that is not a boolean.", UNKNOWN_PARAMETER)
    def get(self, query):
        """Data Model Fields

        The Study document's field tree: each node's JSON name, registry piece name,
        source type and type, derived from the schemas this server validates records with.
        """
        return _json(answer("metadata", query["include_historic_only"]))


@blp.route("/studies/enums")
class StudiesEnums(Resource):
    @blp.query(NoQuery)
    @blp.response(200, EnumInfoSchema(many=True))
    @blp.error(400, "A query parameter was given.", UNKNOWN_PARAMETER)
    def get(self, query):
        """Enums

        Every enum type of the Study document: `type`, the `pieces` that hold it, and its
        `values`, each with the legacy API's label (`legacyValue`) and, where some pieces
        used another label, `exceptions` (piece name -> legacy label).
        """
        return _json(answer("enums"))


@blp.route("/studies/search-areas")
class StudiesSearchAreas(Resource):
    @blp.query(NoQuery)
    @blp.response(200, SearchDocumentSchema(many=True))
    @blp.error(400, "A query parameter was given.", UNKNOWN_PARAMETER)
    def get(self, query):
        """Search Areas

        The search areas of the Study document: the pieces each `query.*` parameter and
        Essie `AREA[...]` searches, and each part's relevance weight.
        """
        return _json(answer("search-areas"))
