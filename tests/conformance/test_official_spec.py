"""The marshmallow schemas mirror the registry's official spec and field tree."""

import marshmallow as ma
import pytest

from schemas import enums, fields
from schemas.catalogue import catalogue
from schemas.study import StudySchema
from tests.conftest import REFERENCE, read_json, requires_shared

pytestmark = pytest.mark.conformance

JSON_TYPES = {ma.fields.Boolean: "boolean", ma.fields.Integer: "integer",
              ma.fields.Float: "number", ma.fields.String: "string"}


@pytest.fixture(scope="module")
def components():
    requires_shared()
    yaml = pytest.importorskip("yaml")
    spec = yaml.safe_load((REFERENCE / "ctgov-api-v2" / "ctg-oas-v2.yaml").read_text())
    return spec["components"]["schemas"]


def json_type(field_obj) -> str:
    return next(name for cls, name in JSON_TYPES.items() if isinstance(field_obj, cls))


def compatible(field_obj, spec: dict, components: dict) -> str | None:
    """Why `field_obj` cannot hold what `spec` describes, or None when it can."""
    if "$ref" in spec:
        name = spec["$ref"].rsplit("/", 1)[1]
        target = components[name]
        if "enum" in target:
            ok = isinstance(field_obj, fields.Enum) and field_obj.enum_type.__name__ == name
            return None if ok else f"expected enum {name}"
        if "properties" in target:
            ok = isinstance(field_obj, ma.fields.Nested) and not field_obj.many and (
                type(field_obj.schema).__name__ == f"{name}Schema")
            return None if ok else f"expected structure {name}"
        spec = target
    if spec.get("type") == "array":
        if isinstance(field_obj, ma.fields.Nested) and field_obj.many:
            single = ma.fields.Nested(type(field_obj.schema))
            return compatible(single, spec["items"], components)
        if not isinstance(field_obj, ma.fields.List):
            return "expected a list"
        return compatible(field_obj.inner, spec["items"], components)
    expected = spec["type"]
    # A number field holds integers too (the registry's metadata types
    # nPtrsToThisExpAccNctId as number where its spec says integer).
    holds = {"number": {"number", "integer"}}.get(json_type(field_obj), {json_type(field_obj)})
    return None if expected in holds else f"expected {expected}"


def study_components(components):
    """(component name, schema class) for every structure reachable from Study."""
    seen, queue = {}, [("Study", StudySchema)]
    while queue:
        name, schema_class = queue.pop()
        if name in seen:
            continue
        seen[name] = schema_class
        for field_obj in schema_class().fields.values():
            if isinstance(field_obj, ma.fields.Nested):
                nested = type(field_obj.schema)
                queue.append((nested.__name__.removesuffix("Schema"), nested))
    return seen


def test_every_spec_property_has_a_compatible_field(components):
    problems = []
    for name, schema_class in study_components(components).items():
        if name not in components:
            assert name in {"ModelPredictions", "BmiLimits"}, f"{name} is not in the official spec"
            continue
        by_key = {f.data_key: f for f in schema_class().fields.values()}
        for key, spec in components[name]["properties"].items():
            if key not in by_key:
                problems.append(f"{name}.{key}: no field")
            elif (why := compatible(by_key[key], spec, components)) is not None:
                problems.append(f"{name}.{key}: {why}")
        extra = set(by_key) - set(components[name]["properties"])
        # The one field beyond the 2.0.5 spec: a historic one that older captures carry.
        if extra - ({"modelPredictions"} if name == "MiscInfoModule" else set()):
            problems.append(f"{name}: fields not in the spec: {sorted(extra)}")
    assert not problems, "\n".join(problems)


def test_every_spec_enum_is_defined_with_the_same_values(components):
    for name, spec in components.items():
        if "enum" in spec:
            assert getattr(enums, name).values() == spec["enum"], name


def metadata_nodes():
    requires_shared()
    tree = read_json(REFERENCE / "ctgov-api-v2" / "studies-metadata.2025-05.json")
    found = {}

    def walk(node, parent):
        path = f"{parent}.{node['name']}" if parent else node["name"]
        found[path] = node
        for child in node.get("children", []):
            walk(child, path)

    for root in tree:
        walk(root, "")
    return found


def test_the_field_tree_matches_the_registry_metadata():
    registry = metadata_nodes()
    ours = {node.path: node for node in catalogue().nodes
            if not node.metadata.get("historicOnly")}
    assert sorted(ours) == sorted(registry)
    for path, node in ours.items():
        expected = registry[path]
        assert (node.piece, node.metadata["sourceType"], node.registry_type) == (
            expected["piece"], expected["sourceType"], expected["type"]), path
