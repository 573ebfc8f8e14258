"""`GET /api/int/studies/{nctId}?history=true` and `/api/int/studies/{nctId}/history/{version}`.

The registry serves a study's versions only on its website, through these undocumented
paths; history tools read them: cthist (`clinicaltrials_gov_dates`: `history$changes` with
`version`, `date`, `status`; `clinicaltrials_gov_version`: `study$protocolSection...`) and
ctrdata (`.history.changes[] | .version, .date`; a version's `.studyVersion` and `.study`).
This server answers the same paths in the same shapes, from the versions it has stored.
"""

from flask import Response, current_app

from api import transport
from api.resources.history.schemas import BAD_ID, NO_STUDY, VERSION, version_number
from api.resources.internal.schemas import WebsiteStudyQuery
from api.resources.studies.routes import MOVED, NCT_ID, canonical_nct_id
from api.resources.studies.schemas import NoQuery
from api.services import history
from api.smorest import Blueprint, Resource

blp = Blueprint("internal", __name__, url_prefix="/api/int",
                description="The registry website's study history, in its shapes")

JSON = "application/json"
CHANGE = {"type": "object", "required": ["version"], "properties": {
    "version": {"type": "integer", "description": "The version number, from 0."},
    "date": {"type": "string", "description": "Its last update post date."},
    "status": {"type": "string", "description": "Its overall status."}}}
WEBSITE_STUDY = {"type": "object", "required": ["study"], "properties": {
    "study": {"$ref": "#/components/schemas/Study"},
    "history": {"type": "object", "required": ["changes"], "properties": {
        "changes": {"type": "array", "items": CHANGE}}}}}
WEBSITE_VERSION = {"type": "object", "required": ["studyVersion", "study"], "properties": {
    "studyVersion": {"type": "integer", "description": "The version number."},
    "study": {"$ref": "#/components/schemas/Study"}}}


@blp.route("/studies/<nctId>", parameters=[NCT_ID])
class WebsiteStudy(Resource):
    @blp.query(WebsiteStudyQuery)
    @blp.response(200, WEBSITE_STUDY, description="The study and, when asked, its versions.")
    @blp.alt_response(301, **MOVED)
    @blp.error(400, *BAD_ID)
    @blp.error(404, "No study with this NCT number was ever stored here.",
               NO_STUDY)
    def get(self, query, nctId):
        """Study with its history (website shape)

        `{"study": ...}` as stored and, with `history=true`, `"history": {"changes":
        [{"version": 0, "date": "2020-03-27", "status": "RECRUITING"}, ...]}`, oldest
        first: the registry website's answer that cthist and ctrdata read. A removed study
        answers with the last version kept.
        """
        body = history.website_study(current_app.extensions["store"], canonical_nct_id(nctId),
                                     query["history"])
        return Response(body, content_type=JSON)


@blp.route("/studies/<nctId>/history/<version>", parameters=[NCT_ID, VERSION])
class WebsiteVersion(Resource):
    @blp.query(NoQuery)
    @blp.response(200, WEBSITE_VERSION, description="The version, exactly as stored.")
    @blp.alt_response(301, **MOVED)
    @blp.error(400, *BAD_ID)
    @blp.error(404, "No such study, or no such version of it.",
               "Version 7 of NCT04325594 not found")
    def get(self, query, nctId, version):
        """One version of a study (website shape)

        `{"studyVersion": n, "study": ...}`, the study's text at that version byte for
        byte as stored.
        """
        stored = history.website_version(current_app.extensions["store"],
                                         canonical_nct_id(nctId), version_number(version))
        response = Response(stored.json, content_type=JSON)
        transport.set_tag(response, stored.tag)
        return response
