"""Field types of the registry's Study tree.

Each class knows the registry's `sourceType` and `type` names for what it holds, so the
field catalogue, `/studies/metadata` and the JSON Schema guard are all derived from the
schema declarations. The first positional argument is the field's registry piece name
(`NCTId`, `BriefTitle`, ...); `fields=`, `sort=` and Essie `AREA[...]` accept it.

Structures reused at several places of the tree (`Sponsor` under `leadSponsor` and
`collaborators`, `DateStruct` under every post date, ...) carry a different piece name at
each place. Their pieces are written as templates, `"{}Name"`, filled in with the `prefix`
of the field that nests them: `Nested(SponsorSchema, "LeadSponsor")` makes `name` the piece
`LeadSponsorName`. See `schemas.catalogue`, which resolves them.
"""

import enum

import marshmallow as ma
from marshmallow import validate

# Registry value formats (REFERENCE.md §10). Stricter than the registry's own spec, which
# types them as bare strings: the guard refuses a record whose dates or ages do not parse.
# Written for both regex dialects a JSON Schema meets: [0-9] because Python's \d also takes
# other scripts' digits, and the look-ahead because Python's $ also matches before a final
# newline.
_ONE_LINE = r"(?!.*\n)"
YEAR = r"[0-9]{4}"
MONTH = r"(0[1-9]|1[0-2])"
DAY = r"(0[1-9]|[12][0-9]|3[01])"
PARTIAL_DATE = rf"^{_ONE_LINE}{YEAR}(-{MONTH}(-{DAY})?)?$"
NORMALIZED_DATE = rf"^{_ONE_LINE}{YEAR}-{MONTH}-{DAY}$"
DATE_TIME_MINUTES = rf"^{_ONE_LINE}{YEAR}-{MONTH}-{DAY}T([01][0-9]|2[0-3]):[0-5][0-9]$"
NORMALIZED_TIME = (rf"^{_ONE_LINE}[0-9]+ "
                   r"(Year|Years|Month|Months|Week|Weeks|Day|Days|Hour|Hours|Minute|Minutes)$")
# A stored record's own id is canonical: upper case, eight digits, not all zero (the
# registry's NCT number pattern, `^[Nn][Cc][Tt]0*[1-9]\d{0,7}$`, has no number 0, so a study
# stored as NCT00000000 could never be fetched).
NCT_ID = rf"^{_ONE_LINE}NCT(?!0{{8}})[0-9]{{8}}$"


class RegistryField:
    """Mixin: the registry piece name and FieldNode facts, kept in `metadata`."""

    source_type = "TEXT"
    registry_type = "text"

    # `nested_search` is the FieldNode's `nested` flag: Essie's SEARCH[...] matches within one
    # element of such a list (a location's city and status together).
    def __init__(
        self,
        piece=None,
        /,
        *,
        source_type=None,
        max_chars=None,
        synonyms=False,
        nested_search=False,
        historic_only=False,
        **kwargs,
    ):
        facts = {
            "piece": piece,
            "sourceType": source_type or self.source_type,
            "maxChars": max_chars,
            "synonyms": synonyms or None,
            "nested": nested_search or None,
            "historicOnly": historic_only or None,
        }
        metadata = {key: value for key, value in facts.items() if value is not None}
        super().__init__(metadata=metadata | kwargs.pop("metadata", {}), **kwargs)


class Text(RegistryField, ma.fields.String):
    """Plain text."""


class Markup(Text):
    """CommonMark markdown (the registry's default `markupFormat`)."""

    source_type = "MARKUP"
    registry_type = "markup"


class PatternText(Text):
    """Text that must match the class's `pattern`."""

    pattern = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, validate=validate.Regexp(self.pattern), **kwargs)


class PartialDate(PatternText):
    """`yyyy`, `yyyy-MM` or `yyyy-MM-dd`."""

    source_type = "DATE"
    registry_type = "PartialDate"
    pattern = PARTIAL_DATE


class NormalizedDate(PatternText):
    """A full `yyyy-MM-dd` date."""

    source_type = "DATE"
    registry_type = "NormalizedDate"
    pattern = NORMALIZED_DATE


class DateTimeMinutes(PatternText):
    """`yyyy-MM-dd'T'HH:mm`."""

    source_type = "DATE"
    registry_type = "DateTimeMinutes"
    pattern = DATE_TIME_MINUTES


class NormalizedTime(PatternText):
    """An age or duration such as `18 Years`."""

    source_type = "TIME"
    registry_type = "NormalizedTime"
    pattern = NORMALIZED_TIME


class NctId(PatternText):
    """A canonical NCT number, `NCT` and eight digits."""

    pattern = NCT_ID


class Boolean(RegistryField, ma.fields.Boolean):
    """A JSON boolean."""

    source_type = "BOOLEAN"
    registry_type = "boolean"

    def __init__(self, *args, **kwargs):
        # Only JSON true/false: the registry converted its yes/no texts to booleans.
        super().__init__(*args, truthy={True}, falsy={False}, **kwargs)


class Integer(RegistryField, ma.fields.Integer):
    """A JSON integer."""

    source_type = "NUMERIC"
    registry_type = "integer"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, strict=True, **kwargs)


class Long(Integer):
    """A JSON integer the registry types as 64-bit (file sizes)."""

    registry_type = "long"


class Number(RegistryField, ma.fields.Float):
    """A JSON number."""

    source_type = "NUMERIC"
    registry_type = "number"


class Enum(Text):
    """One value of a registry enum (`schemas.enums`), as its API v2 name."""

    def __init__(self, enum_type: type[enum.Enum], *args, **kwargs):
        self.enum_type = enum_type
        values = [member.name for member in enum_type]
        super().__init__(*args, validate=validate.OneOf(values), **kwargs)

    @property
    def registry_type(self) -> str:
        """The enum's registry name, e.g. `Status`."""
        return self.enum_type.__name__


class List(RegistryField, ma.fields.List):
    """A JSON array of `inner` values; the piece names the whole list."""

    source_type = None

    def __init__(self, inner: ma.fields.Field, *args, **kwargs):
        super().__init__(*args, cls_or_instance=inner, **kwargs)
        self.metadata.setdefault("sourceType", self.inner.source_type)

    @property
    def registry_type(self) -> str:
        """`X[]` for a list of X, as the registry writes it."""
        return f"{self.inner.registry_type}[]"


class Nested(RegistryField, ma.fields.Nested):
    """A registry structure; `prefix` fills the piece templates of the nested schema."""

    source_type = "STRUCT"

    def __init__(self, schema, *args, prefix=None, **kwargs):
        super().__init__(*args, nested=schema, **kwargs)
        if prefix is not None:
            self.metadata["prefix"] = prefix

    @property
    def registry_type(self) -> str:
        """The structure's registry name (its schema class less `Schema`), `[]` if many."""
        name = self.nested.__name__.removesuffix("Schema")
        return f"{name}[]" if self.many else name
