"""Recognising a stored record in the input without parsing it: the re-import shortcut.

A study is stored as its input less insignificant whitespace, and input that is compact
already (NDJSON lines, the registry's own answers, this server's downloads) is stored byte
for byte. A unit whose text has a stored document's entity tag is that document, so it
needs no parsing, no guard and no index extraction: re-importing an unchanged download
costs a hash and a lookup per study.

It still reaches the store, as a record of the stored text with its id and aliases, so
that several versions of one study in one run are settled exactly as any others
(`Store.put`): one equal to the stored text changes nothing; after another version of the
same study it is judged like any version (and then parsed, by the store).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from api.loading.records import Accepted
from api.sources import Unit
from api.store import Record, Store
from api.store.base import content_tag


def recognised(items: Iterable, store: Store) -> Iterator:
    """`items`, with each unit that is a stored document replaced by its `Accepted` record;
    everything else as it is. Nothing is read from the store when it is empty."""
    known = store.stored_tags() if store.count() else {}
    for item in items:
        if known and isinstance(item, Unit):
            text = item.text.removeprefix("\ufeff").strip()
            found = known.get(content_tag(text.encode()))
            if found is not None:
                nct_id, aliases = found
                yield Accepted(item.label, [Record(nct_id, text, aliases)])
                continue
        yield item
