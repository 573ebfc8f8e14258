"""A study's history: its versions, each version's text, the difference between two."""

from api.resources.history.routes import blp


def register_blueprints(api) -> None:
    """Attach the history endpoints to `api`."""
    api.register_blueprint(blp)
