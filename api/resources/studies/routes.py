"""`GET /studies/{nctId}` and the study's sections and modules as sub-resources."""

from flask import Response, current_app
from flask.views import MethodView

from api.resources.studies.schemas import FetchStudyQuery, NoQuery
from api.services import studies
from api.smorest import Blueprint
from schemas.study import StudySchema

blp = Blueprint("studies", __name__, url_prefix="/api/v2", description="Related to clinical trial studies")

NCT_ID = {
    "in": "path",
    "name": "nctId",
    "required": True,
    "description": "NCT number of a study, e.g. `NCT04325594`. Case and leading zeros of the "
    "number do not matter. An NCT number the study lists in `nctIdAliases` answers 301 with "
    "the canonical study's URL.",
    "schema": {"type": "string", "pattern": "^[Nn][Cc][Tt]0*[1-9]\\d{0,7}$"},
    "example": "NCT04325594",
}
SECTION = {"in": "path", "name": "section", "required": True,
           "description": "`protocolSection`, `resultsSection`, `annotationSection`, "
           "`documentSection` or `derivedSection`.",
           "schema": {"type": "string"}, "example": "protocolSection"}
MODULE = {"in": "path", "name": "module", "required": True,
          "description": "A module of the section, e.g. `eligibilityModule`.",
          "schema": {"type": "string"}, "example": "eligibilityModule"}
JSON = "application/json"


def _json(text: str) -> Response:
    return Response(text, content_type=JSON)


@blp.route("/studies/<nctId>", parameters=[NCT_ID])
class Study(MethodView):
    @blp.query(FetchStudyQuery)
    @blp.response(200, StudySchema, description="The study record, exactly as loaded.")
    @blp.alt_response(301, description="The NCT number is an alias; `Location` is the study.",
                      headers={"Location": {"schema": {"type": "string"},
                                            "description": "URL of the canonical study."}})
    @blp.error(400, "Malformed NCT number or parameter.", "Parameter `nctId` has incorrect format")
    @blp.error(404, "No study with this NCT number.", "NCT number NCT99999999 not found")
    def get(self, query, nctId):
        """Single study

        The study document in the registry's API v2 JSON: `protocolSection`, and when
        present `resultsSection`, `annotationSection`, `documentSection`, `derivedSection`,
        then `hasResults`. Absent data is omitted, never null.
        """
        store = current_app.extensions["store"]
        return _json(studies.projected_study(store, nctId, query.get("fields")))


@blp.route("/studies/<nctId>/<section>", parameters=[NCT_ID, SECTION])
class StudySection(MethodView):
    @blp.query(NoQuery)
    @blp.response(200, {"type": "object"}, description="The section, exactly as loaded.")
    @blp.error(400, "Malformed NCT number or parameter.", "Parameter `nctId` has incorrect format")
    @blp.error(404, "No such study or section, or the study has no such section.",
               "Study NCT04325594 has no `resultsSection`")
    def get(self, query, nctId, section):
        """One section of a study

        For example `/api/v2/studies/NCT04325594/protocolSection`.
        """
        store = current_app.extensions["store"]
        return _json(studies.study_part(store, nctId, section))


@blp.route("/studies/<nctId>/<section>/<module>", parameters=[NCT_ID, SECTION, MODULE])
class StudyModule(MethodView):
    @blp.query(NoQuery)
    @blp.response(200, {"type": "object"}, description="The module, exactly as loaded.")
    @blp.error(400, "Malformed NCT number or parameter.", "Parameter `nctId` has incorrect format")
    @blp.error(404, "No such study or module, or the study has no such module.",
               "Study NCT04325594 has no `protocolSection.oversightModule`")
    def get(self, query, nctId, section, module):
        """One module of a study

        For example `/api/v2/studies/NCT04325594/protocolSection/eligibilityModule`.
        """
        store = current_app.extensions["store"]
        return _json(studies.study_part(store, nctId, section, module))
