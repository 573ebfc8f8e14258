"""`GET /study/{nctId}` and `GET /search`: pages for people, beside the API."""

from api.resources.pages.routes import blp

__all__ = ["blp"]
