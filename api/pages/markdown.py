"""The record's markup (CommonMark: summaries, descriptions, eligibility criteria) as HTML.

markdown-it-py with its CommonMark preset and raw HTML off: a record's `<b>` is shown as
the text it is, never run as markup of the page. One change to CommonMark, as the registry
website shows criteria: a one-line paragraph ending in a colon that introduces a list
("Inclusion Criteria:") is a heading of that list, without the colon.
"""

from __future__ import annotations

import functools

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup

LEAD_IN_TAG = "h3"


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False})


def to_html(text: str) -> Markup:
    """`text` (markdown) as safe HTML."""
    parser = _parser()
    tokens = parser.parse(text)
    _headings_for_lead_ins(tokens)
    return Markup(parser.renderer.render(tokens, parser.options, {}))


def _headings_for_lead_ins(tokens: list[Token]) -> None:
    """Turn each top-level `Label:` paragraph right before a list into a heading."""
    for index in range(len(tokens) - 3):
        opening, inline, closing, after = tokens[index:index + 4]
        if (opening.type == "paragraph_open" and opening.level == 0
                and after.type in ("bullet_list_open", "ordered_list_open")
                and _is_lead_in(inline)):
            opening.tag = closing.tag = LEAD_IN_TAG
            inline.children[-1].content = inline.children[-1].content.rstrip().removesuffix(":")


def _is_lead_in(inline: Token) -> bool:
    """One line of plain text ending in a colon."""
    children = inline.children or []
    return (len(children) == 1 and children[0].type == "text"
            and children[0].content.rstrip().endswith(":"))
