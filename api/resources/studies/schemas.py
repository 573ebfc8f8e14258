"""Query parameters of the study endpoints (names, values and wording as the registry's)."""

import marshmallow as ma

from api.smorest import DelimitedList, QuerySchema, one_of
from schemas.base import Schema
from schemas.enums import Status
from schemas.study import StudySchema

FORMATS = ["csv", "json", "json.zip", "fhir.json", "ris"]
MARKUP_FORMATS = ["markdown", "legacy"]


class FetchStudyQuery(QuerySchema):
    """Query parameters of `GET /studies/{nctId}`."""

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
    markup_format = ma.fields.String(
        data_key="markupFormat",
        load_default="markdown",
        validate=one_of("markupFormat", MARKUP_FORMATS),
        metadata={"description": "Format of markup fields (descriptions, criteria): "
                  "`markdown` (CommonMark), as stored, or `legacy`, the classic PRS text "
                  "(CRLF line ends, `- ` bullets, no markdown escapes). Applies to `json` "
                  "only."},
    )
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


class NoQuery(QuerySchema):
    """An endpoint that takes no query parameters."""


LIST_FORMATS = ["csv", "json"]
INT32_MAX = 2**31 - 1
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
        f"{prefix}_overall_status": DelimitedList(
            ma.fields.String(validate=one_of("overallStatus", Status.values())),
            data_key=f"{prefix}.overallStatus",
            metadata={"description": "Overall statuses, comma- or pipe-separated." + same}),
        f"{prefix}_geo": _text("`distance(lat,lon,radius)` with radius in `mi` (default) or "
                               "`km`: studies with a site that near." + same,
                               data_key=f"{prefix}.geo"),
        f"{prefix}_ids": DelimitedList(
            ma.fields.String(), data_key=f"{prefix}.ids",
            metadata={"description": "NCT numbers; matches NCTId and NCTIdAlias." + same}),
        f"{prefix}_advanced": _text("An Essie expression, e.g. `AREA[Phase]PHASE3` or "
                                    "`AREA[MinimumAge]RANGE[MIN, 16 years]`." + same,
                                    data_key=f"{prefix}.advanced"),
        f"{prefix}_synonyms": DelimitedList(
            ma.fields.String(validate=ma.validate.Regexp(
                r"^[A-Za-z]+:\d+$", error=f"Invalid value in parameter `{prefix}.synonyms`: "
                "`{input}`")),
            data_key=f"{prefix}.synonyms",
            metadata={"description": "`area:synonym_id` pairs. Accepted; this server keeps no "
                      "synonym table, so they do not change results." + same}),
    }


def _list_fields() -> dict:
    """Every parameter of `GET /studies`, in the registry's order."""
    return {
        "format": ma.fields.String(load_default="json", validate=one_of("format", LIST_FORMATS),
                                   metadata={"description": "`json` or `csv`."}),
        "markup_format": ma.fields.String(
            data_key="markupFormat", load_default="markdown",
            validate=one_of("markupFormat", MARKUP_FORMATS),
            metadata={"description": "Format of markup fields: `markdown` or `legacy`."}),
        **{name.replace(".", "_"): _text(text, data_key=name)
           for name, text in _QUERY_DESCRIPTIONS.items()},
        **_filters("filter"),
        **_filters("postFilter"),
        "agg_filters": _text("Facet filters, e.g. `results:with,status:com` or "
                             "`status:not rec,sex:f,healthy:y`.", data_key="aggFilters"),
        "geo_decay": _text("Accepted for compatibility; results are not ranked by distance.",
                           data_key="geoDecay", validate=ma.validate.Regexp(
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
        "count_total": ma.fields.Boolean(
            data_key="countTotal", load_default=False,
            error_messages={"invalid": "Invalid value in parameter `countTotal`: `{input}`"},
            metadata={"description": "Add `totalCount` to the first page."}),
        "page_size": ma.fields.Integer(
            data_key="pageSize", load_default=10,
            error_messages={"invalid": "Invalid value in parameter `pageSize`: `{input}`"},
            # An int32 in the registry's spec: larger numbers are not quietly 1000 but refused.
            validate=ma.validate.Range(min=0, max=INT32_MAX, error="Invalid value in parameter "
                                       "`pageSize`: `{input}`"),
            metadata={"description": "Studies per page: 0 or absent means 10, more than "
                      "1000 means 1000."}),
        "page_token": _text("`nextPageToken` of the previous page; repeat every other "
                            "parameter except `countTotal` and `pageSize`.",
                            data_key="pageToken"),
    }


ListStudiesQuery = QuerySchema.from_dict(_list_fields(), name="ListStudiesQuery")


class PagedStudiesSchema(Schema):
    """A page of studies (the registry's `PagedStudies`)."""

    total_count = ma.fields.Integer(metadata={
        "description": "How many studies match; on the first page, with `countTotal=true`."})
    studies = ma.fields.List(ma.fields.Nested(StudySchema), required=True)
    next_page_token = ma.fields.String(metadata={
        "description": "Pass as `pageToken` for the next page; absent on the last page."})
