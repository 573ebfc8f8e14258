"""`GET /studies/{nctId}` and the study's sections and modules as sub-resources."""

import json

from flask import Response, current_app, request

from api import transport
from api.formats import csv_format
from api.resources.studies.schemas import (FetchStudyQuery, ListStudiesQuery, NoQuery,
                                           PagedStudiesSchema)
from api.services import search, studies
from api.services.formats import csv_columns, render_study
from api.smorest import Blueprint, Resource
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
# An NCT number a study lists as an alias answers 301, on the study and on its parts alike.
MOVED = {"description": "The NCT number is an alias; `Location` is the study's URL.",
         "headers": {"Location": {"schema": {"type": "string"},
                                  "description": "The same URL with the canonical NCT number."}}}


def _json(body: bytes | str) -> Response:
    return Response(body, content_type=JSON)


@blp.route("/studies/<nctId>", parameters=[NCT_ID])
class Study(Resource):
    @blp.query(FetchStudyQuery)
    @blp.response(200, StudySchema, description="The study in the requested `format`.")
    @blp.alt_response(200, success=True, content_type="text/csv",
                      schema={"type": "string", "description": "Header row and study row"},
                      example="NCT Number,Study Title,Study URL,...\r\n"
                      "NCT04325594,The Application of ...,https://clinicaltrials.gov/study/"
                      "NCT04325594,...\r\n")
    @blp.alt_response(200, success=True, content_type="application/zip",
                      schema={"type": "string", "format": "binary",
                              "description": "`<NCTId>.json` in a zip archive"},
                      headers={"Content-Disposition": {
                          "schema": {"type": "string"},
                          "description": 'attachment; filename="<NCTId>.json.zip"'}})
    @blp.alt_response(200, success=True, content_type="application/fhir+json",
                      schema={"type": "object", "description": "FHIR R4 Bundle"},
                      example={"resourceType": "Bundle", "id": "NCT04325594",
                               "type": "collection", "entry": [{"resource": {
                                   "resourceType": "ResearchStudy", "id": "NCT04325594",
                                   "status": "completed"}}]})
    @blp.alt_response(200, success=True, content_type="application/x-research-info-systems",
                      schema={"type": "string", "description": "One RIS record"},
                      example="TY  - DBASE\r\nID  - NCT04325594\r\nTI  - The Application "
                      "of ...\r\nUR  - https://clinicaltrials.gov/study/NCT04325594\r\n"
                      "ER  - \r\n")
    @blp.alt_response(301, **MOVED)
    @blp.error(400, "Malformed NCT number or parameter.", "Parameter `nctId` has incorrect format")
    @blp.error(404, "No study with this NCT number.", "NCT number NCT99999999 not found")
    def get(self, query, nctId):
        """Single study

        The study document in the registry's API v2 JSON: `protocolSection`, and when
        present `resultsSection`, `annotationSection`, `documentSection`, `derivedSection`,
        then `hasResults`. Absent data is omitted, never null. `format` asks for CSV, a zip,
        FHIR or RIS instead.
        """
        store = current_app.extensions["store"]
        rendered = render_study(store, nctId, query["format"], query["markup_format"],
                                query.get("fields"))
        response = Response(rendered.body, content_type=rendered.media_type,
                            headers=rendered.headers)
        if rendered.tag is not None:
            transport.set_tag(response, rendered.tag)
        return response


@blp.route("/studies/<nctId>/<section>", parameters=[NCT_ID, SECTION])
class StudySection(Resource):
    @blp.query(NoQuery)
    @blp.response(200, {"type": "object"}, description="The section, exactly as loaded.")
    @blp.alt_response(301, **MOVED)
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
class StudyModule(Resource):
    @blp.query(NoQuery)
    @blp.response(200, {"type": "object"}, description="The module, exactly as loaded.")
    @blp.alt_response(301, **MOVED)
    @blp.error(400, "Malformed NCT number or parameter.", "Parameter `nctId` has incorrect format")
    @blp.error(404, "No such study or module, or the study has no such module.",
               "Study NCT04325594 has no `protocolSection.oversightModule`")
    def get(self, query, nctId, section, module):
        """One module of a study

        For example `/api/v2/studies/NCT04325594/protocolSection/eligibilityModule`.
        """
        store = current_app.extensions["store"]
        return _json(studies.study_part(store, nctId, section, module))


@blp.route("/studies")
class Studies(Resource):
    @blp.query(ListStudiesQuery)
    @blp.response(200, PagedStudiesSchema, description="A page of studies.")
    @blp.alt_response(200, success=True, content_type="text/csv",
                      schema={"type": "string", "description": "CSV rows; header on page 1"},
                      headers={"x-next-page-token": {"schema": {"type": "string"},
                                                     "description": "Token of the next page"},
                               "x-total-count": {"schema": {"type": "integer"},
                                                 "description": "With `countTotal=true`"}})
    @blp.error(400, "A parameter is unknown or malformed, or a query does not parse.",
               "`filter.phase` is unknown parameter")
    def get(self, query):
        """Studies

        Searches and lists studies, a page at a time. Without any query or filter, every
        study. `query.*` parameters are Essie expressions, each searching its area;
        `filter.*` narrow the result; if a `query.*` parameter holds only NCT numbers, the
        filters are ignored. Pages follow one another through `nextPageToken`.
        """
        store = current_app.extensions["store"]
        page = search.find_studies(store, query, list(request.args.items(multi=True)))
        if query["format"] == "csv":
            return _csv_page(page, query)
        return _json(search.json_body(page, query["markup_format"]))


def _csv_page(page, query) -> Response:
    """A CSV page: header row on the first page only, paging in headers (registry)."""
    columns = csv_columns(query.get("fields"))
    documents = (json.loads(document) for document in page.documents)
    body = csv_format.csv_chunks(documents, columns, header=query.get("page_token") is None)
    response = Response(body, content_type=csv_format.MEDIA_TYPE)
    if page.next_token is not None:
        response.headers["x-next-page-token"] = page.next_token
    if page.total is not None:
        response.headers["x-total-count"] = str(page.total)
    return response
