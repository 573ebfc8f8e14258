"""The interactive API docs (Swagger UI), served from this server.

The Swagger UI assets come from the `swagger-ui-bundle` package rather than a CDN, so the
docs page works on networks without internet access.
"""

from flask import Blueprint, Flask
from swagger_ui_bundle import swagger_ui_path

STATIC_URL = "/api/docs/static"


def init_app(app: Flask) -> None:
    """Serve the Swagger UI assets and point flask-smorest's docs page at them."""
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", STATIC_URL + "/")
    assets = Blueprint("swagger_ui_assets", __name__, static_folder=swagger_ui_path,
                       static_url_path=STATIC_URL)
    app.register_blueprint(assets)
