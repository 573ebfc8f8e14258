from schemas.catalogue import catalogue


def test_piece_names_resolve_to_paths_in_any_case():
    assert catalogue().find("NCTId").path == "protocolSection.identificationModule.nctId"
    assert catalogue().find("nctid").path == "protocolSection.identificationModule.nctId"


def test_dotted_paths_resolve():
    node = catalogue().find("protocolSection.conditionsModule")
    assert node.piece == "ConditionsModule"
    assert [child.name for child in node.children] == ["conditions", "keywords"]


def test_shared_structures_take_their_place_s_piece_names():
    # One Sponsor structure, two places, two piece names each.
    assert catalogue().find("LeadSponsorName").path.endswith("leadSponsor.name")
    assert catalogue().find("CollaboratorName").path.endswith("collaborators.name")
    assert catalogue().find("StartDateType").path.endswith("startDateStruct.type")
    assert catalogue().find("OutcomeClassDenomCountValue").path == (
        "resultsSection.outcomeMeasuresModule.outcomeMeasures.classes.denoms.counts.value")


def test_a_use_can_exclude_fields_of_a_shared_structure():
    assert catalogue().find("FlowAchievementNumUnits") is not None
    assert catalogue().find("FlowReasonNumUnits") is None


def test_geo_point_is_one_piece():
    node = catalogue().find("LocationGeoPoint")
    assert node.is_leaf and node.registry_type == "GeoPoint"


def test_unknown_names_are_not_found():
    assert catalogue().find("StudyDesign") is None
    assert catalogue().find("protocolSection.nothing") is None


def test_historic_fields_are_marked():
    node = catalogue().find("ModelPredictions")
    assert node.metadata["historicOnly"] is True
