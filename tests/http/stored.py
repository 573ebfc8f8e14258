"""Writing study documents into a test's store, one write for them all, as an import does."""

from __future__ import annotations

import json

from api.store.base import Record


def put_studies(store, *documents: dict) -> None:
    """Store `documents` (study objects), their aliases listed, in one write."""
    records = []
    for document in documents:
        identification = document["protocolSection"]["identificationModule"]
        records.append(Record(identification["nctId"], json.dumps(document),
                              tuple(identification.get("nctIdAliases", ()))))
    store.put(records)
