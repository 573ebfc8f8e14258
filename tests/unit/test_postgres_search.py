"""The PostgreSQL store finds what the SQLite store finds: the same studies, in the same
order (but for relevance, where only the set must agree), the same counts, page by page.

Both stores hold the 22 real records and the seed; every search goes through the search
service (`find_studies`) with criteria built as the HTTP edge builds them, and walks every
page at several page sizes.
"""

import dataclasses
import json

import psycopg
import pytest

from api.exceptions import TooCostly
from api.loading import load_files
from api.search import filters, paging
from api.services.requests import SearchRequest
from api.services.search import find_studies
from api.store import open_store, postgres_index
from api.store.postgres_search import read_transaction
from tests.conformance.conftest import LOADED
from tests.conftest import new_store_url, requires_shared, seed_as

QUERIES = {
    "every study": {},
    "word": {"query.term": "cancer"},
    "stemmed word": {"query.term": "vaccines"},
    "phrase": {"query.term": '"heart failure"'},
    "phrase, stemmed": {"query.term": '"prostate cancers"'},
    "accented word": {"query.term": "Lariboisiere"},
    "two words AND": {"query.term": "diabetes AND treatment"},
    "OR": {"query.term": "melanoma OR lymphoma"},
    "NOT": {"query.term": "study NOT cancer"},
    "NOT alone": {"query.term": "NOT diabetes"},
    "nested": {"query.term": "(lung OR prostate) AND NOT (radiation OR placebo)"},
    "area": {"query.term": "AREA[BriefTitle]study"},
    "area phrase": {"query.term": 'AREA[Condition]"prostate cancer"'},
    "starts with": {"query.term": "AREA[BriefTitle]COVERAGE[StartsWith]study"},
    "starts with, phrase": {"query.term": 'AREA[OfficialTitle]COVERAGE[StartsWith]"a randomized"'},
    "starts with, not first": {"query.term": "AREA[OfficialTitle]COVERAGE[StartsWith]randomized"},
    "starts with, other piece": {
        "query.term": "AREA[EligibilityCriteria]COVERAGE[StartsWith]inclusion"},
    "starts with, area": {"query.term": "COVERAGE[StartsWith]effect"},
    "other text piece": {"query.term": "AREA[EligibilityCriteria]pregnant"},
    "branch": {"query.term": "AREA[DesignModule]randomized"},
    "no words": {"query.term": "AREA[BriefTitle]\"!!!\""},
    "no words, negated": {"query.term": "NOT AREA[BriefTitle]\"!!!\" AND cancer"},
    "number word": {"query.term": "2"},
    "condition": {"query.cond": "diabetes"},
    "intervention": {"query.intr": "placebo"},
    "location": {"query.locn": "China"},
    "location city": {"query.locn": "Boston"},
    "titles": {"query.titles": "study"},
    "outcomes": {"query.outc": "survival"},
    "sponsor": {"query.spons": "university"},
    "lead sponsor": {"query.lead": "National Cancer Institute"},
    "lead sponsor, phrase": {"query.lead": '"University of"'},
    "id": {"query.id": "NCT04325594"},
    "ids in a query": {"query.term": "NCT01126879 NCT05600179"},
    "term and condition": {"query.term": "study", "query.cond": "cancer"},
    "status": {"filter.overallStatus": ["COMPLETED"]},
    "statuses": {"filter.overallStatus": ["RECRUITING", "UNKNOWN"], "query.term": "study"},
    "phase": {"filter.advanced": "AREA[Phase]PHASE2"},
    "phases": {"filter.advanced": "AREA[Phase](PHASE2 OR PHASE3)"},
    "enum not": {"filter.advanced": "NOT AREA[StudyType]INTERVENTIONAL"},
    "boolean": {"filter.advanced": "AREA[HealthyVolunteers]yes"},
    "date value": {"filter.advanced": "AREA[StartDate]2020"},
    "date range": {"filter.advanced": "AREA[StartDate]RANGE[2015-01-01, MAX]"},
    "date range, closed": {"filter.advanced": "AREA[LastUpdatePostDate]RANGE[2019, 2023-06]"},
    "age range": {"filter.advanced": "AREA[MinimumAge]RANGE[MIN, 18 years]"},
    "number range": {"filter.advanced": "AREA[EnrollmentCount]RANGE[20, 200]"},
    "number value": {"filter.advanced": "AREA[EnrollmentCount]40"},
    "missing": {"filter.advanced": "AREA[ResultsFirstPostDate]MISSING"},
    "not missing": {"filter.advanced": "NOT AREA[CompletionDate]MISSING"},
    "missing text": {"filter.advanced": "AREA[Acronym]MISSING"},
    "geo": {"filter.geo": "distance(39.0035707,-77.1013313,500mi)"},
    "geo, small": {"filter.geo": "distance(42.3601,-71.0589,20km)"},
    "geo, wide": {"filter.geo": "distance(0,0,20000km)"},
    "distance in advanced": {"filter.advanced": "AREA[LocationGeoPoint]DISTANCE[31.2,121.5,300km]"},
    "ids": {"filter.ids": ["NCT04325594", "NCT00184067", "NCT99999999"]},
    "ids and term": {"filter.ids": ["NCT04325594", "NCT01126879"], "query.term": "cancer"},
    "mixed": {"query.term": "study", "filter.overallStatus": ["COMPLETED", "RECRUITING"],
              "filter.advanced": "AREA[EnrollmentCount]RANGE[10, MAX]"},
}
SORTS = {
    "none": None,
    "date desc": ["LastUpdatePostDate"],
    "date asc": ["StartDate:asc"],
    "number": ["EnrollmentCount"],
    "number desc": ["EnrollmentCount:desc"],
    "age": ["MinimumAge:desc"],
    "two keys": ["CompletionDate:asc", "EnrollmentCount:desc"],
    "relevance": ["@relevance"],
    "relevance asc": ["@relevance:asc"],
    "key then relevance": ["StartDate", "@relevance"],
}
WALKED = [SORTS[name] for name in ("none", "date desc", "number", "two keys", "relevance")]


