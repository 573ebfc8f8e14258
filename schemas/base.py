"""The base schema every registry structure derives from.

Python attributes are snake_case; the registry's wire names are camelCase. The conversion
happens once, here, so a schema class reads like Python and serialises like the registry.
"""

import marshmallow as ma


def camel_case(name: str) -> str:
    """Turn a snake_case attribute name into the registry's camelCase key."""
    head, *rest = name.rstrip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class Schema(ma.Schema):
    """A registry structure: unknown keys are errors, wire names are camelCase."""

    class Meta:
        unknown = ma.RAISE

    def on_bind_field(self, field_name: str, field_obj: ma.fields.Field) -> None:
        """Give every field the registry's camelCase key unless it names one itself."""
        if field_obj.data_key is None:
            field_obj.data_key = camel_case(field_name)
