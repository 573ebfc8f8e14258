"""What each endpoint asks its service for: plain data, parsed and checked once, at the edge.

The HTTP layer turns a request's parameters into one of these (`api.resources.*.schemas`);
below it nothing sees a parameter string. Ids are canonical, the output format and what
`fields=` selects for it are resolved, search criteria are a bound tree, so a service
starts work knowing the request is valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from api.formats import FORMATS, Format
from api.search.tokens import fingerprint
from api.search.criteria import SortKey


@dataclass(frozen=True)
class Output:
    """How to write studies: format name, markup (`markdown`, `legacy`), and what
    `fields=` selected for that format (`Format.select`; None: everything)."""

    format: str = "json"
    markup: str = "markdown"
    selection: object = None

    @property
    def writer(self) -> Format:
        """The format's renderer and media type."""
        return FORMATS[self.format]

    def canonical(self) -> str:
        """The same output, written the same way however `fields=` spelled it."""
        return json.dumps([self.format, self.markup, self.selection], sort_keys=True)


@dataclass(frozen=True)
class StudyRequest:
    """`GET /studies/{nctId}`: one study in an output form."""

    nct_id: str
    output: Output = field(default_factory=Output)


@dataclass(frozen=True)
class PartRequest:
    """`GET /studies/{nctId}/{section}[/{module}]`: a section or module as stored."""

    nct_id: str
    section: str
    module: str | None = None


@dataclass(frozen=True)
class SearchRequest:
    """`GET /studies` (or `POST`): one page of a search.

    `criteria`: a bound tree of `api.search.criteria` (None: every study); `page_token`:
    the previous page's `nextPageToken`, read by the service against `fingerprint`.
    """

    criteria: object = None
    sort: tuple[SortKey, ...] = ()
    page_size: int = 10
    page_token: str | None = None
    count_total: bool = False
    output: Output = field(default_factory=Output)

    @property
    def fingerprint(self) -> str:
        """What a page token binds: everything but the page token, size and count."""
        return fingerprint(repr((self.criteria, self.sort)) + self.output.canonical())
