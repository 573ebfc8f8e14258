"""What the pages for people show: a study's page, a page of search results.

A study's page is its record's sections (`api.pages.study`), then its related trials
(`api.services.similar`) and its version history (`api.services.history`), each read
through the service the API's own endpoint uses. A search page is `GET /studies`'s search
(`api.services.search`) with the same parsed request. No HTTP here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import orjson

from api.exceptions import TooCostly
from api.formats import project_text, select_pieces
from api.pages import related, study
from api.pages.blocks import Card, Section, present
from api.services import history, search, similar, studies
from api.services.requests import SearchRequest
from api.store.base import Store

RELATED_TRIALS = 3  # as many as the website's page lists
# Only what a trial's card shows is read from each related or found study.
CARD_PIECES = ["NCTId", "BriefTitle", "OverallStatus", "Phase", "Condition"]


@dataclass(frozen=True)
class StudyPage:
    """A study's page: its heading and its sections, in the order shown."""

    heading: study.Heading
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class ResultsPage:
    """One page of a search: the studies found as cards, the total, the next page's token."""

    cards: tuple[Card, ...]
    total: int | None
    next_token: str | None


@functools.cache
def _card_selection():
    return select_pieces(CARD_PIECES)


def study_page(store: Store, nct_id: str, time_budget: float | None = None) -> StudyPage:
    """The page of study `nct_id` (canonical); `NotFound` / `MovedTo` as the API answers."""
    document = orjson.loads(studies.study_document(store, nct_id).json)
    extras = [_related_trials(store, document, time_budget),
              related.version_history(history.study_history(store, nct_id))]
    return StudyPage(study.heading(document), study.sections(document) + present(extras))


def _related_trials(store: Store, document: dict, time_budget: float | None) -> Section | None:
    """"More Related Trials"; left out when their search runs past the budget (a busy
    server, a study of very common terms): the record is the page, the related trials are
    an extra, and the page should not fail for them."""
    try:
        alike = similar.similar_page(store, document, SearchRequest(page_size=RELATED_TRIALS),
                                     time_budget)
    except TooCostly:
        return None
    selection = _card_selection()
    return related.related_trials([project_text(text, selection) or {}
                                   for text in alike.documents])


def results_page(store: Store, request: SearchRequest,
                 time_budget: float | None = None) -> ResultsPage:
    """The page of results `request` asks for, with the total on its first page.

    Its page tokens are the API's: the request's output is kept (a token binds it), only
    what the cards show is read from each study."""
    page = search.find_studies(store, replace(request, count_total=True), time_budget)
    selection = _card_selection()
    cards = tuple(related.result_card(project_text(text, selection) or {})
                  for text in page.documents)
    return ResultsPage(cards, page.total, page.next_token)
