"""The geometry of `filter.geo`: a circle on the Earth, the box around it, the grid cells it
covers.

Every store decides "within the circle" by the same haversine distance (in SQL); this
module gives what narrows the sites to compute it for: the latitude-longitude box the circle
fits in, and, for counts, which cells of a fixed grid lie wholly inside the circle (every
study with a site there matches, unread) and which only meet it (their sites are checked).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from api.search import criteria as c

EARTH_KM = 6371.0088  # the mean radius, as the registry's distances use
KM_PER_DEGREE = EARTH_KM * math.pi / 180
# The grid: cells of 1/8 degree on a side (about 14 km north-south). A power of two, so
# that `lat * CELLS_PER_DEGREE` is exact and a site on a cell's edge falls in one cell only.
CELLS_PER_DEGREE = 8
# A cell counts as inside only if its farthest corner is this much nearer than the radius:
# rounding in the SQL distance cannot then put a site of the cell outside.
_MARGIN_KM = 1e-6


@dataclass(frozen=True)
class Box:
    """Latitudes `south`..`north`; longitudes `west`..`east`, or None for every longitude
    (a circle around a pole or across the antimeridian)."""

    south: float
    north: float
    west: float | None
    east: float | None


def box(node: c.GeoMatch) -> Box:
    """The smallest latitude-longitude box that holds the whole circle."""
    degrees = node.radius_km / KM_PER_DEGREE
    south, north = node.lat - degrees, node.lat + degrees
    if south <= -90 or north >= 90:  # a pole is inside: every longitude
        return Box(max(south, -90.0), min(north, 90.0), None, None)
    # The widest point of the circle is off its centre's parallel: its longitudes reach
    # asin(sin r / cos lat), a little more than r / cos lat.
    spread = math.degrees(math.asin(min(1.0, math.sin(math.radians(degrees))
                                        / math.cos(math.radians(node.lat)))))
    west, east = node.lon - spread, node.lon + spread
    if west < -180 or east > 180:
        return Box(south, north, None, None)
    return Box(south, north, west, east)


def distance_km(lat: float, lon: float, other_lat: float, other_lon: float) -> float:
    """The haversine distance, the formula the stores compute in SQL."""
    a = (math.sin(math.radians(other_lat - lat) / 2) ** 2 + math.cos(math.radians(lat))
         * math.cos(math.radians(other_lat)) * math.sin(math.radians(other_lon - lon) / 2) ** 2)
    return 2 * EARTH_KM * math.asin(min(1.0, math.sqrt(a)))


def cell_of(lat: float, lon: float) -> tuple[int, int]:
    """The grid cell of a site: its row (south edge `row / CELLS_PER_DEGREE`) and column."""
    return math.floor(lat * CELLS_PER_DEGREE), math.floor(lon * CELLS_PER_DEGREE)


def _grid_span(area: Box) -> tuple[range, range]:
    """The rows and the columns of the cells that meet the box."""
    rows = range(math.floor(area.south * CELLS_PER_DEGREE),
                 math.floor(area.north * CELLS_PER_DEGREE) + 1)
    if area.west is None:
        return rows, range(-180 * CELLS_PER_DEGREE, 180 * CELLS_PER_DEGREE + 1)
    return rows, range(math.floor(area.west * CELLS_PER_DEGREE),
                       math.floor(area.east * CELLS_PER_DEGREE) + 1)


def cell_count(area: Box) -> int:
    """How many cells `cells` would give for the box."""
    rows, columns = _grid_span(area)
    return len(rows) * len(columns)


def cells(area: Box) -> list[tuple[int, int]]:
    """Every cell that meets the box."""
    rows, columns = _grid_span(area)
    return [(row, column) for row in rows for column in columns]


def meets(area: Box, cell: tuple[int, int]) -> bool:
    """Whether a cell meets the box (a cell read from the store may lie anywhere)."""
    south, west = cell[0] / CELLS_PER_DEGREE, cell[1] / CELLS_PER_DEGREE
    if south > area.north or south + 1 / CELLS_PER_DEGREE < area.south:
        return False
    return area.west is None or not (west > area.east or west + 1 / CELLS_PER_DEGREE < area.west)


def inside(node: c.GeoMatch, cell: tuple[int, int]) -> bool:
    """Whether the whole cell lies within the circle.

    The distance from a point grows along a parallel with the difference of longitude and
    has no maximum inside a meridian's stretch, so over a cell it is greatest at a corner;
    except on the far side of the Earth, where a cell across the opposite meridian is
    farthest on it (such a cell is taken as not inside: its sites are checked).
    """
    south, west = cell[0] / CELLS_PER_DEGREE, cell[1] / CELLS_PER_DEGREE
    edge = 1 / CELLS_PER_DEGREE
    opposite = node.lon % 360 - 180
    if west <= opposite <= west + edge or west <= opposite + 360 <= west + edge:
        return False
    return all(distance_km(node.lat, node.lon, lat, lon) <= node.radius_km - _MARGIN_KM
               for lat in (south, min(south + edge, 90.0))
               for lon in (west, west + edge))
