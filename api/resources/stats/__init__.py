"""The stats resource: `/stats/size`, `/stats/field/values`, `/stats/field/sizes`."""

from api.resources.stats.routes import blp
from api.resources.stats.schemas import register_components


def register_blueprints(api) -> None:
    """Attach the stats endpoints to `api`, and the components their docs refer to."""
    register_components(api.spec)
    api.register_blueprint(blp)
