"""The study's groups (arms or cohorts) with their interventions, and the interventions."""

from __future__ import annotations

from api.formats.study import items
from api.pages.blocks import Card, Section, fact, present, prose, section, tags


def study_groups(protocol: dict) -> Section | None:
    """Each arm or cohort: its description and type, then the interventions it gets."""
    module = protocol.get("armsInterventionsModule", {})
    interventions = module.get("interventions", [])
    return section("study-groups", "Study Groups",
                   "The arms or cohorts of the study and what each receives.",
                   [_group(group, interventions) for group in module.get("armGroups", ())])


def _group(group: dict, interventions: list[dict]) -> Card:
    given = [Card(intervention.get("name", ""), present([
                 fact("Intervention Type", intervention.get("type"), inline=True),
                 prose(intervention.get("description"))]))
             for intervention in _given_in(group, interventions)]
    return Card(group.get("label", ""), present([
        prose(group.get("description")),
        fact("Group Type", group.get("type"), inline=True),
        *given,
    ]))


def _given_in(group: dict, interventions: list[dict]) -> list[dict]:
    """The interventions of `group`: those listing its label, else those it names
    (`interventionNames` are `Type: Name`)."""
    label = group.get("label")
    listed = [item for item in interventions if label in item.get("armGroupLabels", ())]
    if listed:
        return listed
    names = {name.partition(": ")[2] or name for name in group.get("interventionNames", ())}
    return [item for item in interventions if item.get("name") in names]


def interventions(protocol: dict) -> Section | None:
    """Each intervention: its description, other names and type."""
    module = protocol.get("armsInterventionsModule", {})
    return section("interventions", "Interventions",
                   "What is given or done to participants, and in which arms.", [
                       Card(item.get("name", ""), present([
                           prose(item.get("description")),
                           _other_names(item),
                           fact("Intervention Type", item.get("type"), inline=True),
                       ])) for item in module.get("interventions", ())])


def _other_names(intervention: dict) -> Card | None:
    names = tags(items(intervention, "otherNames"))
    return Card("Other Names", (names,)) if names else None

