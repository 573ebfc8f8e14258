"""`GET /health` and `GET /ready`: probes for load balancers and orchestrators."""

from api.resources.operations.routes import blp

__all__ = ["blp"]
