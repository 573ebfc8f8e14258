"""Parameters and answers of the history endpoints: a study's versions and their differences."""

import re

import marshmallow as ma

from api.exceptions import InvalidRequest
from api.query import QuerySchema
from schemas.base import Schema

INT32_MAX = 2**31 - 1
_NUMBER = re.compile(r"^[0-9]{1,10}$")  # ASCII digits: `\d` takes any script's

VERSION = {
    "in": "path",
    "name": "version",
    "required": True,
    "description": "A version number: 0 for the first text this server stored of the study, "
    "then 1, 2, ... in the order stored (`GET /studies/{nctId}/history` lists them).",
    "schema": {"type": "integer", "minimum": 0, "maximum": INT32_MAX},
    "example": 0,
}


# The documented 400 and 404 of every history route, here and under /api/int.
BAD_ID = ("Malformed NCT number or version number, or an unknown parameter.",
          "Parameter `nctId` has incorrect format")
NO_STUDY = "NCT number NCT99999999 not found"


def version_number(raw: str) -> int:
    """The path's `version` as a number; 400 in the registry's words if it is not one."""
    number = int(raw) if _NUMBER.match(raw) else None
    if number is None or number > INT32_MAX:
        raise InvalidRequest("Parameter `version` has incorrect format")
    return number


class VersionNumber(ma.fields.Integer):
    """A version number parameter: ASCII digits only, as in the path (`int` takes any
    script's digits, and spaces)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or not _NUMBER.match(value):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class DiffQuery(QuerySchema):
    """Query parameters of `GET /studies/{nctId}/history/{version}/diff`."""

    base = VersionNumber(
        data_key="from",
        validate=ma.validate.Range(min=0, max=INT32_MAX,
                                   error="Invalid value in parameter `from`: `{input}`"),
        error_messages={"invalid": "Invalid value in parameter `from`: `{input}`"},
        metadata={"description": "The version to compare with; by default the version kept "
                  "before `version`. May be later than `version`: the patch then undoes."})


class _Omitting(Schema):
    """An answer that leaves out absent values, as the registry never writes `null`."""

    @ma.post_dump
    def omit_absent(self, data, **kwargs):
        """Drop the keys whose value is absent."""
        return {key: value for key, value in data.items() if value is not None}


class StudyVersionSchema(_Omitting):
    """One version of a study as this server stored it."""

    version = ma.fields.Integer(attribute="number", required=True, metadata={
        "description": "Its number: 0, 1, 2, ... in the order stored (gaps where pruned)."})
    date = ma.fields.String(metadata={
        "description": "Its `lastUpdatePostDateStruct.date`, as written.",
        "example": "2023-05-09"})
    status = ma.fields.String(metadata={
        "description": "Its `overallStatus`.", "example": "COMPLETED"})
    stored_at = ma.fields.String(required=True, metadata={
        "description": "When this server stored it, UTC `yyyy-MM-dd'T'HH:mm:ss`.",
        "example": "2026-09-04T09:00:06"})
    tag = ma.fields.String(required=True, metadata={
        "description": "The entity tag of its text: the `ETag` (weak) it is served with."})
    modules = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "The modules whose value differs from the version before it, as paths "
        "(`protocolSection.statusModule`; a top-level key without modules by its name, "
        "`hasResults`); for the first version, every module it has.",
        "example": ["protocolSection.statusModule"]})


class StudyHistorySchema(_Omitting):
    """Every version of a study kept by this server, oldest first."""

    nct_id = ma.fields.String(required=True, metadata={"example": "NCT04325594"})
    removed_at = ma.fields.String(metadata={
        "description": "When the study was removed (no longer at the upstream this server "
        "mirrors): `GET /studies/{nctId}` then answers 404, its history stays. Absent for a "
        "current study."})
    versions = ma.fields.List(ma.fields.Nested(StudyVersionSchema), required=True)


class PatchOperationSchema(Schema):
    """One RFC 6902 JSON Patch operation."""

    op = ma.fields.String(required=True, validate=ma.validate.OneOf(
        ["add", "remove", "replace", "move", "copy", "test"]))
    path = ma.fields.String(required=True, metadata={
        "description": "A JSON Pointer (RFC 6901) into the study.",
        "example": "/protocolSection/statusModule/overallStatus"})
    value = ma.fields.Raw(metadata={"description": "The value added or put in place."})
    source = ma.fields.String(data_key="from", attribute="from", metadata={
        "description": "Where `move` and `copy` take the value from (a JSON Pointer)."})


class PieceChangeSchema(Schema):
    """A leaf piece whose values differ between the two versions."""

    piece = ma.fields.String(required=True, metadata={"example": "OverallStatus"})
    path = ma.fields.String(required=True, metadata={
        "example": "protocolSection.statusModule.overallStatus"})
    before = ma.fields.List(ma.fields.Raw(), data_key="from", required=True, metadata={
        "description": "Its values in the `from` version (none: absent), in document order.",
        "example": ["RECRUITING"]})
    after = ma.fields.List(ma.fields.Raw(), data_key="to", required=True, metadata={
        "description": "Its values in the `to` version.", "example": ["COMPLETED"]})


class StudyDifferenceSchema(Schema):
    """How one version of a study differs from another."""

    nct_id = ma.fields.String(required=True, metadata={"example": "NCT04325594"})
    source = ma.fields.Nested(StudyVersionSchema, data_key="from", required=True,
                              metadata={"description": "The version compared with."})
    target = ma.fields.Nested(StudyVersionSchema, data_key="to", required=True,
                              metadata={"description": "The version asked for."})
    summary = ma.fields.List(ma.fields.String(), required=True, metadata={
        "description": "One line per changed piece, `Piece: before -> after` (several "
        "values joined by ` | `, long ones cut).",
        "example": ["OverallStatus: RECRUITING -> COMPLETED"]})
    changes = ma.fields.List(ma.fields.Nested(PieceChangeSchema), required=True, metadata={
        "description": "The changed leaf pieces, in the registry's field order."})
    patch = ma.fields.List(ma.fields.Nested(PatchOperationSchema), required=True, metadata={
        "description": "RFC 6902 JSON Patch: applied to the `from` version's JSON it gives "
        "the `to` version's."})
