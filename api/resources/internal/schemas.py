"""Parameters of `GET /api/int/studies/{nctId}`."""

from api.query import Boolean, QuerySchema


class WebsiteStudyQuery(QuerySchema):
    """Query parameters of the website-shaped study: whether to add its history."""

    history = Boolean(
        load_default=False,
        error_messages={"invalid": "Invalid value in parameter `history`: `{input}`"},
        metadata={"description": "Add `history.changes`: every version's number, last "
                  "update date and overall status, oldest first."})
