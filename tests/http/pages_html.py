"""What a page of `api.resources.pages` says, read back from its HTML (the standard
library's parser): its heading, each section's title and text, its links.

Text is whitespace-normalised (runs of spaces and line breaks become one space), as a
reader sees it; `section.text` includes the section's own title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SPACE = re.compile(r"\s+")


def normalised(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


@dataclass
class PageSection:
    anchor: str
    title: str = ""
    parts: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (text, href)

    @property
    def text(self) -> str:
        return normalised(" ".join(self.parts))


@dataclass
class Page:
    heading: str = ""
    sections: dict[str, PageSection] = field(default_factory=dict)
    links: list[str] = field(default_factory=list)
    stylesheets: list[tuple[str, str]] = field(default_factory=list)  # (href, media)
    scripts: int = 0

    @property
    def titles(self) -> list[str]:
        return [section.title for section in self.sections.values()]

    def section(self, title: str) -> PageSection:
        return next(section for section in self.sections.values() if section.title == title)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__()
        self.page = Page()
        self.current: PageSection | None = None
        self.open: list[str] = []
        self.href: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.open.append(tag)
        if tag == "section":
            self.current = self.page.sections.setdefault(attrs["id"], PageSection(attrs["id"]))
        elif tag == "a":
            self.href, self.link_text = attrs.get("href"), []
            self.page.links.append(attrs.get("href"))
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.page.stylesheets.append((attrs["href"], attrs.get("media", "all")))
        elif tag == "script":
            self.page.scripts += 1
        if self.current is not None:
            self.current.parts.append(" ")

    def handle_endtag(self, tag):
        while self.open and self.open.pop() != tag:
            pass
        if tag == "section":
            self.current = None
        elif tag == "a" and self.current is not None and self.href is not None:
            self.current.links.append((normalised("".join(self.link_text)), self.href))
            self.href = None

    def handle_data(self, data):
        if self.open and self.open[-1] == "h1" and self.current is None:
            self.page.heading += data
        if self.current is None:
            return
        if self.open and self.open[-1] == "h2":
            self.current.title += data
        self.current.parts.append(data)
        if self.href is not None:
            self.link_text.append(data)


def read_page(html: str) -> Page:
    """The page `html` is."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    reader.page.heading = normalised(reader.page.heading)
    return reader.page
