"""`GET /version`."""

from flask import current_app

from api.resources.studies.schemas import NoQuery
from api.resources.version.schemas import VersionSchema
from api.smorest import Blueprint, Resource

blp = Blueprint("version", __name__, url_prefix="/api/v2", description="Version info")


@blp.route("/version")
class Version(Resource):
    @blp.query(NoQuery)
    @blp.response(200, VersionSchema)
    @blp.error(400, "A query parameter was given.", "`bogusParam` is unknown parameter")
    def get(self, query):
        """API and data version

        `apiVersion` is the registry API version this server reproduces; `dataTimestamp`
        changes whenever a record is added or replaced.
        """
        store = current_app.extensions["store"]
        version = {"api_version": current_app.config["API_VERSION"]}
        timestamp = store.data_timestamp()
        if timestamp is not None:
            version["data_timestamp"] = timestamp
        return version
