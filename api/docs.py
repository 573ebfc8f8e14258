"""The interactive API docs (Swagger UI), served from this server.

The Swagger UI assets come from the `swagger-ui-bundle` package rather than a CDN, so the
docs page works on networks without internet access. Only the files flask-smorest's docs
page loads are served: the package's own `index.html` and `swagger-initializer.js` are the
stock demo page, which points browsers at a public demo API, not at this server.
"""

from flask import Blueprint, Flask, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

STATIC_URL = "/api/docs/static"
# What flask-smorest's Swagger UI template links to, and the maps browsers' tools ask for.
ASSETS = frozenset({
    "swagger-ui.css", "swagger-ui.css.map",
    "swagger-ui-bundle.js", "swagger-ui-bundle.js.map",
    "swagger-ui-standalone-preset.js", "swagger-ui-standalone-preset.js.map",
    "favicon-16x16.png", "favicon-32x32.png",
})


def init_app(app: Flask) -> None:
    """Serve the Swagger UI assets and point flask-smorest's docs page at them."""
    app.config.setdefault("OPENAPI_SWAGGER_UI_URL", STATIC_URL + "/")
    assets = Blueprint("swagger_ui_assets", __name__)

    @assets.get(f"{STATIC_URL}/<path:name>")
    def swagger_ui_asset(name: str):
        if name not in ASSETS:
            abort(404)
        return send_from_directory(swagger_ui_path, name)

    app.register_blueprint(assets)
