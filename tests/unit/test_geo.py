"""The geometry of `filter.geo` (`api.search.geo`): the box holds the whole circle, the cells
met cover it, and a cell called inside has no point outside it; checked on points drawn at
random around circles anywhere on the Earth, the poles and the antimeridian included."""

import math
import random

import pytest

from api.search import criteria as c
from api.search import geo

CIRCLES = [c.GeoMatch(42.36, -71.06, 80.47), c.GeoMatch(-17.7, 179.8, 150.0),
           c.GeoMatch(78.2, 15.6, 1500.0), c.GeoMatch(-89.0, 0.0, 300.0),
           c.GeoMatch(51.1, 71.4, 0.5), c.GeoMatch(0.0, -180.0, 25.0),
           c.GeoMatch(64.0, -20.0, 1200.0)]


def destination(node: c.GeoMatch, bearing: float, km: float) -> tuple[float, float]:
    """The point `km` from the circle's centre along `bearing` (radians), on the sphere."""
    lat, lon, angle = math.radians(node.lat), math.radians(node.lon), km / geo.EARTH_KM
    other = math.asin(math.sin(lat) * math.cos(angle)
                      + math.cos(lat) * math.sin(angle) * math.cos(bearing))
    other_lon = lon + math.atan2(math.sin(bearing) * math.sin(angle) * math.cos(lat),
                                 math.cos(angle) - math.sin(lat) * math.sin(other))
    return math.degrees(other), (math.degrees(other_lon) + 180) % 360 - 180


def in_box(area: geo.Box, lat: float, lon: float) -> bool:
    return area.south <= lat <= area.north and (
        area.west is None or area.west <= lon <= area.east)


@pytest.mark.parametrize("node", CIRCLES, ids=repr)
def test_every_point_of_the_circle_is_in_its_box_and_in_a_cell_met(node):
    rng, area = random.Random(1), geo.box(node)
    met = set(geo.cells(area)) if geo.cell_count(area) < 2_000_000 else None
    for _ in range(3000):
        # Most points drawn on or near the edge, where a box too small would miss them.
        lat, lon = destination(node, rng.uniform(0, 2 * math.pi),
                               node.radius_km * min(1.0, rng.uniform(0.9, 1.1)))
        assert in_box(area, lat, lon), (lat, lon)
        assert geo.meets(area, geo.cell_of(lat, lon))
        if met is not None:
            assert geo.cell_of(lat, lon) in met


@pytest.mark.parametrize("node", CIRCLES, ids=repr)
def test_no_point_of_a_cell_called_inside_is_outside_the_circle(node):
    rng, area = random.Random(2), geo.box(node)
    met = geo.cells(area)
    if len(met) > 50_000:  # a circle around a pole: cells drawn from those it meets
        met = rng.sample(met, 50_000)
    inside = [cell for cell in met if geo.inside(node, cell)]
    assert inside or node.radius_km < 20  # a circle of 14 km holds no whole cell
    edge = 1 / geo.CELLS_PER_DEGREE
    for row, column in inside:
        for lat, lon in [(row * edge, column * edge), ((row + 1) * edge, (column + 1) * edge)] + [
                ((row + rng.random()) * edge, (column + rng.random()) * edge) for _ in range(5)]:
            assert geo.distance_km(node.lat, node.lon, min(lat, 90), lon) <= node.radius_km


def test_a_site_on_a_cell_edge_falls_in_the_cell_it_starts():
    assert geo.cell_of(42.375, -71.0) == (339, -568)
    assert geo.cell_of(42.374999, -71.000001) == (338, -569)
    assert geo.cell_of(-0.0, 180.0) == (0, 1440)


def test_the_box_reaches_beyond_the_centre_s_parallel_at_high_latitude():
    node = c.GeoMatch(80.0, 0.0, 600.0)
    area = geo.box(node)
    naive = math.degrees(node.radius_km / geo.EARTH_KM) / math.cos(math.radians(node.lat))
    assert area.east > naive  # r / cos(lat) alone would leave out the circle's widest part
    widest = max(destination(node, bearing, node.radius_km)[1]
                 for bearing in [i * math.pi / 1000 for i in range(1000)])
    assert naive < widest <= area.east
