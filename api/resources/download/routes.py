"""`GET /studies/download?format=json.zip`: the registry's bulk download, of any search."""

from flask import Response, current_app

from api.resources.download.schemas import DownloadQuery
from api.services import download
from api.smorest import Blueprint, Resource

blp = Blueprint("download", __name__, url_prefix="/api/v2",
                description="Bulk download of clinical trial studies")

ZIP = "application/zip"


def _documented(func):
    """The answers both download operations document."""
    func = blp.alt_response(503, schema="errorMessage", content_type="text/plain",
                            description="The search ran past the server's time budget and "
                            "was stopped; `Retry-After` says when to try again.",
                            headers={"Retry-After": {"schema": {"type": "integer"},
                                                     "description": "Seconds to wait"}})(func)
    return blp.error(400, "A parameter is unknown or malformed, a query does not parse or "
                     "exceeds a limit, or `format` is not `json.zip`.",
                     "Invalid value in parameter `format`: `csv`")(func)


ZIPPED = {"schema": {"type": "string", "format": "binary",
                     "description": "A zip archive of one `<NCTId>.json` per study"},
          "content_type": ZIP, "description": "The matching studies, zipped.",
          "headers": {"Content-Disposition": {
              "schema": {"type": "string"},
              "description": f'attachment; filename="{download.FILENAME}"'}}}


@blp.route("/studies/download")
class Download(Resource):
    @blp.query(DownloadQuery)
    @blp.response(200, **ZIPPED)
    @_documented
    def get(self, request):
        """Download studies

        Every study the search parameters of `GET /studies` match (without any, every
        study), as a zip archive of one `<NCTId>.json` file per study, each the study's
        JSON exactly as stored: `flask --app api import` of the archive stores the same
        studies. The path the registry's migration guide names for its bulk download. The
        archive is streamed as it is written, in the order studies were first stored.
        """
        return _zipped(request)

    @blp.query(DownloadQuery, form=True)
    @blp.response(200, **ZIPPED)
    @_documented
    def post(self, request):
        """Download studies, parameters in the body

        This server's addition: the same download, its parameters sent form-encoded
        (`application/x-www-form-urlencoded`) in the body, as `POST /studies` takes them:
        for what no URL holds, such as thousands of NCT numbers in `filter.ids`.
        """
        return _zipped(request)


def _zipped(request) -> Response:
    """The download as a streamed attachment."""
    chunks = download.zip_download(current_app.extensions["store"], request,
                                   current_app.config["SEARCH_TIME_BUDGET"])
    return Response(chunks, content_type=ZIP, headers={
        "Content-Disposition": f'attachment; filename="{download.FILENAME}"'})
