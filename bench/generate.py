#!/usr/bin/env python3
"""Write a synthetic casebook site of N entries, the same bytes for the same seed.

    python3 bench/generate.py --entries N --seed S OUT_DIR

OUT_DIR gets a complete site: `catalogue.yaml` (the shipped catalogue's kinds,
facets and summaries) and `content/practices/pNNNNN.md` +
`content/literature/lNNNNN.md` with ~4 KB Markdown bodies. Practices take the
first half of the entries (rounded up), articles the rest.

Only the standard library is used, and the pseudo-random stream is a small
SplitMix64 written out here, so the output does not depend on the Python
version's `random` module. The command line is relied on by the speed and
serve-latency benchmarks; keep it stable.
"""

from __future__ import annotations

import argparse
import os
import sys

CATALOGUE = """\
# Synthetic catalogue written by bench/generate.py (entries: {entries}, seed: {seed}).
title: {title}
description: >-
  A synthetic catalogue for benchmarking, with the vocabularies of the shipped
  catalogue of integrated social services in Europe.
base_url: "/"
language: en
allow_raw_html: false

kinds:
  - {{ id: literature, label: Articles,  singular: Article,  dir: literature }}
  - {{ id: practice,   label: Practices, singular: Practice, dir: practices }}

facets:
  sectors:
    label: Sectors
    description: The sectors each case integrates with social services (social services are always implied).
    values:
      - {{ id: health,     label: Health }}
      - {{ id: education,  label: Education }}
      - {{ id: employment, label: Employment }}
      - {{ id: other,      label: Other }}
  clusters:
    label: DMIC clusters
    description: The nine clusters of the Development Model for Integrated Care (DMIC).
    values:
      - {{ id: person-centeredness,          label: Person-centeredness,          description: "Services are shaped around a particular person or a defined target group." }}
      - {{ id: delivery-system,              label: Delivery system,              description: "The mechanisms and processes that make provision run smoothly." }}
      - {{ id: performance-management,       label: Performance management,       description: "Outcomes are measured and fed back to steer the service." }}
      - {{ id: quality-care,                 label: Quality care,                 description: "Evidence-based guidelines and the needs of service users." }}
      - {{ id: result-focused-learning,      label: Result-focused learning,      description: "A learning climate in which the practice keeps improving." }}
      - {{ id: inter-professional-teamwork,  label: Inter-professional teamwork,  description: "Professionals from different disciplines work together as a team." }}
      - {{ id: roles-and-tasks,              label: Roles & tasks,                description: "Clearly defined expertise, roles and tasks." }}
      - {{ id: commitment,                   label: Commitment,                   description: "Clear shared goals and an understanding of mutual dependence." }}
      - {{ id: transparent-entrepreneurship, label: Transparent entrepreneurship, description: "Innovation with clear agreements on leadership and funding." }}
  countries:
    label: Countries
    values:
{countries}
  methods:
    label: Working methods
    values:
      - {{ id: personal-contact,       label: Personal contact with users }}
      - {{ id: personalised-plan,      label: Personalised plan }}
      - {{ id: user-input-sessions,    label: Regular user input sessions }}
      - {{ id: case-management,        label: Case management }}
      - {{ id: multidisciplinary-team, label: Multidisciplinary team }}
      - {{ id: one-stop-shop,          label: One-stop shop }}
      - {{ id: monitoring,             label: Progress monitored }}
  leadership:
    label: Leadership
    values:
      - {{ id: single, label: Led by one public organisation }}
      - {{ id: shared, label: Shared leadership }}
  funding:
    label: Funding
    values:
      - {{ id: joint,              label: Joint or pooled funding }}
      - {{ id: single-agency,      label: Funded by one agency }}
      - {{ id: existing-resources, label: Existing resources }}

summaries:
  - {{ id: sector-combinations, title: Sectors integrated with social services, facet: sectors, mode: combinations }}
  - {{ id: countries, title: Countries, facet: countries, mode: counts }}
  - {{ id: clusters, title: DMIC clusters reported, facet: clusters, mode: presence, kinds: [literature] }}
  - {{ id: methods, title: Working methods of the practices, facet: methods, mode: presence, kinds: [practice] }}
  - {{ id: leadership, title: Leadership of the practices, facet: leadership, mode: presence, kinds: [practice] }}
  - {{ id: funding, title: Funding of the practices, facet: funding, mode: presence, kinds: [practice] }}
  - {{ id: clusters-by-sector-combination, title: DMIC clusters by sector combination, mode: pivot, rows: clusters, columns: sectors, columns_by: combination }}
  - {{ id: clusters-by-country, title: DMIC clusters by country, mode: pivot, rows: clusters, columns: countries }}
"""

