"""The pieces a page section is made of; `templates/pages/blocks.html` renders each kind.

A section is a title, the website's one-line explanation of it, and blocks: facts
(a label and its value), lines of text, rendered markdown, lists of values shown as tags,
links, tables, and cards grouping blocks under a heading (a study group, a site). Empty values never
become blocks (`fact`, `line`, `tags` return None for them, and `present` drops those), so
a section the record lacks has no blocks and is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from markupsafe import Markup

from api.pages.markdown import to_html


@dataclass(frozen=True)
class Fact:
    """`label` and its value; `inline` writes both on one line (`Group Type EXPERIMENTAL`),
    else the label sits above the value as in the page's summary grids."""

    label: str
    value: str
    inline: bool = False
    kind = "fact"


@dataclass(frozen=True)
class Line:
    """A line of plain text; `strong` for a name that heads what follows it."""

    text: str
    strong: bool = False
    kind = "line"


@dataclass(frozen=True)
class Prose:
    """Markdown of the record, rendered to HTML (`api.pages.markdown`)."""

    html: Markup
    kind = "prose"


@dataclass(frozen=True)
class Tags:
    """Values shown side by side (conditions, keywords, countries)."""

    values: tuple[str, ...]
    kind = "tags"


@dataclass(frozen=True)
class Card:
    """Blocks under a heading; `href` makes the heading a link."""

    title: str
    blocks: tuple
    href: str | None = None
    kind = "card"


@dataclass(frozen=True)
class Link:
    """A link, to a page or to JSON."""

    text: str
    href: str
    kind = "link"


@dataclass(frozen=True)
class Table:
    """Rows under column headings; a cell is text or a `Link`."""

    columns: tuple[str, ...]
    rows: tuple[tuple, ...]
    kind = "table"


@dataclass(frozen=True)
class Section:
    """One section of a page: `anchor` is its id in the page."""

    anchor: str
    title: str
    blurb: str
    blocks: tuple


def present(blocks: Iterable) -> tuple:
    """The blocks that are there (None marks a value the record lacks)."""
    return tuple(block for block in blocks if block is not None)


def fact(label: str, value, inline: bool = False) -> Fact | None:
    """A fact, or None when the record has no value for it."""
    return None if value is None or value == "" else Fact(label, str(value), inline)


def line(text, strong: bool = False) -> Line | None:
    """A line of `text`, or None when there is none."""
    return Line(str(text), strong) if text else None


def prose(text: str | None) -> Prose | None:
    """The record's markdown `text` rendered, or None when there is none."""
    return Prose(to_html(text)) if text else None


def tags(values: Iterable[str]) -> Tags | None:
    """The non-empty `values`, each once, or None when there are none."""
    kept = tuple(dict.fromkeys(value for value in values if value))
    return Tags(kept) if kept else None


def section(anchor: str, title: str, blurb: str, blocks: Iterable) -> Section | None:
    """A section, or None when none of its blocks is there."""
    kept = present(blocks)
    return Section(anchor, title, blurb, kept) if kept else None
