/* casebook: filters and search on the home page, filtered-view links on summary pages.
 *
 * Home page. Every entry in the list carries data-entry (its id), data-kind and
 * data-facets ("sectors:health,education countries:DK"). Every vocabulary value
 * has a checkbox in a fieldset[data-facet]; each gets, once, a bitset of the
 * entries under it (its parts included: United Kingdom takes in England). A
 * change then costs a few AND/OR passes over N/32 words per facet, and the page
 * is written to only where something changed (an entry's `hidden`, a count, a
 * checkbox's `disabled`), so it stays fast with tens of thousands of entries.
 *
 * The state lives in the query string, so a view can be bookmarked and shared:
 *   ?<facet>=<id>[,<id>...]&kind=<id>[,...]&exact=<facet>[,...]&q=<words>
 * AND across facets, OR within one. A facet named in `exact` matches entries
 * whose values are exactly the ones listed, no more and no fewer; `sectors=a+b`
 * is short for `sectors=a,b&exact=sectors`. Ids are matched ignoring case.
 * The count beside a value is how many entries name it given the other
 * filters. Search (MiniSearch, fetched with search-index.json on first use)
 * narrows the list further; the list keeps its order.
 *
 * Summary pages. Each count links to a page listing its entries, which works
 * without scripts; with scripts it goes to the home page filtered to exactly
 * that cell, kind included (data-filter).
 */