SECTORS = ["health", "education", "employment", "other"]
CLUSTERS = [
    "person-centeredness", "delivery-system", "performance-management", "quality-care",
    "result-focused-learning", "inter-professional-teamwork", "roles-and-tasks", "commitment",
    "transparent-entrepreneurship",
]
# (id, label, parent)
COUNTRIES = [
    ("BE", "Belgium", None), ("BG", "Bulgaria", None), ("DK", "Denmark", None),
    ("FI", "Finland", None), ("FR", "France", None), ("DE", "Germany", None),
    ("GR", "Greece", None), ("HU", "Hungary", None), ("IS", "Iceland", None),
    ("IT", "Italy", None), ("NL", "Netherlands", None), ("PL", "Poland", None),
    ("RO", "Romania", None), ("SI", "Slovenia", None), ("ES", "Spain", None),
    ("SE", "Sweden", None), ("GB", "United Kingdom", None),
    ("GB-ENG", "England", "GB"), ("GB-NIR", "Northern Ireland", "GB"),
    ("GB-SCT", "Scotland", "GB"), ("GB-WLS", "Wales", "GB"),
]
METHODS = [
    "personal-contact", "personalised-plan", "user-input-sessions", "case-management",
    "multidisciplinary-team", "one-stop-shop", "monitoring",
]
LEADERSHIP = ["single", "shared"]
FUNDING = ["joint", "single-agency", "existing-resources"]

WORDS = """
service services social care health education employment school work job support team
teams case cases manager management plan plans personal personalised user users family
families child children young youth adult adults older people person community local
municipal municipality region regional national agency agencies office offices worker
workers professional professionals nurse nurses teacher teachers doctor doctors coach
coaches network networks partner partners partnership meeting meetings visit visits
home homes house housing income benefit benefits training course courses skill skills
learning outcome outcomes result results measure measures goal goals target group
groups need needs demand access entry point contact contacts phone line desk shop
single shared joint pooled fund funding budget budgets cost costs saving savings
evaluation review study studies trial pilot project projects programme programmes
approach approaches model models method methods tool tools protocol protocols record
records information system systems data exchange referral referrals pathway pathways
assessment assessments screening follow monitoring progress report reports quality
standard standards guideline guidelines evidence practice practices routine daily
weekly monthly year years month months staff volunteer volunteers client clients
patient patients pupil pupils student students parent parents carer carers disability
disabilities mental illness recovery addiction homeless unemployed long term short
early late prevention intervention treatment rehabilitation integration integrated
cooperation collaboration coordination coordinator shared responsibility role roles
task tasks trust commitment agreement agreements contract contracts leadership board
steering committee policy policies law reform reforms city town village rural urban
district county province state public private voluntary sector sectors across between
within together jointly closely regularly directly quickly clearly often mostly also
still only more most less fewer better stronger wider new first second third final
main key central common different several many each every other same whole small
large clear simple complex difficult flexible stable open close direct and with for
the of to in on by from into through over under after before during about between
""".split()

FIELDS = [
    "target_group", "lead", "year", "duration", "budget", "staff", "reach",
]


