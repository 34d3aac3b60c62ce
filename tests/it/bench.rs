//! Benchmark: how fast the home page filters 18,000 entries in headless
//! Chromium, click by click (the method of `bench/BROWSE.md`; the figures a
//! reader gets, side by side with Pagefind, are `bench/readers.py`'s in
//! `bench/READERS.md`). Ignored, and outside the `browser` group so that
//! running the browser tests does not run it:
//! `cargo test --test it bench -- --ignored --nocapture`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use fantoccini::Locator;
use serde_json::{json, Value};

use crate::browser::{
    block_on, click, js, one_at_a_time, open_home, tools, wait_until, with_browser,
};
use crate::util::{build_into, repo, write_entry, StaticServer, Stream};

/// Writes a synthetic site of `entries` entries: `bench/generate.py` when the
/// repository has it (or `CASEBOOK_BENCH_GENERATOR` names it), else a small
/// generator here with the shipped vocabularies.
fn generate_site(entries: usize, out: &Path) {
    let script = std::env::var_os("CASEBOOK_BENCH_GENERATOR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("bench/generate.py"));
    if script.is_file() {
        let status = Command::new("python3")
            .arg(&script)
            .args(["--entries", &entries.to_string(), "--seed", "1"])
            .arg(out)
            .status()
            .expect("python3");
        assert!(status.success(), "{} failed", script.display());
        return;
    }
    std::fs::create_dir_all(out.join("content/practices")).unwrap();
    std::fs::create_dir_all(out.join("content/literature")).unwrap();
    std::fs::copy(repo().join("catalogue.yaml"), out.join("catalogue.yaml")).unwrap();
    let config: serde_yaml_like::Vocabularies = serde_yaml_like::read(&repo());
    let mut rng = Stream(1);
    let mut next = move |n: usize| rng.below(n);
    for i in 0..entries {
        let practice = i < entries.div_ceil(2);
        let (dir, id) = if practice {
            ("practices", format!("P{}", i + 1))
        } else {
            ("literature", format!("L{}", i + 1))
        };
        let mut text = format!("---\nid: {id}\ntitle: Synthetic entry {id}\n");
        for (facet, values) in &config.facets {
            let k = 1 + next(3.min(values.len()));
            let mut picked: Vec<&String> = (0..k).map(|_| &values[next(values.len())]).collect();
            picked.sort();
            picked.dedup();
            let list: Vec<&str> = picked.iter().map(|s| s.as_str()).collect();
            text.push_str(&format!("{facet}: [{}]\n", list.join(", ")));
        }
        text.push_str("---\nA synthetic entry for the filtering benchmark.\n");
        write_entry(out, dir, &id, &text);
    }
}

/// Just enough of `catalogue.yaml` for the fallback generator: facet → value ids.
mod serde_yaml_like {
    use std::path::Path;

    pub struct Vocabularies {
        pub facets: Vec<(String, Vec<String>)>,
    }

    pub fn read(root: &Path) -> Vocabularies {
        let text = std::fs::read_to_string(root.join("catalogue.yaml")).unwrap();
        let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let facets = doc["facets"]
            .as_mapping()
            .unwrap()
            .iter()
            .map(|(name, facet)| {
                let values = facet.get("values").unwrap_or(facet);
                let ids = values
                    .as_sequence()
                    .unwrap()
                    .iter()
                    .map(|v| v["id"].as_str().unwrap().to_string())
                    .collect();
                (name.as_str().unwrap().to_string(), ids)
            })
            .collect();
        Vocabularies { facets }
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let mid = values.len() / 2;
    if values.len() % 2 == 0 {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// Time from a click on a filter to the list updated, in the page: from the
/// click event (captured before the filter's handler) to the end of the
/// handler ("script"), and to the next frame after it ("frame": style, layout
/// and paint of the changed list included). Reported, not asserted.
#[test]
#[ignore = "benchmark: cargo test --test it bench -- --ignored --nocapture"]
fn bench_filtering_18000_entries() {
    let tools = tools();
    let _turn = one_at_a_time();
    let entries: usize = std::env::var("CASEBOOK_BENCH_ENTRIES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(18_000);
    let work = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("bench-{entries}"));
    let source = work.join("site");
    let out = work.join("public");
    if !source.join("catalogue.yaml").is_file() {
        let _ = std::fs::remove_dir_all(&source);
        generate_site(entries, &source);
    }
    // CASEBOOK_BENCH_REUSE=1 keeps an earlier build (for trying page changes quickly).
    if std::env::var_os("CASEBOOK_BENCH_REUSE").is_none() || !out.join("index.html").is_file() {
        let started = Instant::now();
        build_into(&source, &out);
        eprintln!("built {entries} entries in {:?}", started.elapsed());
    }
    let home_bytes = std::fs::metadata(out.join("index.html")).unwrap().len();
    // The search's entry file: what a first search loads before its chunks.
    let index_bytes = std::fs::metadata(out.join("search/index.js"))
        .unwrap()
        .len();
    let server = StaticServer::start(&out);
    let home = server.url("/");
    let clicks: usize = 40;
    block_on(with_browser(&tools, move |client| async move {
        let started = Instant::now();
        open_home(&client, &home).await;
        let ready = started.elapsed();
        let shown_at_start = js(&client, "return window.casebookBrowse.shown;").await;
        assert_eq!(shown_at_start, json!(entries));
        js(
            &client,
            "window.benchTimes = [];
             document.addEventListener('click', () => {
               const t0 = performance.now();
               const record = { t0 };
               window.benchTimes.push(record);
               // The filter's change handler runs right after this click event.
               document.querySelector('form[data-filters]').addEventListener('change', () => {
                 record.script = performance.now() - t0;
                 record.shown = window.casebookBrowse.shown;
                 requestAnimationFrame(() => setTimeout(() => { record.frame = performance.now() - t0; }, 0));
               }, { once: true });
             }, true);
             return true;",
        )
        .await;
        // Alternate between views that change many entries and few.
        let sequence = [
            ("countries", "DK"),
            ("clusters", "commitment"),
            ("sectors", "employment"),
            ("countries", "SE"),
            ("kind", "practice"),
        ];
        for i in 0..clicks {
            let (facet, value) = sequence[i % sequence.len()];
            let selector = format!("input[name=\"{facet}\"][value=\"{value}\"]");
            // Scroll the box into view first so the click lands on it.
            js(
                &client,
                &format!("document.querySelector('{selector}').scrollIntoView({{block: 'center'}}); return true;"),
            )
            .await;
            let enabled = js(
                &client,
                &format!("return !document.querySelector('{selector}').disabled;"),
            )
            .await;
            if enabled != json!(true) {
                continue;
            }
            click(&client, Locator::Css(&selector)).await;
            wait_until(&client, "window.benchTimes.length === 0 || window.benchTimes[window.benchTimes.length - 1].frame !== undefined").await;
        }
        let times: Vec<Value> =
            serde_json::from_value(js(&client, "return window.benchTimes;").await).unwrap();
        let mut script: Vec<f64> = times.iter().filter_map(|t| t["script"].as_f64()).collect();
        let mut frame: Vec<f64> = times.iter().filter_map(|t| t["frame"].as_f64()).collect();
        assert!(frame.len() >= 20, "{} clicks measured", frame.len());
        for t in &times {
            eprintln!(
                "bench: click: {} shown, script {:.1} ms, frame {:.1} ms",
                t["shown"],
                t["script"].as_f64().unwrap_or(-1.0),
                t["frame"].as_f64().unwrap_or(-1.0)
            );
        }
        let max = |v: &[f64]| v.iter().cloned().fold(0.0, f64::max);
        let (script_max, frame_max) = (max(&script), max(&frame));
        if std::env::var_os("CASEBOOK_BENCH_SKIP_SEARCH").is_some() {
            eprintln!(
                "bench: {} clicks: script median {:.1} ms; to next frame median {:.1} ms (max {:.1})",
                frame.len(), median(&mut script), median(&mut frame), frame_max
            );
            return;
        }
        // Search: time to load the index entry file and the query's chunks and draw the results.
        let started = Instant::now();
        let input = client.find(Locator::Id("filter-q")).await.unwrap();
        input.send_keys("people").await.unwrap();
        wait_until(&client, "document.querySelector('form[data-filters]').dataset.search === 'ready' && location.search.includes('q=people')").await;
        let search_ready = started.elapsed();
        eprintln!(
            "bench: {entries} entries, index.html {home_bytes} bytes, search/index.js {index_bytes} bytes\n\
             bench: page ready (filters set up) {:.0} ms after navigation\n\
             bench: {} clicks: script median {:.1} ms (max {:.1}); to next frame median {:.1} ms (max {:.1})\n\
             bench: search loaded and first query answered in {:.0} ms",
            ready.as_secs_f64() * 1000.0,
            frame.len(),
            median(&mut script),
            script_max,
            median(&mut frame),
            frame_max,
            search_ready.as_secs_f64() * 1000.0,
        );
    }));
}
