"""The registry website's history endpoints (`/api/int/...`), as history tools read them."""

from api.resources.internal.routes import blp


def register_blueprints(api) -> None:
    """Attach the website-shaped history endpoints to `api`."""
    api.register_blueprint(blp)
