"""Studies like a given one: a search built from the study's own terms, ranked by relevance.

The study's conditions, keywords and intervention names (their words) and its MeSH terms
(whole, as the controlled terms they are) become one `OR` of full-text matches, each in
the search area the registry's website searches for that kind of term; the study itself is
excluded, and the store's ordinary search ranks the rest by relevance (`sort=@relevance`).
So the more of a study's terms another one shares, and the rarer they are, the higher it
ranks; no second search is written here, only a query.

In a large store the query keeps only the study's rarest terms, as many as together match
a bounded number of other studies (`rarest`): scoring every study that shares a common
word would cost as much as the store is large.
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

import orjson

from api.formats import project, select_pieces
from api.search import criteria as c
from api.search.essie import Term
from api.search.extract import extract
from api.services import search, studies
from api.services.requests import SearchRequest
from api.store.base import Store

# Piece -> the area its terms are searched in, and whether a term is matched word by word
# (free text) or whole (a MeSH heading).
TERMS = (
    ("Condition", "ConditionSearch", True),
    ("ConditionMeshTerm", "ConditionSearch", False),
    ("Keyword", "BasicSearch", True),
    ("InterventionName", "InterventionSearch", True),
    ("InterventionMeshTerm", "InterventionSearch", False),
)
# Bounds the query a study with hundreds of keywords would make.
MAX_TERMS = 64
# The search scores every study its terms match, and at the registry's scale a common word
# ("disease") matches a hundred thousand. So terms are taken rarest first while together
# they match at most this many other studies, as Lucene's MoreLikeThis keeps a query to its
# rarest terms: those say most of what a study is about, and cost least. A store of no more
# studies than this keeps every term.
CANDIDATES = 2_000
# How far the terms of a study that has only common ones are counted, to find the least so.
RECOUNT = 16 * CANDIDATES
RELEVANCE = (c.SortKey(None, descending=True),)
_WORD = re.compile(r"\w+")
# Words that say nothing of a study's subject; they would match nearly every study.
STOP_WORDS = frozenset(
    "and are but for from into not non with without the this that than then was were has have "
    "its per via use using after before during other type study trial patients patient "
    "healthy volunteers".split())


def find_similar(store: Store, nct_id: str, request: SearchRequest,
                 time_budget: float | None = None) -> search.Page:
    """A page of the stored studies most like study `nct_id` (canonical), most alike first.

    `request` gives the page (size, token, count, output); its criteria and sort are set
    here. `NotFound` / `MovedTo` as `GET /studies/{nctId}` answers.
    """
    document = orjson.loads(studies.study_document(store, nct_id).json)
    return similar_page(store, document, request, time_budget)


def similar_page(store: Store, document: dict, request: SearchRequest,
                 time_budget: float | None = None) -> search.Page:
    """`find_similar` for a study document already read."""
    nct_id = document["protocolSection"]["identificationModule"]["nctId"]
    terms = rarest(store, similarity_terms(document))
    if not terms:  # nothing to compare: nothing is alike, rather than everything
        return search.Page([], 0 if request.count_total else None, None, True)
    query = c.combine(c.And, [c.combine(c.Or, terms), c.Not(c.IdsMatch((nct_id,)))])
    return search.find_studies(store, replace(request, criteria=query, sort=RELEVANCE),
                               time_budget)


@functools.cache
def _term_pieces():
    """What `fields=` would select of the pieces `TERMS` reads."""
    return select_pieces([piece for piece, _, _ in TERMS])


def similarity_terms(document: dict) -> list:
    """The study's terms as bound text matches, at most `MAX_TERMS`, each once."""
    # Only the term pieces are walked, not a study's hundreds of sites.
    indexed = extract(project(document, _term_pieces()) or {}).text
    found: dict = {}
    for piece, area, by_word in TERMS:
        context = c.context_for(area)
        for value in indexed.get(piece, "").split("\n"):
            for text in (_words(value) if by_word else [value.strip()]):
                if text and len(found) < MAX_TERMS:
                    found.setdefault((area, text.lower()), c.bind(Term(text), context))
    return list(found.values())


def rarest(store: Store, terms: list) -> list:
    """The terms of `terms` that other studies have, rarest first, as many as together
    match at most `CANDIDATES` of them (the rarest whatever it matches); all of `terms`
    where they fit or the store cannot count them."""
    if not terms or (others := _others(store, terms)) is None or others <= CANDIDATES:
        return terms  # a store of fewer studies than the budget keeps them all
    # Counted up to one past the budget (the study itself has each of its terms), so that
    # a count costs what the budget allows, not what a common word matches ...
    limit = CANDIDATES + 2
    counts = store.match_counts(terms, limit)
    while min(counts) == limit and limit < RECOUNT:
        # ... unless every term is common: then which is least so is counted further.
        limit *= 4
        counts = store.match_counts(terms, limit)
    ranked = sorted((pair for pair in zip(counts, terms) if pair[0] > 1),
                    key=lambda pair: pair[0])
    ordered = [term for _, term in ranked]
    if not ranked or ranked[0][0] - 1 > CANDIDATES:  # the rarest alone is past the budget
        return ordered[:1]
    # The longest run of them whose union stays within the budget (the whole run does not):
    # bisected, as a longer run only matches more.
    kept, longest = 1, len(ordered) - 1
    while kept < longest:
        length = (kept + longest + 1) // 2
        if _others(store, ordered[:length]) <= CANDIDATES:
            kept = length
        else:
            longest = length - 1
    return ordered[:kept]


def _others(store: Store, terms: list) -> int | None:
    """How many studies besides the one whose terms they are match any of `terms`, counted
    to one past the budget; None where the store cannot count so."""
    counts = store.match_counts([c.combine(c.Or, terms)], CANDIDATES + 2)
    return None if counts is None else counts[0] - 1


def _words(value: str) -> list[str]:
    return [word for word in _WORD.findall(value)
            if len(word) > 2 and word.lower() not in STOP_WORDS]