(function () {
  "use strict";

  var links = document.querySelectorAll("a[data-filter]");
  for (var l = 0; l < links.length; l++) {
    links[l].setAttribute("href", links[l].getAttribute("data-filter"));
  }

  var form = document.querySelector("form[data-filters]");
  if (!form) return;

  var items = document.querySelectorAll("[data-entry][data-facets]");
  var n = items.length;
  var words = (n + 31) >>> 5;
  var EMPTY = new Uint32Array(words);

  function newBits() {
    return new Uint32Array(words);
  }
  function setBit(bits, i) {
    bits[i >>> 5] |= 1 << (i & 31);
  }
  function popcount(x) {
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  function countAnd(a, b) {
    var c = 0;
    for (var w = 0; w < words; w++) c += popcount(a[w] & b[w]);
    return c;
  }
  function countBits(a) {
    var c = 0;
    for (var w = 0; w < words; w++) c += popcount(a[w]);
    return c;
  }

  /* --- The vocabularies, read from the form ------------------------------ */

  var facets = [];
  var kindFacet = null;
  var fieldsets = form.querySelectorAll("fieldset[data-facet]");
  for (var fs = 0; fs < fieldsets.length; fs++) {
    var fieldset = fieldsets[fs];
    var facet = {
      name: fieldset.getAttribute("data-facet"),
      values: [],
      byId: Object.create(null),
      combos: new Map(),
      exactInput: fieldset.querySelector('input[name="exact"]')
    };
    var inputs = fieldset.querySelectorAll('input[type="checkbox"]');
    for (var k = 0; k < inputs.length; k++) {
      var input = inputs[k];
      if (input === facet.exactInput) continue;
      var label = input.labels && input.labels[0];
      facet.byId[input.value.toLowerCase()] = facet.values.length;
      facet.values.push({
        id: input.value,
        input: input,
        countEl: label ? label.querySelector("[data-count]") : null,
        shownCount: -1,
        parentId: input.getAttribute("data-parent"),
        parent: -1,
        bits: newBits(),
        total: 0
      });
    }
    facet.values.forEach(function (v) {
      if (v.parentId && facet.byId[v.parentId.toLowerCase()] !== undefined) {
        v.parent = facet.byId[v.parentId.toLowerCase()];
      }
    });
    if (facet.name === "kind") kindFacet = facet;
    facets.push(facet);
  }
  var facetByName = Object.create(null);
  facets.forEach(function (f) {
    facetByName[f.name] = f;
  });

  /* --- The entries: one bitset per value, one per exact combination ------- */

  var groupEls = [];
  var groupOf = new Int32Array(n);
  var visible = new Uint8Array(n);
  var ids = new Map();
  for (var i = 0; i < n; i++) {
    var el = items[i];
    visible[i] = el.hidden ? 0 : 1;
    ids.set(el.getAttribute("data-entry"), i);
    var group = el.closest("[data-group]");
    var g = groupEls.indexOf(group);
    if (g < 0) {
      g = groupEls.length;
      groupEls.push(group);
    }
    groupOf[i] = g;
    var named = Object.create(null);
    var spec = el.getAttribute("data-facets");
    if (spec) {
      var parts = spec.split(" ");
      for (var p = 0; p < parts.length; p++) {
        var colon = parts[p].indexOf(":");
        if (colon > 0) named[parts[p].slice(0, colon)] = parts[p].slice(colon + 1).split(",");
      }
    }
    named.kind = [el.getAttribute("data-kind") || ""];
    for (var f = 0; f < facets.length; f++) {
      var fc = facets[f];
      var given = named[fc.name] || [];
      var indices = [];
      for (var j = 0; j < given.length; j++) {
        var vi = fc.byId[given[j].toLowerCase()];
        if (vi === undefined) continue;
        indices.push(vi);
        for (var a = vi; a >= 0; a = fc.values[a].parent) setBit(fc.values[a].bits, i);
      }
      if (fc.exactInput) {
        var key = indices.sort(byNumber).join("+");
        var combo = fc.combos.get(key);
        if (!combo) fc.combos.set(key, (combo = newBits()));
        setBit(combo, i);
      }
    }
  }
  facets.forEach(function (f) {
    f.values.forEach(function (v) {
      v.total = countBits(v.bits);
    });
  });
  var groups = groupEls.map(function (section) {
    return {
      section: section,
      countEl: section ? section.querySelector("[data-group-count]") : null,
      shown: -1
    };
  });

  function byNumber(x, y) {
    return x - y;
  }

  /* --- Applying the filters ------------------------------------------------ */

  var statusEl = document.querySelector("[data-status]");
  var emptyEl = document.querySelector("[data-empty]");
  var searchInput = form.querySelector('input[name="q"]');
  var searchNote = form.querySelector("[data-search-note]");
  var searchBits = null; // null: no search, or not loaded yet
  var scratch = newBits();
  var matched = newBits();
  var announceTimer = 0;
  var groupsBox = form.querySelector("[data-filter-groups]");
  var tickedEl = form.querySelector("[data-ticked]");
  var whenFiltered = document.querySelector("[data-when-filtered]");

  /* The filter groups fold away on narrow screens (the list then starts near
     the top) and are always open on wide ones, where their toggle is hidden. */
  if (groupsBox && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 48em)");
    groupsBox.open = wide.matches;
    var onWidth = function () {
      if (wide.matches) groupsBox.open = true;
    };
    if (wide.addEventListener) wide.addEventListener("change", onWidth);
  }

  /* The entries a facet's ticked values allow, or null when none is ticked. */
  function constraint(f) {
    var picked = [];
    for (var v = 0; v < f.values.length; v++) if (f.values[v].input.checked) picked.push(v);
    if (!picked.length) return null;
    if (f.exactInput && f.exactInput.checked) return f.combos.get(picked.join("+")) || EMPTY;
    if (picked.length === 1) return f.values[picked[0]].bits;
    var union = newBits();
    for (var k = 0; k < picked.length; k++) {
      var b = f.values[picked[k]].bits;
      for (var w = 0; w < words; w++) union[w] |= b[w];
    }
    return union;
  }

  /* AND of every constraint but the one at `skip`, into `out`; null if none. */
  function intersect(cons, skip, out) {
    var first = true;
    for (var c = 0; c < cons.length; c++) {
      var bits = cons[c];
      if (c === skip || !bits) continue;
      if (first) {
        out.set(bits);
        first = false;
      } else {
        for (var w = 0; w < words; w++) out[w] &= bits[w];
      }
    }
    return first ? null : out;
  }

  function update(announceDelay) {
    var started = performance.now();
    var cons = facets.map(constraint);
    cons.push(searchBits);
    var ticked = 0;
    for (var f = 0; f < facets.length; f++) {
      var others = intersect(cons, f, scratch);
      var values = facets[f].values;
      for (var v = 0; v < values.length; v++) {
        var value = values[v];
        var count = others ? countAnd(others, value.bits) : value.total;
        if (count !== value.shownCount) {
          value.shownCount = count;
          if (value.countEl) value.countEl.textContent = String(count);
        }
        if (value.input.checked) ticked++;
        var disabled = count === 0 && !value.input.checked;
        if (value.input.disabled !== disabled) value.input.disabled = disabled;
      }
    }
    var all = intersect(cons, -1, matched);
    var shown = 0;
    var perGroup = new Int32Array(groups.length);
    for (var i = 0; i < n; i++) {
      var on = all ? (all[i >>> 5] >>> (i & 31)) & 1 : 1;
      if (on !== visible[i]) {
        visible[i] = on;
        items[i].hidden = !on;
      }
      if (on) {
        shown++;
        perGroup[groupOf[i]]++;
      }
    }
    for (var g = 0; g < groups.length; g++) {
      var group = groups[g];
      if (perGroup[g] === group.shown) continue;
      group.shown = perGroup[g];
      if (group.countEl) group.countEl.textContent = String(perGroup[g]);
      if (group.section && group.section.hidden !== (perGroup[g] === 0)) {
        group.section.hidden = perGroup[g] === 0;
      }
    }
    if (emptyEl && emptyEl.hidden !== shown > 0) emptyEl.hidden = shown > 0;
    if (tickedEl) tickedEl.textContent = ticked ? "(" + ticked + " ticked)" : "";
    if (whenFiltered) whenFiltered.hidden = all === null;
    announce(shown + (shown === 1 ? " entry shown" : " entries shown"), announceDelay || 0);
    api.lastUpdate = performance.now() - started;
    api.shown = shown;
  }

  /* The status is a live region: while typing, say the result once typing pauses. */
  function announce(text, delay) {
    if (!statusEl) return;
    clearTimeout(announceTimer);
    if (delay) {
      announceTimer = setTimeout(function () {
        statusEl.textContent = text;
      }, delay);
    } else if (statusEl.textContent !== text) {
      statusEl.textContent = text;
    }
  }

  /* --- The query string ---------------------------------------------------- */

  function queryString() {
    var parts = [];
    var exact = [];
    var ordered = facets.filter(function (f) {
      return f !== kindFacet;
    });
    if (kindFacet) ordered.push(kindFacet);
    ordered.forEach(function (f) {
      var ticked = f.values.filter(function (v) {
        return v.input.checked;
      });
      if (ticked.length) {
        parts.push(
          f.name +
            "=" +
            ticked
              .map(function (v) {
                return encodeURIComponent(v.id);
              })
              .join(",")
        );
      }
      if (f.exactInput && f.exactInput.checked) exact.push(f.name);
    });
    if (exact.length) parts.push("exact=" + exact.join(","));
    var q = searchInput ? searchInput.value.trim() : "";
    if (q) parts.push("q=" + encodeURIComponent(q).replace(/%20/g, "+"));
    return parts.length ? "?" + parts.join("&") : "";
  }

  function saveState(push) {
    var url = location.pathname + queryString() + location.hash;
    if (url === location.pathname + location.search + location.hash) return;
    try {
      history[push ? "pushState" : "replaceState"](null, "", url);
    } catch (e) {
      /* some browsers refuse history changes for pages opened from disk */
    }
  }

  /* Ticks the controls as the query string says. */
  function readState() {
    var params = new URLSearchParams(location.search);
    var exact = params.getAll("exact").join(",").split(",");
    facets.forEach(function (f) {
      var wanted = Object.create(null);
      var plus = false;
      params.getAll(f.name).forEach(function (raw) {
        var text = raw.trim();
        // '+' arrives as a space: "health+education" means exactly these.
        if (/\s/.test(text) && text.indexOf(",") < 0) plus = true;
        text.split(/[\s,]+/).forEach(function (id) {
          if (id) wanted[id.toLowerCase()] = true;
        });
      });
      f.values.forEach(function (v) {
        v.input.checked = wanted[v.id.toLowerCase()] === true;
      });
      if (f.exactInput) f.exactInput.checked = plus || exact.indexOf(f.name) >= 0;
    });
    if (searchInput) searchInput.value = params.get("q") || "";
  }

  /* --- Search -------------------------------------------------------------- */

  var engine = null;
  var loading = null;
  var titlesOnly = false;
  var searchTimer = 0;

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      if (window.MiniSearch) return resolve();
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () {
        resolve();
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  /* Lower case without accents ("Malmö" finds "malmo"); plain ASCII skips the costly part. */
  function fold(term) {
    var lower = term.toLowerCase();
    // eslint-disable-next-line no-control-regex
    return /[^\x00-\x7f]/.test(lower) ? lower.normalize("NFD").replace(/[\u0300-\u036f]/g, "") : lower;
  }

  function loadSearch() {
    if (loading) return loading;
    form.setAttribute("data-search", "loading");
    loading = Promise.all([
      loadScript(form.getAttribute("data-search-script")),
      fetch(form.getAttribute("data-search-index")).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
    ])
      .then(function (loaded) {
        var data = loaded[1];
        var labels = Object.create(null);
        (data.facets || []).forEach(function (f) {
          var byId = (labels[f.name] = Object.create(null));
          f.values.forEach(function (v) {
            byId[v.id] = v.label;
          });
        });
        var docs = data.entries
          .filter(function (e) {
            return ids.has(e.id);
          })
          .map(function (e) {
            var named = [];
            Object.keys(e.facets || {}).forEach(function (name) {
              e.facets[name].forEach(function (id) {
                if (labels[name] && labels[name][id]) named.push(labels[name][id]);
              });
            });
            return {
              id: e.id,
              title: e.title,
              text: e.text || "",
              fields: (e.fields || "") + " " + named.join(" ")
            };
          });
        var building = new window.MiniSearch({
          fields: ["title", "text", "fields"],
          processTerm: fold,
          searchOptions: {
            prefix: true,
            fuzzy: function (term) {
              return term.length > 4 ? 0.2 : false;
            },
            combineWith: "AND"
          }
        });
        // In chunks, so the page (and its filters) stay responsive on big catalogues.
        return building.addAllAsync(docs, { chunkSize: 1000 }).then(function () {
          engine = building;
          form.setAttribute("data-search", "ready");
        });
      })
      .catch(function () {
        // fetch() is refused for pages opened from disk (file://): search titles.
        titlesOnly = true;
        form.setAttribute("data-search", "titles");
        if (searchNote) {
          searchNote.textContent =
            "Only titles are searched: full-text search needs the site to be served over HTTP.";
          searchNote.hidden = false;
        }
      });
    return loading;
  }

  function titleMatches(q) {
    var terms = fold(q).split(/\s+/).filter(Boolean);
    var bits = newBits();
    for (var i = 0; i < n; i++) {
      var link = items[i].querySelector("a");
      var title = fold(link ? link.textContent : items[i].textContent);
      if (
        terms.every(function (t) {
          return title.indexOf(t) >= 0;
        })
      ) {
        setBit(bits, i);
      }
    }
    return bits;
  }

  /* Recomputes the search's bitset for the box's text; calls done() when ready. */
  function runSearch(done) {
    var q = searchInput ? searchInput.value.trim() : "";
    if (!q) {
      searchBits = null;
      return done();
    }
    if (!engine && !titlesOnly) {
      announce("Loading search…", 0);
      return loadSearch().then(function () {
        runSearch(done);
      });
    }
    if (titlesOnly) {
      searchBits = titleMatches(q);
    } else {
      var bits = newBits();
      engine.search(q).forEach(function (hit) {
        var i = ids.get(hit.id);
        if (i !== undefined) setBit(bits, i);
      });
      searchBits = bits;
    }
    done();
  }

  /* --- Events -------------------------------------------------------------- */

  form.addEventListener("change", function (event) {
    if (event.target.type !== "checkbox") return;
    update();
    saveState(true);
  });

  if (searchInput) {
    searchInput.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () {
        runSearch(function () {
          update(600);
          saveState(false);
        });
      }, 120);
    });
    // Focusing the box starts loading the index, so the first word is quick.
    searchInput.addEventListener("focus", function () {
      loadSearch();
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(searchTimer);
    runSearch(function () {
      update();
      saveState(true);
    });
  });

  function clearAll() {
    facets.forEach(function (f) {
      f.values.forEach(function (v) {
        v.input.checked = false;
      });
      if (f.exactInput) f.exactInput.checked = false;
    });
    if (searchInput) searchInput.value = "";
    searchBits = null;
    update();
    saveState(true);
  }
  var clears = document.querySelectorAll("[data-clear]");
  for (var c = 0; c < clears.length; c++) {
    clears[c].addEventListener("click", function () {
      clearAll();
      if (searchInput) searchInput.focus();
    });
  }

  window.addEventListener("popstate", function () {
    readState();
    runSearch(function () {
      update();
    });
  });

  /* For tests and benchmarks: the time the last update took, and how many are shown. */
  var api = (window.casebookBrowse = { lastUpdate: 0, shown: n, update: update });

  readState();
  update();
  if (searchInput && searchInput.value.trim()) runSearch(update);
  document.documentElement.setAttribute("data-browse", "ready");
})();
