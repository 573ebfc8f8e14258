import json
import re

import jsonschema

from schemas import json_schema


def test_committed_schema_is_a_fresh_generation():
    committed = json_schema.SCHEMA_PATH.read_text(encoding="utf-8")
    assert committed == json_schema.render(json_schema.build()), (
        "schemas/study.schema.json is stale: run `make jsonschema`")


def test_it_is_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(json_schema.build())


def test_every_structure_refuses_unknown_keys():
    schema = json_schema.build()
    structures = [schema, *schema["$defs"].values()]
    assert all(structure["additionalProperties"] is False for structure in structures)


def test_nct_id_is_required_and_patterned():
    identification = json_schema.build()["$defs"]["IdentificationModule"]
    assert identification["required"] == ["nctId"]
    pattern = identification["properties"]["nctId"]["pattern"]
    assert re.search(pattern, "NCT04325594")
    for bad in ("nct04325594", "NCT4325594", "NCT04325594\n", "NCT0432559\uff14"):
        assert not re.search(pattern, bad), bad


def test_enums_list_the_registry_values():
    status = json_schema.build()["$defs"]["StatusModule"]["properties"]["overallStatus"]
    assert "ACTIVE_NOT_RECRUITING" in status["enum"] and "Completed" not in status["enum"]


def test_main_writes_the_schema(tmp_path, capsys):
    target = tmp_path / "out.json"
    assert json_schema.main([str(target)]) == 0
    assert json.loads(target.read_text()) == json_schema.build()
