/* casebook: filters and search on the home page, filtered-view links on summary pages.
 *
 * Home page. The page carries only the first page of entries and a checkbox
 * per vocabulary value (fieldset[data-facet]). After first paint this script
 * loads browse-data.js: for every kind and value a bit set of the entries
 * naming it (entry i is bit i of the set, in catalogue order, which is the
 * list's order). Each value then gets, once, the bit set of the entries under
 * it (its parts included: United Kingdom takes in England), and each exact
 * combination its own. A change costs a few AND/OR passes over N/32 words per
 * facet; the list then shows only the current page of matches ("Show more"
 * adds the next), drawn from browse-items/<n>.js chunks of result lines
 * loaded as they are needed, so the page stays small whatever the catalogue
 * size. Both are scripts, not fetched JSON, so they load from disk too.
 *
 * The state lives in the query string, so a view can be bookmarked and shared:
 *   ?<facet>=<id>[,<id>...]&kind=<id>[,...]&exact=<facet>[,...]&q=<words>
 * AND across facets, OR within one. A facet named in `exact` matches entries
 * whose values are exactly the ones listed, no more and no fewer; `sectors=a+b`
 * is short for `sectors=a,b&exact=sectors`. Ids are matched ignoring case.
 * The count beside a value is how many entries name it given the other
 * filters. Search (search/index.js and the chunks of the query's words,
 * loaded on first use) narrows the list further and ranks it, best first;
 * each result shown comes with an excerpt from its fragment (search/f/<d>.js).
 * Ticks and words given before the script is ready are kept (and put in the
 * URL), never undone.
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

  var n = 0;
  var words = 0;
  var EMPTY = new Uint32Array(0);
  var ready = false;

  function newBits() {
    return new Uint32Array(words);
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
  /* A base64 bit set (bit i%8 of byte i/8) as 32-bit words. */
  function decodeBits(text) {
    var bits = newBits();
    var raw = atob(text || "");
    for (var b = 0; b < raw.length; b++) bits[b >>> 2] |= raw.charCodeAt(b) << ((b & 3) << 3);
    return bits;
  }
  function orInto(out, bits) {
    for (var w = 0; w < words; w++) out[w] |= bits[w];
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
        bits: EMPTY,
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

  /* --- The entries: one bit set per value, one per exact combination ------ */

  var kinds = []; // {id, label, dir, bits}
  var perPage = 50;
  var chunkSize = 200;

  function byNumber(x, y) {
    return x - y;
  }

  /* Reads browse-data.js: rolls each value's own entries up into its parents,
     and groups the entries of facets with an exact filter by their values. */
  function setUp(data) {
    n = data.entries;
    words = (n + 31) >>> 5;
    EMPTY = new Uint32Array(words);
    perPage = data.per_page || 0;
    chunkSize = data.chunk;
    kinds = data.kinds.map(function (k) {
      return { id: k.id, label: k.label, dir: k.dir, bits: decodeBits(k.bits) };
    });
    var given = Object.create(null);
    given.kind = kinds.map(function (k) {
      return { id: k.id, bits: k.bits };
    });
    data.facets.forEach(function (f) {
      given[f.name] = f.values;
    });
    facets.forEach(function (f) {
      f.values.forEach(function (v) {
        v.bits = newBits();
      });
      var own = [];
      (given[f.name] || []).forEach(function (dv) {
        var vi = f.byId[String(dv.id).toLowerCase()];
        if (vi === undefined) return;
        var bits = typeof dv.bits === "string" ? decodeBits(dv.bits) : dv.bits;
        own.push([vi, bits]);
        for (var a = vi; a >= 0; a = f.values[a].parent) orInto(f.values[a].bits, bits);
      });
      if (f.exactInput) {
        var keys = new Array(n);
        for (var i = 0; i < n; i++) keys[i] = [];
        own.sort(function (x, y) {
          return x[0] - y[0];
        });
        own.forEach(function (pair) {
          var bits = pair[1];
          for (var w = 0; w < words; w++) {
            var word = bits[w];
            while (word) {
              var low = word & -word;
              keys[(w << 5) + (31 - Math.clz32(low))].push(pair[0]);
              word ^= low;
            }
          }
        });
        for (var e = 0; e < n; e++) {
          var key = keys[e].join("+");
          var combo = f.combos.get(key);
          if (!combo) f.combos.set(key, (combo = newBits()));
          combo[e >>> 5] |= 1 << (e & 31);
        }
      }
      f.values.forEach(function (v) {
        v.total = countBits(v.bits);
      });
    });
  }

  /* --- Result lines, loaded in chunks -------------------------------------- */

  var itemsBase = form.getAttribute("data-browse-items") || "browse-items/";

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = src;
      script.onload = function () {
        resolve();
      };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  /* Files that are scripts calling window[callback](key, value...): loaded
     once each, on demand, however many ask at the same time. */
  function scriptStore(callback, urlOf) {
    var values = [];
    var waits = [];
    window[callback] = function (key) {
      values[key] = Array.prototype.slice.call(arguments, 1);
      var waiting = waits[key] || [];
      waits[key] = null;
      waiting.forEach(function (w) {
        w[0]();
      });
    };
    return {
      get: function (key) {
        return values[key];
      },
      load: function (key) {
        if (values[key]) return Promise.resolve();
        return new Promise(function (resolve, reject) {
          if (waits[key]) return waits[key].push([resolve, reject]);
          waits[key] = [[resolve, reject]];
          loadScript(urlOf(key)).catch(function (e) {
            var waiting = waits[key] || [];
            waits[key] = null;
            waiting.forEach(function (w) {
              w[1](e);
            });
          });
        });
      }
    };
  }

  // browse-items/<c>.js: casebookItems(c, rows), a row per entry.
  var chunks = scriptStore("casebookItems", function (c) {
    return itemsBase + c + ".js";
  });
  function loadChunk(c) {
    return chunks.load(c);
  }

  function item(i) {
    var chunk = chunks.get(Math.floor(i / chunkSize));
    return chunk ? chunk[0][i % chunkSize] : null;
  }

  /* --- Applying the filters ------------------------------------------------ */

  var statusEl = document.querySelector("[data-status]");
  var emptyEl = document.querySelector("[data-empty]");
  var resultsEl = document.querySelector("[data-results]");
  var moreEl = document.querySelector("[data-more]");
  var moreButton = moreEl ? moreEl.querySelector("button") : null;
  var root = form.getAttribute("data-root") || "./";
  var searchInput = form.querySelector('input[name="q"]');
  var searchNote = form.querySelector("[data-search-note]");
  var searchBits = null; // null: no search, or not loaded yet
  var scratch = null;
  var matched = null;
  var announceTimer = 0;
  var groupsBox = form.querySelector("[data-filter-groups]");
  var tickedEl = form.querySelector("[data-ticked]");
  var whenFiltered = document.querySelector("[data-when-filtered]");
  var limit = 0; // how many matches the list shows
  var current = null; // the matches (bits), null for all
  var matchCount = 0;
  var drawn = ""; // what the list shows now, as "<limit>:<matches>"
  var serverList = true; // the list is still the one the page came with
  var generation = 0;

  /* The filter groups are closed on narrow screens while the page is parsed
     (index.html) and open on wide ones, where their toggle is hidden. */
  if (groupsBox && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 48em)");
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
    for (var k = 0; k < picked.length; k++) orInto(union, f.values[picked[k]].bits);
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
    if (!ready) return;
    var started = performance.now();
    var cons = facets.map(constraint);
    cons.push(searchBits);
    current = intersect(cons, -1, matched);
    matchCount = current ? countBits(current) : n;
    limit = pageStep();
    if (whenFiltered) whenFiltered.hidden = current === null;
    if (emptyEl && emptyEl.hidden !== matchCount > 0) emptyEl.hidden = matchCount > 0;
    api.shown = matchCount;
    // The list first: what it still has to load is then on its way while
    // the counts are worked out.
    draw(announceDelay || 0);
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
    if (tickedEl) tickedEl.textContent = ticked ? "(" + ticked + " ticked)" : "";
    api.lastUpdate = performance.now() - started;
  }

  /* The first `limit` matches, in list order (in rank order when searching). */
  function listed() {
    var out = [];
    if (searchRank) {
      for (var r = 0; r < searchRank.length && out.length < limit; r++) {
        var d = searchRank[r];
        if (!current || (current[d >>> 5] >>> (d & 31)) & 1) out.push(d);
      }
      return out;
    }
    for (var w = 0; w < words && out.length < limit; w++) {
      var word = current ? current[w] : w === words - 1 && n & 31 ? (1 << (n & 31)) - 1 : -1;
      while (word && out.length < limit) {
        var low = word & -word;
        out.push((w << 5) + (31 - Math.clz32(low)));
        word ^= low;
      }
    }
    return out;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"]/g, function (ch) {
      return ch === "&" ? "&amp;" : ch === "<" ? "&lt;" : ch === ">" ? "&gt;" : "&quot;";
    });
  }

  /* Draws the list: the current page(s) of matches, grouped by kind; when
     searching, one list best match first, each with an excerpt. */
  function draw(announceDelay) {
    var shownIds = listed();
    var key =
      limit + ":" + (current ? Array.prototype.join.call(current, ",") : "all") + ":" + searchWords.join(" ");
    var status = function (listedCount) {
      var text = matchCount + (matchCount === 1 ? " entry" : " entries");
      return listedCount < matchCount ? text + " match, the first " + listedCount + " shown" : text + " shown";
    };
    // The page's own list is the unfiltered first page: keep it.
    if (serverList && current === null && limit === perPage) {
      finishDraw(shownIds.length, status(shownIds.length), announceDelay);
      return;
    }
    if (key === drawn) {
      finishDraw(shownIds.length, status(shownIds.length), announceDelay);
      return;
    }
    // Free pages the search found, when no filter narrows the entries.
    var filtered = facets.some(function (f) {
      return constraint(f) !== null;
    });
    var pagesShown = filtered ? [] : pageHits;
    // Ranked results come from their fragments, list lines from item chunks.
    var needed = [];
    if (searchRank) {
      shownIds.concat(pagesShown).forEach(function (d) {
        if (!fragments.get(d)) needed.push(fragments.load(d));
      });
    } else {
      var chunkIds = [];
      shownIds.forEach(function (i) {
        var c = Math.floor(i / chunkSize);
        if (!chunks.get(c) && chunkIds.indexOf(c) < 0) chunkIds.push(c);
      });
      needed = chunkIds.map(loadChunk);
    }
    var mine = ++generation;
    var render = function () {
      if (mine !== generation) return;
      var html = "";
      if (pagesShown.length) {
        html += '<section class="group" aria-labelledby="group-pages-found"><h3 id="group-pages-found">Pages</h3><ul class="entry-list">';
        pagesShown.forEach(function (d) {
          var found = fragments.get(d) || [[], ""];
          var pg = found[0];
          html +=
            '<li data-page-hit><a href="' + escapeHtml(root + pg[1]) + '">' + marked(pg[0]) + "</a>" +
            excerptHtml(found[1]) + "</li>";
        });
        html += "</ul></section>";
      }
      if (searchRank && shownIds.length) {
        html +=
          '<section class="group" aria-labelledby="group-ranked" data-group="ranked"><h3 id="group-ranked">Best matches first <span class="count">(<span data-group-count>' +
          matchCount +
          '</span>)</span></h3><ul class="entry-list">';
        shownIds.forEach(function (d) {
          var found = fragments.get(d);
          if (found) addLine(found[0], found[1]);
        });
        html += "</ul></section>";
      } else {
        var open = -1;
        shownIds.forEach(function (i) {
          var row = item(i);
          if (!row) return;
          var k = row[1];
          if (k !== open) {
            if (open >= 0) html += "</ul></section>";
            open = k;
            var kind = kinds[k];
            var inKind = current ? countAnd(current, kind.bits) : countBits(kind.bits);
            html +=
              '<section class="group" aria-labelledby="group-' + escapeHtml(kind.id) + '" data-group="' +
              escapeHtml(kind.id) + '"><h3 id="group-' + escapeHtml(kind.id) + '">' + escapeHtml(kind.label) +
              ' <span class="count">(<span data-group-count>' + inKind + '</span>)</span></h3><ul class="entry-list">';
          }
          addLine(row, null);
        });
        if (open >= 0) html += "</ul></section>";
      }
      function addLine(row, text) {
        var kindText = searchRank && kinds[row[1]] ? kinds[row[1]].label + " · " : "";
        html +=
          '<li data-entry="' + escapeHtml(row[0]) + '"><a href="' + escapeHtml(root + kindDir(row[1]) + "/" + row[2] + "/") +
          '">' + marked(row[3]) + "</a>" + (row[4] || kindText ? ' <span class="meta">' + escapeHtml(kindText) + marked(row[4]) + "</span>" : "") +
          (text === null ? "" : excerptHtml(text)) +
          "</li>";
      }
      if (resultsEl) resultsEl.innerHTML = html;
      serverList = false;
      drawn = key;
      finishDraw(shownIds.length, status(shownIds.length), announceDelay);
    };
    if (!needed.length) return render();
    api.pending = true;
    document.documentElement.setAttribute("data-browse", "loading");
    Promise.all(needed).then(render, function () {
      if (mine !== generation) return;
      api.pending = false;
      announce("The list could not be loaded.", 0);
    });
  }

  function kindDir(k) {
    return kinds[k] ? kinds[k].dir : "";
  }

  function finishDraw(listedCount, text, announceDelay) {
    api.listed = listedCount;
    api.pending = false;
    if (moreEl) {
      var rest = matchCount - listedCount;
      moreEl.hidden = rest <= 0;
      if (moreButton && rest > 0) {
        var next = Math.min(pageStep(), rest);
        moreButton.textContent = "Show " + next + " more";
      }
    }
    announce(text, announceDelay);
    if (!api.readyAt) api.readyAt = performance.now();
    document.documentElement.setAttribute("data-browse", "ready");
  }

  if (moreButton) {
    moreButton.addEventListener("click", function () {
      if (!ready) return;
      limit += pageStep();
      draw(0);
    });
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

  /* Whether the reader has ticked or typed anything yet (before the script
     was ready): that input wins over the query string, and is never undone. */
  function formHasInput() {
    if (searchInput && searchInput.value.trim()) return true;
    return facets.some(function (f) {
      return (
        (f.exactInput && f.exactInput.checked) ||
        f.values.some(function (v) {
          return v.input.checked;
        })
      );
    });
  }

  /* --- Search -------------------------------------------------------------- */

  /* search/index.js says which chunk (search/<k>.js) holds which terms; a
     query loads only the chunks of its words (all the terms a word of three
     letters or more begins, while typing), then search/f/<d>.js for each
     result shown: its result line and text, for the excerpt. Postings are
     (gap << 6 | tf << 4 | fields): fields 1 id, 2 title, 4 facet labels and
     fields, 8 body; tf how often the term is in the body (0: once, 1: twice,
     2: three times, 3: four or more). Ranking, BM25-like without length
     normalisation: for each word its best term's weight (id 4, title 3,
     fields 1.5, plus the body's count saturated as BM25 does with k1 = 1.2;
     a prefix match 0.6 of an exact one) times its rarity (BM25's idf); every
     word must match; an entry whose id the query is comes first. */
  var PREFIX_MIN = 3;
  var RANKED_STEP = 10; // ranked results drawn at a time: each loads a fragment
  var EXCERPT_WORDS = 24;
  var K1 = 1.2;
  var searchMeta = null;
  var searchRank = null; // ranked entry numbers of the current search, or null
  var pageHits = []; // free pages the search found: their document numbers
  var searchWords = [];
  var loading = null;
  var searchTimer = 0;
  var searchDir = form.getAttribute("data-search-dir") || "search/";
  // search/<k>.js: casebookSearchChunk(k, terms).
  var searchChunks = scriptStore("casebookSearchChunk", function (k) {
    return searchDir + k + ".js";
  });
  // search/f/<d>.js: casebookSearchFragment(d, row, text).
  var fragments = scriptStore("casebookSearchFragment", function (d) {
    return searchDir + "f/" + d + ".js";
  });

  function pageStep() {
    var page = perPage > 0 ? perPage : n;
    return searchRank ? Math.min(page, RANKED_STEP) : page;
  }

  /* Lower case without accents ("Malmö" finds "malmo"), as the index is made. */
  function fold(term) {
    var lower = term.toLowerCase();
    // eslint-disable-next-line no-control-regex
    if (!/[^\x00-\x7f]/.test(lower)) return lower;
    return lower
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .replace(/ø/g, "o")
      .replace(/ł/g, "l")
      .replace(/đ/g, "d")
      .normalize("NFC");
  }
  function wordsOf(text) {
    return fold(text)
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
  }

  window.casebookSearchIndex = function (meta) {
    searchMeta = meta;
  };

  function loadSearch() {
    if (loading) return loading;
    form.setAttribute("data-search", "loading");
    loading = loadScript(searchDir + "index.js").then(
      function () {
        form.setAttribute("data-search", "ready");
      },
      function () {
        form.setAttribute("data-search", "failed");
        if (searchNote) {
          searchNote.textContent = "Search could not be loaded.";
          searchNote.hidden = false;
        }
      }
    );
    return loading;
  }

  /* The chunk a term falls in: the last whose first term is not after it. */
  function chunkOf(term) {
    var firsts = searchMeta.chunks;
    var lo = 0;
    var hi = firsts.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >>> 1;
      if (firsts[mid] <= term) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
  function chunkRange(word) {
    var last = word.length >= PREFIX_MIN ? chunkOf(word + "\uffff") : chunkOf(word);
    var out = [];
    for (var k = chunkOf(word); k <= last; k++) out.push(k);
    return out;
  }

  // The weight of a term by the fields it is in (id, title, facet labels and
  // fields), and of its body count, saturated as BM25 saturates it.
  var FIELD_WEIGHT = [];
  for (var fw = 0; fw < 8; fw++) FIELD_WEIGHT[fw] = Math.max(fw & 1 ? 4 : 0, fw & 2 ? 3 : 0, fw & 4 ? 1.5 : 0);
  var BODY_WEIGHT = [1, 2, 3, 5].map(function (tf) {
    return (tf * (K1 + 1)) / (tf + K1);
  });

  /* Ranks every document for `words` (all chunks loaded). */
  function rank(words) {
    var docs = searchMeta.documents;
    var total = new Float64Array(docs);
    var matchedWords = new Uint16Array(docs);
    var idWords = new Uint16Array(docs);
    var best = new Float64Array(docs);
    var isId = new Uint8Array(docs);
    words.forEach(function (word) {
      best.fill(0);
      isId.fill(0);
      var touched = [];
      var prefix = word.length >= PREFIX_MIN;
      chunkRange(word).forEach(function (k) {
        var got = searchChunks.get(k);
        var terms = got ? got[0] : {};
        for (var term in terms) {
          var exact = term === word;
          if (!exact && !(prefix && term.lastIndexOf(word, 0) === 0)) continue;
          var postings = terms[term];
          var df = postings.length;
          var idf = Math.log(1 + (docs - df + 0.5) / (df + 0.5)) * (exact ? 1 : 0.6);
          var doc = 0;
          for (var p = 0; p < df; p++) {
            var code = postings[p];
            doc += code >>> 6;
            var flags = code & 15;
            var weight = FIELD_WEIGHT[flags & 7] + (flags & 8 ? BODY_WEIGHT[(code >>> 4) & 3] : 0);
            var score = idf * weight;
            if (best[doc] === 0) touched.push(doc);
            if (score > best[doc]) best[doc] = score;
            if (exact && flags & 1) isId[doc] = 1;
          }
        }
      });
      for (var t = 0; t < touched.length; t++) {
        var d = touched[t];
        total[d] += best[d];
        matchedWords[d]++;
        idWords[d] += isId[d];
      }
    });
    var hits = [];
    for (var d = 0; d < docs; d++) {
      if (matchedWords[d] !== words.length) continue;
      if (idWords[d] === words.length) total[d] += 1000;
      hits.push(d);
    }
    hits.sort(function (a, b) {
      return total[b] - total[a] || a - b;
    });
    return hits;
  }

  /* Recomputes the search for the box's text; calls done() when ready. */
  function runSearch(done) {
    var q = searchInput ? searchInput.value.trim() : "";
    var words = wordsOf(q);
    if (!words.length) {
      searchBits = null;
      searchRank = null;
      pageHits = [];
      searchWords = [];
      return done();
    }
    if (!ready) return;
    if (!searchMeta) {
      announce("Loading search…", 0);
      return loadSearch().then(function () {
        if (searchMeta) runSearch(done);
      });
    }
    var needed = [];
    words.forEach(function (w) {
      chunkRange(w).forEach(function (k) {
        if (!searchChunks.get(k) && needed.indexOf(k) < 0) needed.push(k);
      });
    });
    if (needed.length) {
      return Promise.all(needed.map(searchChunks.load)).then(
        function () {
          runSearch(done);
        },
        function () {
          announce("Search could not be loaded.", 0);
        }
      );
    }
    // Only the latest text counts: typing may have gone on meanwhile.
    if (wordsOf(searchInput.value.trim()).join(" ") !== words.join(" ")) return;
    var started = performance.now();
    var hits = rank(words);
    var bits = newBits();
    var ranked = [];
    pageHits = [];
    hits.forEach(function (d) {
      if (d < n) {
        bits[d >>> 5] |= 1 << (d & 31);
        ranked.push(d);
      } else if (searchMeta.pages[d - searchMeta.entries]) {
        pageHits.push(d);
      }
    });
    searchBits = bits;
    searchRank = ranked;
    searchWords = words;
    api.lastSearch = performance.now() - started;
    api.lastSearchQuery = q;
    done();
  }

  /* Whether a word of a text is one the search matched. */
  function isHit(part) {
    var folded = fold(part);
    return searchWords.some(function (w) {
      return folded === w || (w.length >= PREFIX_MIN && folded.lastIndexOf(w, 0) === 0);
    });
  }

  /* `text` as HTML with the words the search matched marked. */
  function marked(text) {
    if (!searchWords.length) return escapeHtml(text);
    return String(text)
      .split(/([\p{L}\p{N}]+)/u)
      .map(function (part, i) {
        if (i % 2 === 0) return escapeHtml(part);
        return isHit(part) ? "<mark>" + escapeHtml(part) + "</mark>" : escapeHtml(part);
      })
      .join("");
  }

  /* An excerpt of a result's text: the EXCERPT_WORDS words around where the
     most matched words are close together, those marked; the text's start
     when none is in it. */
  function excerptHtml(text) {
    if (!text) return "";
    var parts = String(text).split(/([\p{L}\p{N}]+)/u); // words at odd places
    var hits = [];
    for (var i = 1; i < parts.length; i += 2) if (isHit(parts[i])) hits.push(i);
    var span = 2 * EXCERPT_WORDS;
    var start = 1;
    var most = 0;
    for (var h = 0, e = 0; h < hits.length; h++) {
      while (e < hits.length && hits[e] < hits[h] + span) e++;
      if (e - h > most) {
        most = e - h;
        start = hits[h];
      }
    }
    // A few words of context before the first hit.
    if (most) start = Math.max(1, start - 8);
    var end = Math.min(parts.length, start + span);
    var html = start > 1 ? "… " : "";
    for (var j = start; j < end; j++) {
      if (j % 2 === 0) html += escapeHtml(parts[j]);
      else html += isHit(parts[j]) ? "<mark>" + escapeHtml(parts[j]) + "</mark>" : escapeHtml(parts[j]);
    }
    if (end < parts.length - 1) html += " …";
    return '<p class="excerpt">' + html + "</p>";
  }

  /* --- Events -------------------------------------------------------------- */

  form.addEventListener("change", function (event) {
    if (event.target.type !== "checkbox") return;
    saveState(true);
    update();
  });

  if (searchInput) {
    searchInput.addEventListener("input", function () {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(function () {
        saveState(false);
        runSearch(function () {
          update(600);
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
    saveState(true);
    runSearch(function () {
      update();
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
    searchRank = null;
    pageHits = [];
    searchWords = [];
    saveState(true);
    update();
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

  /* For tests and benchmarks: the time the last update took, how many entries
     match, how many the list shows, and whether it waits for result lines. */
  var api = (window.casebookBrowse = {
    lastUpdate: 0,
    shown: 0,
    listed: 0,
    pending: true,
    readyAt: 0, // when the filters first became usable (ms since navigation)
    update: update
  });

  // Input made before now wins over the query string; else the query string sets the form.
  if (formHasInput()) saveState(false);
  else readState();

  var dataLoaded = new Promise(function (resolve, reject) {
    var start = function () {
      loadScript(form.getAttribute("data-browse-data")).then(resolve, reject);
    };
    // After first paint: the page's own list is up before the data is asked for.
    if (window.requestAnimationFrame) requestAnimationFrame(start);
    else start();
  }).then(function () {
    var data = window.casebookData;
    if (!data) throw new Error("no browse data");
    setUp(data);
    scratch = newBits();
    matched = newBits();
    ready = true;
  });
  dataLoaded.then(
    function () {
      update();
      if (searchInput && searchInput.value.trim()) runSearch(update);
    },
    function () {
      announce("The filters could not be loaded.", 0);
    }
  );
})();
