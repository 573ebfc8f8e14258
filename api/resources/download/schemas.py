"""Parameters of `GET /studies/download`: `format` and the search parameters of `GET /studies`."""

import marshmallow as ma

from api.query import QuerySchema, one_of
from api.resources.studies.schemas import list_parameters
from api.search import filters
from api.services.download import DownloadRequest

FORMATS = ("json.zip",)
# What shapes or pages a search's answer: a download is every match, each study as stored.
_NOT_SEARCH = ("format", "markupFormat", "fields", "sort", "countTotal", "pageSize", "pageToken")


def _download_fields() -> dict:
    """`format`, then the search parameters of `GET /studies`, by wire name."""
    fields = {"format": ma.fields.String(
        data_key="format", load_default="json.zip", validate=one_of("format", FORMATS),
        metadata={"description": "`json.zip` (the only one): a zip archive of one "
                  "`<NCTId>.json` per study, each the study's JSON as stored."})}
    fields.update((name, field) for name, field in list_parameters().items()
                  if name not in _NOT_SEARCH)
    return fields


class _Download(QuerySchema):
    @ma.post_load
    def download(self, loaded, **kwargs) -> DownloadRequest:
        """The studies to zip: the search's criteria, resolved once."""
        data = {self.fields[name].data_key or name: value for name, value in loaded.items()}
        return DownloadRequest(criteria=filters.search_criteria(data))


# As `ListStudiesQuery`: marshmallow reads a dot in a name as nesting, the wire names are
# the data keys.
DownloadQuery = _Download.from_dict(
    {name.replace(".", "_"): field for name, field in _download_fields().items()},
    name="DownloadQuery")
DownloadQuery.__doc__ = "The parameters of `GET /studies/download`."
