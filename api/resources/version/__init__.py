"""The version resource."""

from api.resources.version.routes import blp


def register_blueprints(api) -> None:
    """Attach `/version` to `api`."""
    api.register_blueprint(blp)
