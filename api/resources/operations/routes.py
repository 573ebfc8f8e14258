"""`GET /health` (the process is up) and `GET /ready` (its store serves), for operators.

Outside `/api/v2` and outside the OpenAPI document, which describes the registry's API: a
plain Flask blueprint, not one of the documented API's. Both answer `text/plain` and take
no parameters; a load balancer polls them, so they cost a store probe at most.
"""

from flask import Blueprint, current_app

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
