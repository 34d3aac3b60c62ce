#!/usr/bin/env python3
"""Turn a casebook site written by bench/generate.py into an equivalent Hugo site.

    python3 bench/hugo_site.py SRC_SITE OUT_DIR

The Markdown bodies are copied byte for byte; the front matter is rewritten
for Hugo: `title` and the taxonomies `countries`, `sectors` and `clusters` at
the top, everything else (id, methods, leadership, funding, related, ...)
under `params`. The layouts are deliberately plain but render the same kinds
of pages casebook does for those three facets: every entry page (facts, body,
related entries), every section list, every term page listing its entries,
every taxonomy list of terms with counts, and a home page listing every
entry. RSS, sitemap, robots.txt and the 404 page are switched off: with the
generated `base_url: "/"` casebook writes no feed or sitemap either, and its
robots.txt and 404 page are two tiny files.

casebook still does more work than this Hugo site: three more facets
(methods, leadership, funding), exact-combination pages, summary tables with
CSV, pivot-cell pages, "more like this" on each entry, catalogue.json, citation
exports, and checks of every link and vocabulary id. The comparison therefore favours Hugo.

Only the standard library is used. The front-matter reader understands the
flat `key: value` / `key: [a, b]` lines that generate.py writes, not YAML in
general.
"""

from __future__ import annotations

import json
import os
import re
import sys

TAXONOMIES = ("countries", "sectors", "clusters")

CONFIG = """\
baseURL = "/"
title = {title}
locale = "en"
disableKinds = ["rss", "sitemap", "robotsTXT", "404"]
enableRobotsTXT = false
disableAliases = true
enableGitInfo = false
relativeURLs = false

[taxonomies]
country = "countries"
sector = "sectors"
cluster = "clusters"

[markup.goldmark.renderer]
unsafe = false

[markup.goldmark.extensions]
table = true
strikethrough = true
footnote = true
"""

