"""Later versions of the seed record, as a registry record moves on: status and date change.

`seed_version(status, date, nct_id=..., **identification)` is the seed's JSON text (compact,
as the registry writes it) with its overall status and last update post date set (and other
identification values replaced);
`put_versions(store, texts)` writes each text in its own `store.put`, as successive imports
or syncs would, and returns the version numbers they got.
"""

from __future__ import annotations

import json

from api import json_text
from api.store.base import Record, Store
from tests.conftest import SEED, read_json

SEED_ID = SEED.stem


def seed_version(status: str, date: str, nct_id: str = SEED_ID, **identification) -> str:
    """The seed record as study `nct_id`, with this overall status and last update date."""
    document = read_json(SEED)
    document["protocolSection"]["identificationModule"].update(nctId=nct_id, **identification)
    status_module = document["protocolSection"]["statusModule"]
    status_module["overallStatus"] = status
    status_module["lastUpdatePostDateStruct"] = {"date": date}
    return json_text.dumps(document)  # compact, as the registry writes records


def put_versions(store: Store, texts: list[str]) -> list[int]:
    """Store each text in a write of its own; the number of each study's newest version after
    each write."""
    numbers = []
    for text in texts:
        identification = json.loads(text)["protocolSection"]["identificationModule"]
        nct_id = identification["nctId"]
        store.put([Record(nct_id, text, tuple(identification.get("nctIdAliases", ())))])
        numbers.append(store.history(nct_id).versions[-1].number)
    return numbers
