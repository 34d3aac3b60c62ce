"""Plane geometry for tools/make_map.py: simplify, clip, round, write SVG paths.

All coordinates are (x, y) pairs in view-box units, y pointing down.
Standard library only.
"""


def simplify(points, tolerance):
    """Douglas-Peucker: the fewest points within `tolerance` of the line; ends kept."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, worst_at = -1.0, -1
        for i in range(first + 1, last):
            d = segment_distance(points[i], points[first], points[last])
            if d > worst:
                worst, worst_at = d, i
        if worst > tolerance:
            keep[worst_at] = True
            stack.append((first, worst_at))
            stack.append((worst_at, last))
    return [p for p, k in zip(points, keep) if k]


def segment_distance(p, a, b):
    """Distance from p to the segment a-b (to a itself when a == b)."""
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    cx, cy = ax + t * dx, ay + t * dy
    return ((px - cx) ** 2 + (py - cy) ** 2) ** 0.5


def simplify_shared(shapes, tolerance):
    """Simplifies polygons that share borders vertex for vertex, keeping them shared.

    `shapes` is a list of shapes, each a list of closed rings. Each ring is cut
    where it starts or stops running along another ring (and where three meet);
    every piece is simplified once, so both sides of a border get the same points.
    """
    edge_uses = {}
    neighbours = {}
    for rings in shapes:
        for ring in rings:
            ring = open_ring(ring)
            for i, p in enumerate(ring):
                q = ring[(i + 1) % len(ring)]
                key = (min(p, q), max(p, q))
                edge_uses[key] = edge_uses.get(key, 0) + 1
                neighbours.setdefault(p, set()).add(q)
                neighbours.setdefault(q, set()).add(p)

    def shared(p, q):
        return edge_uses[(min(p, q), max(p, q))] > 1

    done = {}

    def simplify_piece(piece):
        key = tuple(piece)
        if key not in done:
            back = key[::-1]
            if back in done:
                done[key] = done[back][::-1]
            else:
                done[key] = simplify(piece, tolerance)
        return done[key]

    out = []
    for rings in shapes:
        simplified = []
        for ring in rings:
            ring = open_ring(ring)
            n = len(ring)
            cuts = [i for i in range(n)
                    if shared(ring[i - 1], ring[i]) != shared(ring[i], ring[(i + 1) % n])
                    or len(neighbours[ring[i]]) > 2]
            if not cuts:
                simplified.append(simplify(ring + [ring[0]], tolerance))
                continue
            points = []
            for j, start in enumerate(cuts):
                end = cuts[(j + 1) % len(cuts)]
                if end <= start:
                    end += n
                piece = [ring[i % n] for i in range(start, end + 1)]
                part = simplify_piece(piece)
                points.extend(part if not points else part[1:])
            simplified.append(points)
        out.append(simplified)
    return out


def open_ring(ring):
    """A ring without its closing point repeated."""
    ring = [tuple(p) for p in ring]
    return ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring


def ring_area(ring):
    """Unsigned area (shoelace)."""
    return abs(signed_area(ring))


def signed_area(ring):
    """Shoelace area, positive or negative by winding."""
    total = 0.0
    for i in range(len(ring)):
        x0, y0 = ring[i - 1]
        x1, y1 = ring[i]
        total += x0 * y1 - x1 * y0
    return total / 2.0


def centroid(ring):
    """Area centroid of a ring (its first point if it has no area)."""
    area = signed_area(ring)
    if abs(area) < 1e-9:
        return ring[0]
    cx = cy = 0.0
    for i in range(len(ring)):
        x0, y0 = ring[i - 1]
        x1, y1 = ring[i]
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return (cx / (6 * area), cy / (6 * area))


def round_ring(ring):
    """Whole units, consecutive repeats and the closing repeat dropped."""
    out = []
    for x, y in ring:
        p = (round(x), round(y))
        if not out or out[-1] != p:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def extent(rings):
    """The larger side of the rings' bounding box."""
    xs = [x for r in rings for x, _ in r]
    ys = [y for r in rings for _, y in r]
    return max(max(xs) - min(xs), max(ys) - min(ys))


class Window:
    """Clips rings to the view box grown by `margin` on every side."""

    def __init__(self, width, height, margin):
        self.x0, self.y0 = -margin, -margin
        self.x1, self.y1 = width + margin, height + margin

    def contains(self, p):
        """Whether p is inside the grown view box."""
        return self.x0 <= p[0] <= self.x1 and self.y0 <= p[1] <= self.y1

    def clip_rings(self, rings):
        """Clipped rings (Sutherland-Hodgman), in float units, empty ones dropped."""
        out = []
        for ring in rings:
            ring = self.clip(open_ring(ring))
            if len(ring) >= 3 and ring_area(ring) > 0:
                out.append(ring)
        return out

    def clip(self, ring):
        edges = [
            (lambda p: p[0] >= self.x0, lambda a, b: cross_x(a, b, self.x0)),
            (lambda p: p[0] <= self.x1, lambda a, b: cross_x(a, b, self.x1)),
            (lambda p: p[1] >= self.y0, lambda a, b: cross_y(a, b, self.y0)),
            (lambda p: p[1] <= self.y1, lambda a, b: cross_y(a, b, self.y1)),
        ]
        for inside, cross in edges:
            if not ring:
                break
            result = []
            for i, p in enumerate(ring):
                prev = ring[i - 1]
                if inside(p):
                    if not inside(prev):
                        result.append(cross(prev, p))
                    result.append(p)
                elif inside(prev):
                    result.append(cross(prev, p))
            ring = result
        return ring


def cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return (x, a[1] + t * (b[1] - a[1]))


def cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return (a[0] + t * (b[0] - a[0]), y)


class Shape:
    """One linkable shape: code, name, rounded rings, and a marker if it is tiny."""

    def __init__(self, code, name, rings, marker_below, min_area=6.0):
        self.code = code
        self.name = name
        self.area = sum(ring_area(r) for r in rings)
        largest = max(rings, key=ring_area)
        self.marker = None
        if extent(rings) < marker_below:
            cx, cy = centroid(largest)
            self.marker = [round(cx), round(cy)]
        rounded = [round_ring(r) for r in rings]
        kept = [r for r in rounded if len(r) >= 3 and ring_area(r) >= min_area]
        if not kept:
            best = round_ring(largest)
            kept = [best] if len(best) >= 3 and ring_area(best) > 0 else []
        self.rings = kept

    def to_json(self):
        out = {"code": self.code, "name": self.name, "d": path_d(self.rings, 0.0)}
        if self.marker:
            out["marker"] = self.marker
        return out


def path_d(rings, min_area=6.0):
    """An SVG path: absolute move to each ring's start, then relative lines."""
    parts = []
    for ring in rings:
        ring = round_ring(ring)
        if len(ring) < 3 or ring_area(ring) < min_area:
            continue
        x, y = ring[0]
        text = [f"M{x} {y}l"]
        first = True
        for nx, ny in ring[1:]:
            dx, dy = nx - x, ny - y
            x, y = nx, ny
            for v in (dx, dy):
                if not first and v >= 0:
                    text.append(" ")
                text.append(str(v))
                first = False
        text.append("z")
        parts.append("".join(text))
    return "".join(parts)