LAYOUTS = {
    "baseof.html": """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} · {{ site.Title }}{{ end }}</title>
<meta name="generator" content="hugo">
</head>
<body>
{{ partialCached "nav.html" . }}
<main id="main">
{{ block "main" . }}{{ end }}
</main>
<footer class="site-footer"><p>{{ site.Title }} · {{ len site.RegularPages }} entries · Built with Hugo.</p></footer>
</body>
</html>
""",
    # The same on every page, so rendered once: `range site.Sections` walks the
    # page tree each time it is called, which made every page cost O(N).
    "_partials/nav.html": """\
<header class="site-header">
  <a class="site-title" href="{{ "/" | relURL }}">{{ site.Title }}</a>
  <nav aria-label="Main"><ul class="nav">
    {{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
    {{ end }}
  </ul></nav>
</header>
<nav class="browse-bar" aria-label="Browse by facet"><ul class="nav">
  {{ range $name, $terms := site.Taxonomies }}<li><a href="{{ printf "/%s/" $name | relURL }}">{{ $name | humanize }}</a></li>
  {{ end }}
</ul></nav>
""",
    "_partials/entry_list.html": """\
<ul class="entry-list">
  {{ range . }}<li data-entry="{{ .Params.id }}"><a href="{{ .RelPermalink }}">{{ .Title }}</a> <span class="meta">{{ .Params.id }}</span></li>
  {{ end }}
</ul>
""",
    "home.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<p>{{ len site.RegularPages }} entries. Browse by
{{ range $name, $terms := site.Taxonomies }}<a href="{{ printf "/%s/" $name | relURL }}">{{ $name }} ({{ len $terms }})</a> {{ end }}</p>
<section class="all-entries">
  <h2>All entries</h2>
  {{ range site.Sections }}
  <h3>{{ .Title }} <span class="count">({{ len .Pages }})</span></h3>
  {{ partial "entry_list.html" .Pages }}
  {{ end }}
</section>
{{ end }}
""",
    "section.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<p>{{ len .Pages }} entries in the catalogue.</p>
{{ partial "entry_list.html" .Pages }}
{{ end }}
""",
    "taxonomy.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
<table class="values">
  <thead><tr><th scope="col">Value</th><th scope="col">Entries</th></tr></thead>
  <tbody>
  {{ range .Data.Terms.Alphabetical }}<tr><th scope="row"><a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a></th><td>{{ .Count }}</td></tr>
  {{ end }}
  </tbody>
</table>
{{ end }}
""",
    "term.html": """\
{{ define "main" }}
<p class="caption">{{ .Parent.Title }}</p>
<h1>{{ .Title }}</h1>
<p>{{ len .Pages }} entries.</p>
{{ range .Pages.GroupBy "Section" }}
<section class="group">
  <h2>{{ .Key | humanize }} <span class="count">({{ len .Pages }})</span></h2>
  {{ partial "entry_list.html" .Pages }}
</section>
{{ end }}
{{ end }}
""",
    "page.html": """\
{{ define "main" }}
<article class="entry" data-entry="{{ .Params.id }}">
  <p class="caption">{{ .Section | humanize }} {{ .Params.id }}</p>
  <h1>{{ .Title }}</h1>
  <dl class="facts">
    {{ range $taxonomy := slice "countries" "sectors" "clusters" }}
    {{ with $.GetTerms $taxonomy }}<div class="fact"><dt>{{ $taxonomy | humanize }}</dt>
      <dd>{{ range $i, $t := . }}{{ if $i }}, {{ end }}<a href="{{ $t.RelPermalink }}">{{ $t.LinkTitle }}</a>{{ end }}</dd></div>{{ end }}
    {{ end }}
    {{ range $key := slice "methods" "leadership" "funding" "target_group" "authors" "journal" "year" "doi" }}
    {{ with index $.Params $key }}<div class="fact"><dt>{{ $key | humanize }}</dt>
      <dd>{{ if reflect.IsSlice . }}{{ delimit . ", " }}{{ else }}{{ . }}{{ end }}</dd></div>{{ end }}
    {{ end }}
  </dl>
  <div class="body">
{{ .Content }}
  </div>
  {{ with .Params.related }}
  <section>
    <h2>Related entries</h2>
    <ul class="entry-list">
      {{ range . }}{{ $dir := cond (hasPrefix . "P") "practices" "literature" }}{{ with site.GetPage (printf "/%s/%s" $dir (lower .)) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
      {{ end }}{{ end }}
    </ul>
  </section>
  {{ end }}
</article>
{{ end }}
""",
}

SECTIONS = {"practices": "Practices", "literature": "Articles"}

LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):\s*(.*)$")


def parse_value(raw: str):
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        inner = raw[1:-1].strip()
        return [item.strip() for item in inner.split(",")] if inner else []
    return raw


def split_front_matter(text: str) -> tuple[dict, str]:
    if not text.startswith("---\n"):
        raise ValueError("no front matter")
    end = text.index("\n---\n", 3)
    fields = {}
    for line in text[4:end].splitlines():
        m = LINE.match(line)
        if not m:
            raise ValueError(f"unsupported front-matter line: {line!r}")
        fields[m.group(1)] = parse_value(m.group(2))
    return fields, text[end + 5 :]


def yaml_value(value) -> str:
    # JSON strings and arrays are valid YAML flow values.
    return json.dumps(value, ensure_ascii=False)


def convert(text: str) -> str:
    fields, body = split_front_matter(text)
    lines = ["---", f"title: {yaml_value(fields.pop('title'))}"]
    for taxonomy in TAXONOMIES:
        lines.append(f"{taxonomy}: {yaml_value(fields.pop(taxonomy, []))}")
    lines.append("params:")
    for key, value in fields.items():
        lines.append(f"  {key}: {yaml_value(value)}")
    lines.append("---")
    return "\n".join(lines) + "\n" + body


def site_title(src: str) -> str:
    with open(os.path.join(src, "catalogue.yaml"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("title:"):
                return line[len("title:") :].strip().strip('"')
    return "Catalogue"


def write(path: str, text: str) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.splitlines()[2].strip(), file=sys.stderr)
        return 2
    src, out = sys.argv[1], sys.argv[2]
    if os.path.exists(os.path.join(out, "content")):
        print(f"error: {out}/content already exists; choose an empty folder", file=sys.stderr)
        return 1
    write(os.path.join(out, "hugo.toml"), CONFIG.format(title=json.dumps(site_title(src))))
    for name, text in LAYOUTS.items():
        write(os.path.join(out, "layouts", name), text)
    for section, label in SECTIONS.items():
        source_dir = os.path.join(src, "content", section)
        write(os.path.join(out, "content", section, "_index.md"), f"---\ntitle: {label}\n---\n")
        for name in sorted(os.listdir(source_dir)):
            if not name.endswith(".md"):
                continue
            with open(os.path.join(source_dir, name), encoding="utf-8") as f:
                text = f.read()
            write(os.path.join(out, "content", section, name), convert(text))
    return 0


if __name__ == "__main__":
    sys.exit(main())
