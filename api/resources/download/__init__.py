"""The bulk download: every study a search matches, zipped."""

from api.resources.download.routes import blp


def register_blueprints(api) -> None:
    """Attach the download endpoint to `api`."""
    api.register_blueprint(blp)
