"""`format=json.zip`: the study's JSON in a `.json` file inside a zip archive.

The archive holds one member, `<NCTId>.json`, whose bytes are the study text as stored (or
its `fields=` projection), markup always markdown, as the registry documents (REFERENCE.md
§4). The archive is served as the attachment `<NCTId>.json.zip`. The member's timestamp is
the study's last update post date, so the same study always zips to the same bytes.
"""

from __future__ import annotations

import io
import zipfile

from api.formats.study import StudyText, dig

MEDIA_TYPE = "application/zip"
FILENAME = "{}.json.zip"
_EPOCH = (1980, 1, 1)  # the earliest time a zip entry can carry


def timestamp(document: dict) -> tuple[int, ...]:
    """The zip entry time: the study's last update post date, else the zip epoch."""
    status = dig(document, "protocolSection", "statusModule") or {}
    date = dig(status, "lastUpdatePostDateStruct", "date") or ""
    parts = [int(part) for part in date.split("-") if part.isdigit()]
    if len(parts) != 3 or parts[0] < _EPOCH[0]:
        return (*_EPOCH, 0, 0, 0)
    return (*parts, 0, 0, 0)


def entry(nct_id: str, date_time: tuple[int, ...]) -> zipfile.ZipInfo:
    """The zip entry of study `nct_id`: `<nct_id>.json`, compressed, dated `date_time`."""
    member = zipfile.ZipInfo(f"{nct_id}.json", date_time=date_time)
    member.compress_type = zipfile.ZIP_DEFLATED
    member.external_attr = 0o644 << 16  # a regular file, readable by all, when unzipped
    return member


def zip_study(nct_id: str, text: bytes | str, date_time: tuple[int, ...]) -> bytes:
    """A zip archive holding `text` (UTF-8) as `<nct_id>.json`, compressed."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(entry(nct_id, date_time),
                         text if isinstance(text, bytes) else text.encode("utf-8"))
    return buffer.getvalue()


def render(study: StudyText) -> bytes:
    """`GET /studies/{nctId}?format=json.zip`: the study text, zipped unchanged."""
    return zip_study(study.nct_id, study.text, timestamp(study.document))
