"""Every resource of the API; each folder exposes `register_blueprints(api)`."""

from api.resources import download, history, internal, metadata, stats, studies, version


def register_blueprints(api) -> None:
    """Attach every resource's endpoints to `api`."""
    for resource in (metadata, stats, studies, download, history, internal, version):
        resource.register_blueprints(api)
