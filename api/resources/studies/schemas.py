"""Query parameters of the study endpoints (names, values and wording as the registry's)."""

import marshmallow as ma

from api.smorest import DelimitedList, QuerySchema, one_of

FORMATS = ["json"]
MARKUP_FORMATS = ["markdown"]


class FetchStudyQuery(QuerySchema):
    """Query parameters of `GET /studies/{nctId}`."""

    format = ma.fields.String(
        load_default="json",
        validate=one_of("format", FORMATS),
        metadata={"description": "Response format. `json`: the study document."},
    )
    markup_format = ma.fields.String(
        data_key="markupFormat",
        load_default="markdown",
        validate=one_of("markupFormat", MARKUP_FORMATS),
        metadata={"description": "Format of markup fields (descriptions, criteria): "
                  "`markdown` (CommonMark), as stored."},
    )
    fields = DelimitedList(
        ma.fields.String(),
        metadata={
            "description": "Return only these parts of the study, keeping their nesting. "
            "Comma- or pipe-separated piece names (`NCTId`, `BriefTitle`), branch pieces "
            "(`ConditionsModule`, `ProtocolSection`) or dotted paths "
            "(`protocolSection.conditionsModule.conditions`).",
            "example": ["NCTId", "BriefTitle", "OverallStatus", "HasResults"],
        },
    )


class NoQuery(QuerySchema):
    """An endpoint that takes no query parameters."""
