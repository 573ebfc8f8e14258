"""`GET /studies/{nctId}/history`, one version's text, and the difference between two."""

from flask import Response, current_app

from api import transport
from api.resources.history.schemas import (BAD_ID, NO_STUDY, VERSION, DiffQuery,
                                           StudyDifferenceSchema, StudyHistorySchema,
                                           version_number)
from api.resources.studies.routes import MOVED, NCT_ID, canonical_nct_id
from api.resources.studies.schemas import NoQuery
from api.services import history
from api.smorest import Blueprint, Resource
from schemas.study import StudySchema

blp = Blueprint("history", __name__, url_prefix="/api/v2",
                description="Every version of a study this server has stored")



@blp.route("/studies/<nctId>/history", parameters=[NCT_ID])
class StudyHistory(Resource):
    @blp.query(NoQuery)
    @blp.response(200, StudyHistorySchema, description="The study's versions, oldest first.")
    @blp.alt_response(301, **MOVED)
    @blp.error(400, *BAD_ID)
    @blp.error(404, "No study with this NCT number was ever stored here.", NO_STUDY)
    def get(self, query, nctId):
        """Study history

        This server's addition: every version of the study it has stored (from imports
        and syncs), oldest first, each with its last update date, overall status, when it
        was stored, its entity tag and the modules it changed. A study removed since (no
        longer at the upstream) keeps its history and says when it was removed.
        """
        return history.study_history(current_app.extensions["store"], canonical_nct_id(nctId))


@blp.route("/studies/<nctId>/history/<version>", parameters=[NCT_ID, VERSION])
class StudyVersion(Resource):
    @blp.query(NoQuery)
    @blp.response(200, StudySchema, description="The version's JSON, exactly as stored.")
    @blp.alt_response(301, **MOVED)
    @blp.error(400, *BAD_ID)
    @blp.error(404, "No such study, or no such version of it (never stored, or pruned).",
               "Version 7 of NCT04325594 not found")
    def get(self, query, nctId, version):
        """One version of a study

        This server's addition: the study's text as it was at that version, byte for
        byte as stored, with its entity tag.
        """
        stored = history.version_text(current_app.extensions["store"],
                                      canonical_nct_id(nctId), version_number(version))
        response = Response(stored.json, content_type="application/json")
        transport.set_tag(response, stored.tag)
        return response


@blp.route("/studies/<nctId>/history/<version>/diff", parameters=[NCT_ID, VERSION])
class StudyDifference(Resource):
    @blp.query(DiffQuery)
    @blp.response(200, StudyDifferenceSchema,
                  description="How the version differs from the one compared with.")
    @blp.alt_response(301, **MOVED)
    @blp.error(400, BAD_ID[0] + " Or a `from` that is not a version number.",
               "Invalid value in parameter `from`: `x`")
    @blp.error(404, "No such study or version, or no version before the first.",
               "Version 0 of NCT04325594 has no earlier version")
    def get(self, query, nctId, version):
        """Difference between two versions

        This server's addition: how version `version` of the study differs from version
        `from` (by default the version kept before it), as an RFC 6902 JSON Patch and as a
        summary per piece (`OverallStatus: RECRUITING -> COMPLETED`).
        """
        return history.difference(current_app.extensions["store"], canonical_nct_id(nctId),
                                  version_number(version), query.get("base"))
