"""Parameters of the study endpoints (names, values and wording as the registry's), each
schema loading a request into the typed request its service takes."""

import marshmallow as ma

from api.formats import FORMATS, LIST_FORMATS, MARKUP_FORMATS
from api.query import Boolean, DelimitedList, QuerySchema, one_of
from api.search import filters, paging
from api.services.requests import Output, SearchRequest
from schemas.base import Schema
from schemas.enums import Status
from schemas.search_areas import QUERY_PARAMETERS
from schemas.study import StudySchema

INT32_MAX = 2**31 - 1


def _markup_format(description: str) -> ma.fields.String:
    return ma.fields.String(data_key="markupFormat", load_default="markdown",
                            validate=one_of("markupFormat", MARKUP_FORMATS),
                            metadata={"description": description})


class FetchStudyQuery(QuerySchema):
    """Query parameters of `GET /studies/{nctId}`; loads the study's `Output`."""

    format = ma.fields.String(
        load_default="json",
        validate=one_of("format", FORMATS),
        metadata={"description": "Response format:\n"
                  "* `json`: the study document; markup as `markupFormat` says\n"
                  "* `csv`: a header row and the study's row of the registry's CSV columns\n"
                  "* `json.zip`: the JSON document as `<NCTId>.json` in a zip archive "
                  "(attachment `<NCTId>.json.zip`); markup always markdown\n"
                  "* `fhir.json`: a FHIR R4 Bundle (ResearchStudy, eligibility Group, "
                  "sponsor, investigator, sites); `fields` must be unspecified\n"
                  "* `ris`: one RIS record (`TY  - DBASE`) for reference managers"},
    )
    markup_format = _markup_format(
        "Format of markup fields (descriptions, criteria): `markdown` (CommonMark), as "
        "stored, or `legacy`, the classic PRS text (CRLF line ends, `- ` bullets, no "
        "markdown escapes). Applies to `json` only.")
    fields = DelimitedList(
        ma.fields.String(),
        metadata={
            "description": "Return only these parts of the study, keeping their nesting. "
            "Comma- or pipe-separated piece names (`NCTId`, `BriefTitle`), branch pieces "
            "(`ConditionsModule`, `ProtocolSection`) or dotted paths "
            "(`protocolSection.conditionsModule.conditions`). With `format=csv`: CSV column "
            "names (`NCT Number`, `Study Title`, ...; the server's column order is kept). "
            "With `format=ris`: RIS tags (`TI`, `AU`, ...). Not allowed with `fhir.json`.",
            "example": ["NCTId", "BriefTitle", "OverallStatus", "HasResults"],
        },
    )

    @ma.post_load
    def output(self, data, **kwargs) -> Output:
        """The format, markup and what `fields=` selects for the format."""
        selection = FORMATS[data["format"]].select(data.get("fields"), None)
        return Output(data["format"], data["markup_format"], selection)


class NoQuery(QuerySchema):
    """An endpoint that takes no query parameters."""


_QUERY_DESCRIPTIONS = {
    "query.cond": "Conditions or disease (Essie expression; searches `ConditionSearch`).",
    "query.term": "Other terms (Essie expression; searches `BasicSearch`), e.g. "
                  "`AREA[LastUpdatePostDate]RANGE[2023-01-15,MAX]`.",
    "query.locn": "Location terms (`LocationSearch`).",
    "query.titles": "Title or acronym (`TitleSearch`).",
    "query.intr": "Intervention or treatment (`InterventionSearch`).",
    "query.outc": "Outcome measure (`OutcomeSearch`).",
    "query.spons": "Sponsor or collaborator (`SponsorSearch`).",
    "query.lead": "Lead sponsor name (`LeadSponsorName`).",
    "query.id": "Study IDs: NCT numbers, aliases, acronyms, organization and secondary IDs "
                "(`IdSearch`).",
    "query.patient": "Patient-oriented search (`PatientSearch`).",
}


def _text(description: str, **kwargs) -> ma.fields.String:
    return ma.fields.String(metadata={"description": description}, **kwargs)


def _filters(prefix: str) -> dict:
    """The `filter.*` parameters, or the same ones as `postFilter.*`."""
    same = " Same as `filter.*`." if prefix == "postFilter" else ""
    return {
        f"{prefix}.overallStatus": DelimitedList(
            ma.fields.String(validate=one_of("overallStatus", Status.values())),
            metadata={"description": "Overall statuses, comma- or pipe-separated." + same}),
        f"{prefix}.geo": _text("`distance(lat,lon,radius)` with radius in `mi` (default) or "
                               "`km`: studies with a site that near." + same),
        f"{prefix}.ids": DelimitedList(ma.fields.String(), metadata={
            "description": "NCT numbers; matches NCTId and NCTIdAlias. For thousands, "
                           f"`POST` the search (at most {filters.MAX_IDS})." + same}),
        f"{prefix}.advanced": _text("An Essie expression, e.g. `AREA[Phase]PHASE3` or "
                                    "`AREA[MinimumAge]RANGE[MIN, 16 years]`." + same),
        f"{prefix}.synonyms": DelimitedList(
            ma.fields.String(validate=ma.validate.Regexp(
                r"^[A-Za-z]+:\d+$", error=f"Invalid value in parameter `{prefix}.synonyms`: "
                "`{input}`")),
            metadata={"description": "`area:synonym_id` pairs. Accepted; this server keeps no "
                      "synonym table, so they do not change results." + same}),
    }


