"""`GET /study/{nctId}` (the registry website's path) and `GET /search`: HTML for people.

Outside `/api/v2` and its OpenAPI document: a plain Flask blueprint, as the operations
probes are. The pages read what the API reads, through the same services and the same
parsed requests; a request the API would refuse is refused here with the API's status and
message, shown in a page of the same style (a 404 page for an unknown NCT number).
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from api import query as query_parameters
from api.errors import refusal
from api.exceptions import NotFound, RequestError
from api.pages import STATIC, TEMPLATES
from api.pages.related import json_path
from api.resources.studies.routes import canonical_nct_id
from api.resources.studies.schemas import ListStudiesQuery
from api.services import pages
from schemas.enums import Status

blp = Blueprint("pages", __name__, template_folder=str(TEMPLATES), static_folder=str(STATIC),
                static_url_path="/pages/static")
SEARCH_QUERY = ListStudiesQuery()
FORM_FIELDS = ("query.cond", "query.term", "filter.overallStatus", "query.locn")
HTML = "text/html; charset=utf-8"
PAGES_KEPT = 256  # rendered study pages kept per process, most recently asked first


def _store():
    return current_app.extensions["store"]


def _budget():
    return current_app.config["SEARCH_TIME_BUDGET"]


@blp.get("/study/<nctId>")
def study(nctId):
    """The study's page: its record's sections, related trials, history."""
    store = _store()
    return _html(_study_html(store, store.generation(), canonical_nct_id(nctId)))


# A page reads the record, runs a similarity search and reads the history, then renders:
# many times a JSON search's cost, where a kept page is a lookup. It stays right until the
# store's data changes, which moves `generation()`, part of the key.
@functools.lru_cache(maxsize=PAGES_KEPT)
def _study_html(store, generation: int, nct_id: str) -> str:
    page = pages.study_page(store, nct_id, _budget())
    return render_template("pages/study.html", page=page, json_path=json_path(nct_id))


@blp.get("/search")
def search():
    """The search form and a page of its results: `GET /api/v2/studies`'s parameters."""
    form = {name: request.args.get(name, "") for name in FORM_FIELDS}
    context = {"form": form, "statuses": Status.values(), "results": None, "message": None,
               "json_path": "/api/v2/studies" + _query_string(request.args)}
    try:
        parsed = query_parameters.load(SEARCH_QUERY, [request.args])
        context["results"] = results = pages.results_page(_store(), parsed, _budget())
    except RequestError as error:
        context["message"] = error.message
        return refusal(error, _html(render_template("pages/search.html", **context)))
    if results.next_token:
        context["next_page"] = url_for("pages.search") + _query_string(
            request.args, pageToken=results.next_token)
    return _html(render_template("pages/search.html", **context))


def _query_string(args: MultiDict, **replaced: str) -> str:
    """`?a=1&b=2`: `args` with `replaced` set; "" for none."""
    merged = MultiDict(args)
    for name, value in replaced.items():
        merged.setlist(name, [value])
    encoded = urlencode(list(merged.items(multi=True)))
    return "?" + encoded if encoded else ""


@blp.errorhandler(RequestError)
def error_page(error: RequestError):
    """The API's refusal (status and message) as a page; `NotFound` for a study is the
    404 page."""
    heading = "Study not found" if isinstance(error, NotFound) else "The page could not be shown"
    nct_id = (request.view_args or {}).get("nctId")  # the API's answer, in its words
    return refusal(error, _html(render_template("pages/error.html", heading=heading,
                                                message=error.message,
                                                json_path=nct_id and json_path(nct_id))))


def _html(body: str, status: int = 200):
    return current_app.response_class(body, status=status, content_type=HTML)
