"""`GET /health` (the process is up), `GET /ready` (its store serves) and `GET /metrics`
(Prometheus), for operators.

Outside `/api/v2` and outside the OpenAPI document, which describes the registry's API: a
plain Flask blueprint, not one of the documented API's. None takes parameters; a load
balancer polls the probes, so they cost a store probe at most (the metrics, a few reads).
"""

from flask import Blueprint, Response, current_app, request

from api.errors import text_response
from api.services import operations

blp = Blueprint("operations", __name__)


@blp.get("/health")
def health():
    """200 while the process answers: it says nothing of the store (that is `/ready`)."""
    return text_response("ok", 200)


@blp.get("/ready")
def ready():
    """200 when the store answers and its layout is this code's; 503 with `Retry-After`
    and the reason otherwise (`api.errors`)."""
    return text_response(operations.readiness(current_app.extensions["store"]), 200)


@blp.get("/metrics")
def metrics():
    """Every metric (`api.observability.metrics`), in the Prometheus text format or, when
    the scraper asks for it, OpenMetrics."""
    body, content_type = current_app.extensions["metrics"].exposition(
        request.headers.get("Accept"))
    return Response(body, content_type=content_type)
