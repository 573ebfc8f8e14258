"""`filter.geo` on the SQLite store: circles found through the grid cells' match sets.

Sites are rows of `geo` keyed by study (`sqlite_index`), with no index by place: one would
be written at random places for every site of every study, the slowest table of an import
(sized copies of real records have dozens of sites each). A circle is found from the grid
of `api.search.geo` instead, whose cells have match sets (`cell:<row>:<column>`, kept by
`sqlite_sets` on every write): every study of a cell wholly inside the circle matches
unread; a study only in cells the circle cuts has its own sites checked.
"""

from __future__ import annotations

import functools
import math
import sqlite3

from pyroaring import BitMap

from api import json_text
from api.search import criteria as c
from api.search import geo
from api.store import sqlite_sets

# A circle that meets more grid cells than this (a radius of hundreds of miles) reads the
# sets of every cell that has sites instead of looking each cell up.
MAX_CELLS_LOOKED_UP = 4096


def where(node: c.GeoMatch) -> tuple[str, dict]:
    """The condition on a `geo` row of a site within the circle (`{name}` marks a value),
    and its values: the circle's box, then the haversine distance."""
    area = geo.box(node)
    condition = "lat BETWEEN {south} AND {north}"
    values = {"south": area.south, "north": area.north, "lat": math.radians(node.lat),
              "lon": math.radians(node.lon), "radius": node.radius_km}
    if area.west is not None:
        condition += " AND lon BETWEEN {west} AND {east}"
        values |= {"west": area.west, "east": area.east}
    # Haversine, in SQL: no Python call per site.
    condition += (f" AND 2 * {geo.EARTH_KM} * asin(min(1, sqrt(pow(sin((radians(lat) - "
                  "{lat}) / 2), 2) + cos({lat}) * cos(radians(lat)) * pow(sin((radians(lon) - "
                  "{lon}) / 2), 2)))) <= {radius}")
    return condition, values


@functools.lru_cache(maxsize=1024)
def _grid(node: c.GeoMatch) -> tuple[list[str], list[str]] | None:
    """The keys of the cells wholly inside the circle and of those it cuts; None for a
    circle that meets too many cells to look each up. Pure geometry, kept: the pages of
    one search, and its count, ask again for the same circle."""
    area = geo.box(node)
    if geo.cell_count(area) > MAX_CELLS_LOOKED_UP:
        return None
    inside, cut = [], []
    for cell in geo.cells(area):
        (inside if geo.inside(node, cell) else cut).append(sqlite_sets.cell_key(cell))
    return inside, cut


def cells_met(connection: sqlite3.Connection, node: c.GeoMatch) -> tuple[BitMap, BitMap]:
    """The studies of the cells wholly inside the circle (all of them match), and the
    others of the cells it cuts (some may)."""
    if (grid := _grid(node)) is not None:
        inside_keys, cut_keys = grid
        found = sqlite_sets.load(connection, inside_keys + cut_keys)
        inside = BitMap.union(BitMap(), *(found[key] for key in inside_keys if key in found))
        cut = BitMap.union(BitMap(), *(found[key] for key in cut_keys if key in found))
        return inside, cut - inside
    area, inside, cut = geo.box(node), BitMap(), BitMap()
    for key, members in sqlite_sets.load_prefix(connection, sqlite_sets.CELL_PREFIX).items():
        cell = sqlite_sets.cell_of_key(key)
        if geo.inside(node, cell):
            inside |= members
        elif geo.meets(area, cell):
            cut |= members
    return inside, cut - inside


def checked(connection: sqlite3.Connection, node: c.GeoMatch, candidates: BitMap) -> BitMap:
    """Those of `candidates` with a site within the circle, from their own rows."""
    if not candidates:
        return BitMap()
    condition, values = where(node)
    return BitMap(row[0] for row in connection.execute(
        "SELECT DISTINCT study_id FROM geo WHERE study_id IN (SELECT value FROM "
        "json_each(:candidates)) AND " + condition.format(**{name: f":{name}" for name in values}),
        values | {"candidates": json_text.dumps(list(candidates))}))


def members(connection: sqlite3.Connection, node: c.GeoMatch,
            met: tuple[BitMap, BitMap] | None = None) -> BitMap:
    """Every study with a site within the circle; `met`: its `cells_met`, if read already."""
    inside, cut = met or cells_met(connection, node)
    return inside | checked(connection, node, cut)
