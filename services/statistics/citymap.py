"""The city view's map: Shanghai's 16 districts as a schematic tile map (one rectangle per district, placed
roughly where it lies, not its real outline), each shaded by its number of applications, drawn in inline SVG with
presentation attributes only (the CSP allows no inline style); the numbers are written out in a table beside it."""

from .city import Named

UNIT = 64  # a tile's side in the SVG's units
# district → (column, row, width, height) on a 7 × 6 grid, north at the top
TILES = {
    "chongming": (3, 0, 4, 1), "jiading": (1, 1, 2, 1), "baoshan": (3, 1, 2, 1), "qingpu": (0, 2, 2, 2),
    "putuo": (2, 2, 1, 1), "jingan": (3, 2, 1, 1), "hongkou": (4, 2, 1, 1), "yangpu": (5, 2, 1, 1),
    "changning": (2, 3, 1, 1), "xuhui": (3, 3, 1, 1), "huangpu": (4, 3, 1, 1), "pudong": (5, 3, 2, 3),
    "songjiang": (0, 4, 2, 1), "minhang": (2, 4, 3, 1), "jinshan": (0, 5, 2, 1), "fengxian": (2, 5, 3, 1),
}  # fmt: skip
# Five shades of blue, light to dark (ColorBrewer "Blues"), with the text colour each needs for a 4.5:1 contrast.
SHADES = [("#eff3ff", "#000000"), ("#bdd7e7", "#000000"), ("#6baed6", "#000000"), ("#3182bd", "#ffffff"),
          ("#08519c", "#ffffff")]  # fmt: skip
WITHHELD = ("#ffffff", "#000000")


def district_map(*, districts: list[Named]) -> dict:
    """Return the geometry of the map of ``districts`` (each with its "applications" figure): a tile per district
    with its shade (by its share of the largest figure shown), its name and its figure."""
    largest = max((d.applications.value for d in districts if d.applications.shown), default=0)
    tiles = []
    for district in districts:
        column, row, width, height = TILES[district.code]
        stat = district.applications
        if stat.shown:
            level = min(len(SHADES) - 1, int(len(SHADES) * stat.value / largest)) if largest else 0
            fill, ink = SHADES[level]
        else:
            fill, ink = WITHHELD
        tiles.append(
            {
                "x": column * UNIT,
                "y": row * UNIT,
                "width": width * UNIT - 2,
                "height": height * UNIT - 2,
                "cx": column * UNIT + (width * UNIT - 2) // 2,
                "cy": row * UNIT + (height * UNIT - 2) // 2,
                "fill": fill,
                "ink": ink,
                "name": district.name,
                "text": str(stat) if stat.shown else "–",
            }
        )
    return {"tiles": tiles, "width": 7 * UNIT, "height": 6 * UNIT}
