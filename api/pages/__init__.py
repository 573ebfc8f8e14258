"""Pages for people: a stored study as the registry website's study page, and a search page.

`study.sections(document)` turns a record into the page's sections, in the website's order
and with its labels (the seed's page, `NCT04325594`, is the model); each section is a tree
of the small blocks of `blocks`, which the templates beside this package render. Nothing
here knows HTTP or the store: `api.services.pages` brings the record, its related trials
and its history; `api.resources.pages` serves the HTML.
"""

from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
