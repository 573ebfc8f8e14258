"""`GET /studies/{nctId}`, the study's sections and modules as sub-resources, and
`GET /studies` (also `POST`, for id lists longer than a URL holds)."""

from flask import Response, current_app

from api import transport
from api.exceptions import InvalidRequest
from api.formats import csv_format
from api.resources.studies.schemas import (FetchStudyQuery, ListStudiesQuery, NoQuery,
                                           PagedStudiesSchema, SimilarStudiesQuery)
from api.services import search, similar, studies
from api.services.formats import render_study
from api.services.requests import PartRequest, StudyRequest
from api.smorest import Blueprint, Resource
from schemas import nct_ids
from schemas.study import StudySchema

blp = Blueprint("studies", __name__, url_prefix="/api/v2", description="Related to clinical trial studies")

NCT_ID = {
    "in": "path",
    "name": "nctId",
    "required": True,
    "description": "NCT number of a study, e.g. `NCT04325594`. Case and leading zeros of the "
    "number do not matter. An NCT number the study lists in `nctIdAliases` answers 301 with "
    "the canonical study's URL.",
    "schema": {"type": "string", "pattern": nct_ids.REQUEST_PATTERN},
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


def canonical_nct_id(raw: str) -> str:
    """The canonical NCT id of the path's `nctId`; 400 in the registry's words if malformed."""
    nct_id = nct_ids.canonical(raw)
    if nct_id is None:
        raise InvalidRequest("Parameter `nctId` has incorrect format")
    return nct_id


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
    def get(self, output, nctId):
        """Single study

        The study document in the registry's API v2 JSON: `protocolSection`, and when
        present `resultsSection`, `annotationSection`, `documentSection`, `derivedSection`,
        then `hasResults`. Absent data is omitted, never null. `format` asks for CSV, a zip,
        FHIR or RIS instead.
        """
        store = current_app.extensions["store"]
        rendered = render_study(store, StudyRequest(canonical_nct_id(nctId), output))
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
        return _json(studies.study_part(store, PartRequest(canonical_nct_id(nctId), section)))


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
        part = PartRequest(canonical_nct_id(nctId), section, module)
        return _json(studies.study_part(store, part))


_LIST_ANSWERS = [
    (200, {"success": True, "content_type": "text/csv",
           "schema": {"type": "string", "description": "CSV rows; header on page 1"},
           "headers": {"x-next-page-token": {"schema": {"type": "string"},
                                             "description": "Token of the next page"},
                       "x-total-count": {"schema": {"type": "integer"},
                                         "description": "With `countTotal=true`"}}}),
    (503, {"schema": "errorMessage", "content_type": "text/plain",
           "description": "The search ran past the server's time budget and was stopped; "
                          "`Retry-After` says when to try again.",
           "headers": {"Retry-After": {"schema": {"type": "integer"},
                                       "description": "Seconds to wait"}}}),
]


def _documented_as_list(func):
    """The answers both list operations document."""
    for status, answer in reversed(_LIST_ANSWERS):
        func = blp.alt_response(status, **answer)(func)
    return blp.error(400, "A parameter is unknown or malformed, a query does not parse or "
                     "exceeds a limit.", "`filter.phase` is unknown parameter")(func)


@blp.route("/studies")
class Studies(Resource):
    @blp.query(ListStudiesQuery)
    @blp.response(200, PagedStudiesSchema, description="A page of studies.")
    @_documented_as_list
    def get(self, request):
        """Studies

        Searches and lists studies, a page at a time. Without any query or filter, every
        study. `query.*` parameters are Essie expressions, each searching its area;
        `filter.*` narrow the result; if a `query.*` parameter holds only NCT numbers, the
        filters are ignored. Pages follow one another through `nextPageToken`. A parameter
        given with an empty value is as if not given.
        """
        return _page(request)

    @blp.query(ListStudiesQuery, form=True)
    @blp.response(200, PagedStudiesSchema, description="A page of studies.")
    @_documented_as_list
    def post(self, request):
        """Studies, parameters in the body

        This server's addition: the same search as `GET /studies`, its parameters sent
        form-encoded (`application/x-www-form-urlencoded`) in the body, for what no URL
        holds, such as thousands of NCT numbers in `filter.ids`. Same answers, same
        validation; page tokens work with either method.
        """
        return _page(request)


def _page(request) -> Response:
    """One page of the search, as JSON or CSV."""
    page = search.find_studies(current_app.extensions["store"], request,
                               current_app.config["SEARCH_TIME_BUDGET"])
    if request.output.format == "csv":
        return _csv_page(page, request.output)
    return _json(search.json_body(page, request.output))


def _csv_page(page, output) -> Response:
    """A CSV page: header row on the first page only, paging in headers (registry)."""
    response = Response(search.csv_chunks(page, output), content_type=csv_format.MEDIA_TYPE)
    if page.next_token is not None:
        response.headers["x-next-page-token"] = page.next_token
    if page.total is not None:
        response.headers["x-total-count"] = str(page.total)
    return response


@blp.route("/studies/<nctId>/similar", parameters=[NCT_ID])
class SimilarStudies(Resource):
    @blp.query(SimilarStudiesQuery)
    @blp.response(200, PagedStudiesSchema, description="A page of the most similar studies.")
    @blp.alt_response(301, **MOVED)
    @blp.alt_response(503, **_LIST_ANSWERS[1][1])
    @blp.error(400, "Malformed NCT number or parameter.", "Parameter `nctId` has incorrect format")
    @blp.error(404, "No study with this NCT number.", "NCT number NCT99999999 not found")
    def get(self, request, nctId):
        """Similar studies

        This server's addition: the stored studies most like this one, most similar first,
        a page at a time as `GET /studies` pages (`nextPageToken`, `fields`, `countTotal`).
        Similarity is full-text relevance to the study's own conditions, keywords and
        intervention names (word by word) and MeSH terms; the study itself is left out.
        In a large store only the study's rarest terms are searched, as many as together
        match at most 2,000 other studies (the rarest whatever it matches), so that a
        study of common terms costs no more than one of rare ones.
        The study's page (`/study/{nctId}`) lists the first three as "More Related Trials".
        """
        page = similar.find_similar(current_app.extensions["store"], canonical_nct_id(nctId),
                                    request, current_app.config["SEARCH_TIME_BUDGET"])
        return _json(search.json_body(page, request.output))
