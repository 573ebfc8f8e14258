"""The study resource: one record, its sections and modules."""

from api.resources.studies.routes import blp


def register_blueprints(api) -> None:
    """Attach the study endpoints to `api`."""
    api.register_blueprint(blp)