@pytest.fixture(scope="module")
def stores(request, tmp_path_factory):
    """(SQLite store, PostgreSQL store), each holding the same loaded records."""
    requires_shared()
    folder = tmp_path_factory.mktemp("compare")
    opened = [open_store(new_store_url(request, backend, folder))
              for backend in ("sqlite", "postgresql")]
    for store in opened:
        report = load_files(store, LOADED)
        assert not report.refused and report.count("added") == len(LOADED)
    yield opened
    for store in opened:
        store.close()


def walk(store, values: dict, sort, page_size: int) -> tuple[list[str], int]:
    """Every page of a search: the NCT ids in order, and the first page's totalCount."""
    request = SearchRequest(criteria=filters.search_criteria(values),
                            sort=paging.sort_keys(sort), page_size=page_size, count_total=True)
    found, total = [], None
    while True:
        page = find_studies(store, request)
        total = page.total if total is None else total
        found += [json.loads(document)["protocolSection"]["identificationModule"]["nctId"]
                  for document in page.documents]
        if page.next_token is None:
            return found, total
        assert len(found) <= len(LOADED), "paging does not end"
        request = dataclasses.replace(request, page_token=page.next_token)


@pytest.mark.parametrize("sort", SORTS.values(), ids=SORTS.keys())
@pytest.mark.parametrize("values", QUERIES.values(), ids=QUERIES.keys())
def test_same_studies_in_the_same_order(stores, values, sort):
    sqlite, postgresql = stores
    expected, total = walk(sqlite, values, sort, 1000)
    assert total == len(expected) == len(set(expected))
    # Pages of 2 for the sorts whose keysets differ in shape (the other page sizes:
    # test_deep_paging_walks_every_page_alike).
    for page_size in (1000, 2) if sort in WALKED else (1000,):
        found, found_total = walk(postgresql, values, sort, page_size)
        assert found_total == total
        if sort and any(key.startswith("@relevance") for key in sort):
            assert sorted(found) == sorted(expected)
        else:
            assert found == expected


@pytest.mark.parametrize("page_size", [1, 3])
@pytest.mark.parametrize("sort", [None, ["StartDate"], ["EnrollmentCount:desc", "StartDate"]],
                         ids=["id", "date", "two keys"])
def test_deep_paging_walks_every_page_alike(stores, sort, page_size):
    sqlite, postgresql = stores
    for values in (QUERIES["every study"], QUERIES["NOT"], QUERIES["mixed"]):
        assert walk(postgresql, values, sort, page_size) == walk(sqlite, values, sort, page_size)