def list_parameters() -> dict:
    """Every parameter of `GET /studies`, in the registry's order, by its wire name."""
    fields = {
        "format": ma.fields.String(load_default="json", validate=one_of("format", LIST_FORMATS),
                                   metadata={"description": "`json` or `csv`."}),
        "markupFormat": ma.fields.String(
            load_default="markdown", validate=one_of("markupFormat", MARKUP_FORMATS),
            metadata={"description": "Format of markup fields: `markdown` or `legacy`."}),
        **{name: _text(_QUERY_DESCRIPTIONS[name]) for name in QUERY_PARAMETERS},
        **_filters("filter"),
        **_filters("postFilter"),
        "aggFilters": _text("Facet filters, e.g. `results:with,status:com` or "
                            "`status:not rec,sex:f,healthy:y`."),
        "geoDecay": _text("Accepted for compatibility; results are not ranked by distance.",
                          validate=ma.validate.Regexp(
                              r"^func:(gauss|exp|linear),scale:(\d+(\.\d+)?(km|mi)),"
                              r"offset:(\d+(\.\d+)?(km|mi)),decay:(\d+(\.\d+)?)$",
                              error="Invalid value in parameter `geoDecay`: `{input}`")),
        "fields": DelimitedList(ma.fields.String(), metadata={
            "description": "Only these parts of each study: piece names, branch pieces, dotted "
                           "paths, search area names, or `@query` (the areas the `query.*` "
                           "parameters searched). With `format=csv`: CSV column names."}),
        "sort": DelimitedList(ma.fields.String(), metadata={
            "description": "Up to 2 keys, each a date or numeric piece or `@relevance`, "
                           "optionally `:asc` or `:desc` (default: dates and `@relevance` "
                           "descending, numbers ascending). Studies without the field come "
                           "last. Unsorted by default.",
            "example": ["LastUpdatePostDate:desc"]}),
        "countTotal": Boolean(
            load_default=False,
            error_messages={"invalid": "Invalid value in parameter `countTotal`: `{input}`"},
            metadata={"description": "Add `totalCount` to the first page."}),
        "pageSize": ma.fields.Integer(
            load_default=10,
            error_messages={"invalid": "Invalid value in parameter `pageSize`: `{input}`"},
            # An int32 in the registry's spec: larger numbers are not quietly 1000 but refused.
            validate=ma.validate.Range(min=0, max=INT32_MAX, error="Invalid value in parameter "
                                       "`pageSize`: `{input}`"),
            metadata={"description": "Studies per page: 0 or absent means 10, more than "
                      "1000 means 1000."}),
        "pageToken": _text("`nextPageToken` of the previous page; repeat every other "
                           "parameter except `countTotal` and `pageSize`."),
    }
    for name, field in fields.items():
        field.data_key = name
    return fields


class _ListStudies(QuerySchema):
    @ma.post_load
    def search(self, loaded, **kwargs) -> SearchRequest:
        """The search: criteria, sort, page and output, each resolved once."""
        data = {self.fields[name].data_key or name: value for name, value in loaded.items()}
        selection = FORMATS[data["format"]].select(data.get("fields"),
                                                   filters.query_areas(data))
        return SearchRequest(
            criteria=filters.search_criteria(data),
            sort=paging.sort_keys(data.get("sort")),
            page_size=paging.page_size(data["pageSize"]),
            page_token=data.get("pageToken"),
            count_total=data["countTotal"],
            output=Output(data["format"], data["markupFormat"], selection),
        )


# marshmallow reads a dot in a field's name as nesting: the fields are named without them,
# their wire names are their data keys.
ListStudiesQuery = _ListStudies.from_dict(
    {name.replace(".", "_"): field for name, field in list_parameters().items()},
    name="ListStudiesQuery")
ListStudiesQuery.__doc__ = ("The parameters of a search: `GET /studies` takes them in the query "
                            "string, `POST /studies` in a form-encoded body.")


class PagedStudiesSchema(Schema):
    """A page of studies (the registry's `PagedStudies`)."""

    total_count = ma.fields.Integer(metadata={
        "description": "How many studies match; on the first page, with `countTotal=true`."})
    studies = ma.fields.List(ma.fields.Nested(StudySchema), required=True)
    next_page_token = ma.fields.String(metadata={
        "description": "Pass as `pageToken` for the next page; absent on the last page."})


_SIMILAR_PARAMETERS = ("markupFormat", "pageSize", "pageToken", "countTotal")


class _SimilarStudies(QuerySchema):
    @ma.post_load
    def search(self, loaded, **kwargs) -> SearchRequest:
        """The page and output of the search; its criteria come from the study."""
        data = {self.fields[name].data_key or name: value for name, value in loaded.items()}
        return SearchRequest(
            page_size=paging.page_size(data["pageSize"]),
            page_token=data.get("pageToken"),
            count_total=data["countTotal"],
            output=Output("json", data["markupFormat"],
                          FORMATS["json"].select(data.get("fields"), ())),
        )


# The list's own definitions of the parameters both take, so they read and refuse alike.
SimilarStudiesQuery = _SimilarStudies.from_dict({
    **{name: field for name, field in list_parameters().items() if name in _SIMILAR_PARAMETERS},
    "fields": DelimitedList(ma.fields.String(), data_key="fields", metadata={
        "description": "Only these parts of each study: piece names, branch pieces or dotted "
                       "paths, as `GET /studies` takes them.",
        "example": ["NCTId", "BriefTitle", "OverallStatus", "Phase"]}),
}, name="SimilarStudiesQuery")
SimilarStudiesQuery.__doc__ = "The parameters of `GET /studies/{nctId}/similar`: a page of it."
