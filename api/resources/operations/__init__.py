"""`GET /health`, `GET /ready` and `GET /metrics`: for load balancers, orchestrators and
monitoring."""

from api.resources.operations.routes import blp

__all__ = ["blp"]