def test_queries_find_something(stores):
    """The comparison means something: most queries find some studies and not all."""
    sqlite, _ = stores
    sizes = [len(walk(sqlite, values, None, 1000)[0]) for values in QUERIES.values()]
    assert sum(0 < size < len(LOADED) for size in sizes) >= len(QUERIES) * 2 // 3


def test_relevance_ranks_title_matches_first(stores):
    _, postgresql = stores
    request = SearchRequest(criteria=filters.search_criteria({"query.term": "cancer"}),
                            sort=paging.sort_keys(["@relevance"]), page_size=1000)
    identifications = [json.loads(document)["protocolSection"]["identificationModule"]
                       for document in find_studies(postgresql, request).documents]
    in_title = ["cancer" in (item["briefTitle"] + item.get("officialTitle", "")).lower()
                for item in identifications]
    assert any(in_title) and not all(in_title)
    assert in_title == sorted(in_title, reverse=True)


LONG = "x" * 600  # longer than any lexeme PostgreSQL keeps: indexed as a digest
EDGE_RECORDS = {
    "NCT90000001": f"Alpha {LONG} omega beta",
    "NCT90000002": f"Alpha {LONG[:-1]}y omega",
    "NCT90000003": "O'Brien \\ back-slash: a 'quoted' title",
}
EDGE_QUERIES = {
    "long word": {"query.term": f"AREA[BriefTitle]{LONG}"},
    "long word in a phrase": {"query.term": f'AREA[BriefTitle]"alpha {LONG} omega"'},
    "long word's neighbour": {"query.term": f"AREA[BriefTitle]{LONG[:-1]}y"},
    "long word's prefix": {"query.term": f"AREA[BriefTitle]{LONG[:-1]}"},
    "starts with": {"query.term": "AREA[BriefTitle]COVERAGE[StartsWith]alpha"},
    "quote": {"query.term": "O'Brien"},
    "backslash and quotes": {"query.term": "AREA[BriefTitle]\"back-slash: a 'quoted'\""},
}


@pytest.fixture(scope="module")
def edge_urls(request, tmp_path_factory):
    """(SQLite URL, PostgreSQL URL) of stores holding records with words PostgreSQL cannot
    keep as they are: too long, or spelled with quotes and backslashes."""
    folder = tmp_path_factory.mktemp("edge")
    paths = []
    for nct_id, title in EDGE_RECORDS.items():
        paths.append(folder / f"{nct_id}.json")
        paths[-1].write_text(seed_as(nct_id, briefTitle=title), encoding="utf-8")
    urls = [new_store_url(request, backend, folder) for backend in ("sqlite", "postgresql")]
    for url in urls:
        store = open_store(url)
        assert load_files(store, paths).count("added") == len(paths)
        store.close()
    return urls


@pytest.fixture(scope="module")
def edge_stores(edge_urls):
    opened = [open_store(url) for url in edge_urls]
    yield opened
    for store in opened:
        store.close()


@pytest.mark.parametrize("values", EDGE_QUERIES.values(), ids=EDGE_QUERIES.keys())
def test_words_past_postgresql_limits_match_alike(edge_stores, values):
    sqlite, postgresql = edge_stores
    assert walk(postgresql, values, None, 10) == walk(sqlite, values, None, 10)


def test_a_long_word_matches_itself_only(edge_stores):
    _, postgresql = edge_stores
    assert walk(postgresql, EDGE_QUERIES["long word"], None, 10) == (["NCT90000001"], 1)


def test_a_search_past_its_time_budget_is_stopped(request, tmp_path):
    url = new_store_url(request, "postgresql", tmp_path)
    with psycopg.connect(url, autocommit=True) as connection:
        with pytest.raises(TooCostly, match=r"longer than this server allows \(0\.05 s\)"):
            with read_transaction(connection, 0.05):
                connection.execute("SELECT pg_sleep(2)")
        # The budget was the transaction's own: the connection is usable, unbounded.
        assert connection.execute("SHOW statement_timeout").fetchone()[0] == "0"


def test_rebuilding_the_index_finds_the_same_studies(edge_urls, edge_stores):
    _, postgresql = edge_stores
    queries = [EDGE_QUERIES["long word"], EDGE_QUERIES["quote"], {}]
    before = [walk(postgresql, values, None, 10) for values in queries]
    with psycopg.connect(edge_urls[1]) as connection, connection.cursor() as cursor:
        assert postgres_index.rebuild(cursor, batch_size=2) == len(EDGE_RECORDS)
    assert [walk(postgresql, values, None, 10) for values in queries] == before
