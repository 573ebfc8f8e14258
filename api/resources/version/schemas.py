"""The `/version` response."""

import marshmallow as ma

from schemas.base import Schema


class VersionSchema(Schema):
    """The API version and when the data last changed."""

    api_version = ma.fields.String(required=True, metadata={"example": "2.0.5"})
    data_timestamp = ma.fields.String(
        metadata={"description": "UTC time of the last change to the stored records, "
                  "`yyyy-MM-dd'T'HH:mm:ss`. Clients poll it to detect a refresh.",
                  "example": "2026-09-04T09:00:06"})
