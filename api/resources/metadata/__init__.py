"""The data model resource: `/studies/metadata`, `/studies/enums`, `/studies/search-areas`."""

from api.resources.metadata.routes import blp


def register_blueprints(api) -> None:
    """Attach the data model endpoints to `api`."""
    api.register_blueprint(blp)