class Stream:
    """SplitMix64: tiny, fast, and the same on every Python version."""

    def __init__(self, seed: int) -> None:
        self.state = seed & 0xFFFFFFFFFFFFFFFF

    def next(self) -> int:
        self.state = (self.state + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        """A number in 0..n-1 (the tiny modulo bias does not matter here)."""
        return self.next() % n

    def between(self, lo: int, hi: int) -> int:
        """A number in lo..hi inclusive."""
        return lo + self.below(hi - lo + 1)

    def chance(self, percent: int) -> bool:
        return self.below(100) < percent

    def pick(self, items: list):
        return items[self.below(len(items))]

    def sample(self, items: list, k: int) -> list:
        """k distinct items, kept in the list's order."""
        chosen = set()
        while len(chosen) < k:
            chosen.add(self.below(len(items)))
        return [items[i] for i in sorted(chosen)]


def words(rng: Stream, n: int) -> list[str]:
    return [rng.pick(WORDS) for _ in range(n)]


def sentence(rng: Stream) -> str:
    w = words(rng, rng.between(8, 20))
    w[0] = w[0].capitalize()
    if rng.chance(15):
        i = rng.below(len(w))
        w[i] = f"**{w[i]}**"
    elif rng.chance(10):
        i = rng.below(len(w))
        w[i] = f"*{w[i]}*"
    return " ".join(w) + "."


def paragraph(rng: Stream) -> str:
    return " ".join(sentence(rng) for _ in range(rng.between(3, 7)))


def title(rng: Stream) -> str:
    w = words(rng, rng.between(2, 6))
    return " ".join(x.capitalize() if i == 0 else x for i, x in enumerate(w))


def table(rng: Stream) -> str:
    cols = rng.between(2, 4)
    head = [words(rng, 1)[0].capitalize() for _ in range(cols)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * cols]
    for _ in range(rng.between(2, 6)):
        cells = [" ".join(words(rng, rng.between(1, 3))) if c == 0 else str(rng.below(1000)) for c in range(cols)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def body(rng: Stream, target: int = 4000) -> str:
    """Markdown of about `target` bytes: headings, paragraphs, a list, sometimes a table and a link."""
    parts = [paragraph(rng)]
    listed = tabled = linked = False
    section = 0
    while sum(len(p) + 2 for p in parts) < target:
        if rng.chance(25):
            section += 1
            parts.append("## " + title(rng))
        if not listed and rng.chance(40):
            listed = True
            parts.append("\n".join("- " + sentence(rng) for _ in range(rng.between(3, 6))))
        elif not tabled and rng.chance(12):
            tabled = True
            parts.append(table(rng))
        elif not linked and rng.chance(15):
            linked = True
            page = "-".join(words(rng, 2))
            parts.append(
                f"{sentence(rng)} See [{' '.join(words(rng, 3))}](https://example.org/{page}) for details. {sentence(rng)}"
            )
        else:
            parts.append(paragraph(rng))
    if not listed:
        parts.append("\n".join("- " + sentence(rng) for _ in range(rng.between(3, 6))))
    return "\n\n".join(parts) + "\n"


def flow(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def entry(rng: Stream, kind: str, number: int, ids: dict[str, int]) -> tuple[str, str]:
    """(file name, file text) for one entry."""
    letter = "P" if kind == "practice" else "L"
    entry_id = f"{letter}{number:05d}"
    lines = ["---", f"id: {entry_id}", f"title: {title(rng)}"]
    countries = rng.sample([c[0] for c in COUNTRIES], rng.between(1, 2))
    lines.append(f"countries: {flow(countries)}")
    lines.append(f"sectors: {flow(rng.sample(SECTORS, rng.between(1, 4)))}")
    lines.append(f"clusters: {flow(rng.sample(CLUSTERS, rng.between(0, 9)))}")
    if kind == "practice":
        lines.append(f"methods: {flow(rng.sample(METHODS, rng.between(0, 7)))}")
        lines.append(f"leadership: [{rng.pick(LEADERSHIP)}]")
        lines.append(f"funding: [{rng.pick(FUNDING)}]")
        lines.append(f"target_group: {' '.join(words(rng, rng.between(2, 5)))}")
        lines.append(f"year: {rng.between(1995, 2024)}")
    else:
        authors = ", ".join(f"{rng.pick(WORDS).capitalize()} {chr(65 + rng.below(26))}" for _ in range(rng.between(1, 4)))
        lines.append(f"authors: [{authors}]")
        lines.append(f"journal: Journal of {rng.pick(WORDS).capitalize()} {rng.pick(WORDS).capitalize()}")
        lines.append(f"year: {rng.between(1995, 2024)}")
        lines.append(f"doi: https://doi.org/10.{rng.between(1000, 9999)}/{rng.next() % 10**8:08d}")
    if rng.chance(30):
        related = []
        for _ in range(rng.between(1, 3)):
            other_kind = rng.pick(["practice", "literature"])
            count = ids[other_kind]
            if count == 0:
                continue
            other = rng.between(1, count)
            other_id = f"{'P' if other_kind == 'practice' else 'L'}{other:05d}"
            if other_id != entry_id and other_id not in related:
                related.append(other_id)
        if related:
            lines.append(f"related: {flow(related)}")
    lines.append("---")
    text = "\n".join(lines) + "\n" + body(rng)
    return f"{entry_id.lower()}.md", text


def main() -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic casebook site.")
    parser.add_argument("--entries", type=int, required=True, help="number of entries (practices + articles)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the pseudo-random stream (default 1)")
    parser.add_argument("--title", default=None, help="site title (default: 'Synthetic catalogue (N entries)')")
    parser.add_argument("out_dir", help="folder to write the site into (created; must not hold content/ already)")
    args = parser.parse_args()
    if args.entries < 0:
        parser.error("--entries must be at least 0")
    out = args.out_dir
    content = os.path.join(out, "content")
    if os.path.exists(content):
        print(f"error: {content} already exists; choose an empty folder", file=sys.stderr)
        return 1
    ids = {"practice": (args.entries + 1) // 2, "literature": args.entries // 2}
    dirs = {"practice": os.path.join(content, "practices"), "literature": os.path.join(content, "literature")}
    for d in dirs.values():
        os.makedirs(d)
    countries = "\n".join(
        f"      - {{ id: {cid}, label: {label}{', parent: ' + parent if parent else ''} }}"
        for cid, label, parent in COUNTRIES
    )
    site_title = args.title or f"Synthetic catalogue ({args.entries} entries)"
    with open(os.path.join(out, "catalogue.yaml"), "w", encoding="utf-8", newline="\n") as f:
        f.write(CATALOGUE.format(entries=args.entries, seed=args.seed, title=site_title, countries=countries))
    rng = Stream(args.seed)
    for kind in ("practice", "literature"):
        for number in range(1, ids[kind] + 1):
            name, text = entry(rng, kind, number, ids)
            with open(os.path.join(dirs[kind], name), "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
