//! Broken and hostile input: every bad file gets a clear, located error; nothing
//! escapes the output folder; no injected script reaches a page (checked in
//! Chromium by `browser/scripts.rs`).

use std::path::Path;

use crate::util::{select, snapshot, text, TestSite};

/// Every `tests/fixtures/bad/<name>.md` dropped into a good site gives the
/// diagnostic in `<name>.expect`: file, line and column where known, message.
#[test]
fn bad_input_corpus() {
    let corpus = crate::util::repo().join("tests/fixtures/bad");
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "only {} bad inputs", cases.len());
    let site = TestSite::fixture("basic");
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        let expect = std::fs::read_to_string(case.with_extension("expect")).unwrap();
        let expect = expect.trim_end();
        let target = site.path("content/practices").join(name);
        std::fs::copy(case, &target).unwrap();
        let run = site.run(&["check"]);
        std::fs::remove_file(&target).unwrap();
        let path = format!("content/practices/{name}:");
        let positioned = expect.starts_with(|c: char| c.is_ascii_digit());
        let found = run.stderr.lines().any(|line| {
            if positioned {
                line.starts_with(&format!("{path}{expect}"))
            } else {
                line.starts_with(&path) && line.contains(expect)
            }
        });
        if run.code != 1 || !found {
            failures.push(format!(
                "{name}: exit {}, expected {expect:?}\n{}",
                run.code, run.stderr
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn alias_bombs_and_deep_nesting_fail_fast() {
    // Bounded time: the whole check, bomb included, must finish; the YAML library
    // refuses the expansion instead of building it.
    let site = TestSite::fixture("basic");
    let bomb =
        std::fs::read(crate::util::repo().join("tests/fixtures/bad/09-alias-bomb.md")).unwrap();
    std::fs::write(site.path("content/practices/bomb.md"), bomb).unwrap();
    let run = site.run(&["check"]);
    run.assert_code(1);
    assert!(run.stderr.contains("repetition limit exceeded"));
}

#[test]
fn front_matter_values_are_escaped_everywhere() {
    let site = TestSite::fixture("basic");
    let config = site.read("catalogue.yaml").replace(
        "label: Denmark",
        "label: \"Den<script>window.pwned=1</script>mark\"",
    );
    site.write("catalogue.yaml", &config);
    site.write(
        "content/practices/x.md",
        "---\nid: P60\ntitle: '\"><script>window.pwned=1</script>'\ncountries: [DK]\nnote: '<img src=x onerror=\"window.pwned=1\">'\nhomepage: 'javascript:window.pwned=1'\n---\nBody\n",
    );
    site.build();
    for page in [
        "public/practices/p60/index.html",
        "public/countries/dk/index.html",
        "public/index.html",
    ] {
        let html = site.read(page);
        assert!(!html.contains("<script>window"), "{page}");
        assert!(!html.contains("<img src=x"), "{page}");
        assert!(!html.contains("href=\"javascript:"), "{page}");
    }
    let page = site.html("public/practices/p60/index.html");
    assert_eq!(
        text(&select(&page, "h1")[0]),
        "\"><script>window.pwned=1</script>"
    );
}

#[test]
fn raw_html_is_sanitised_unless_trusted() {
    let site = TestSite::fixture("basic");
    let body = "<script>window.pwned=1</script>\n\n<p onclick=\"window.pwned=1\">hi</p>\n\n<iframe src=\"https://example.org\"></iframe>\n\n<a href=\"javascript:window.pwned=1\">x</a> [y](javascript:alert(1))\n\n<em>kept</em>\n";
    site.write(
        "content/practices/raw.md",
        &format!("---\nid: P61\ntitle: Raw\n---\n{body}"),
    );
    site.build();
    let html = site.read("public/practices/p61/index.html");
    for bad in ["<script>window", "onclick", "<iframe", "javascript:"] {
        assert!(!html.contains(bad), "{bad} survived");
    }
    assert!(html.contains("<em>kept</em>"));
    // The site can say its authors are trusted.
    let config = site
        .read("catalogue.yaml")
        .replace("base_url: \"/\"", "base_url: \"/\"\nallow_raw_html: true");
    site.write("catalogue.yaml", &config);
    site.build();
    assert!(site
        .read("public/practices/p61/index.html")
        .contains("<iframe"));
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_site_and_loops_are_not_followed() {
    let site = TestSite::fixture("basic");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        "---\nid: P70\ntitle: Secret\n---\nsecret\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        site.path("content/practices/secret.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        site.path("content/practices/loop-b.md"),
        site.path("content/practices/loop-a.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        site.path("content/practices/loop-a.md"),
        site.path("content/practices/loop-b.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path("content/practices/outside-dir")).unwrap();
    // A link to a file inside the site is fine.
    std::os::unix::fs::symlink(
        site.path("content/literature/l1.md"),
        site.path("content/literature/alias.md"),
    )
    .unwrap();
    let run = site.run(&["build"]);
    // The in-site link duplicates L1's id: that is reported as an error, like any duplicate.
    run.assert_code(1);
    assert!(
        run.stderr.contains("content/literature/alias.md")
            || run.stderr.contains("content/literature/l1.md")
    );
    std::fs::remove_file(site.path("content/literature/alias.md")).unwrap();
    let run = site.run(&["build"]);
    run.assert_code(0);
    run.assert_stderr_has("content/practices/secret.md: warning: symbolic link to a file outside the site is not followed");
    run.assert_stderr_has("content/practices/loop-a.md: warning: broken symbolic link");
    assert!(!site.path("public/practices/p70").exists());
}

#[test]
fn fifty_megabyte_body_builds() {
    let site = TestSite::fixture("basic");
    let paragraph = "Integration across sectors needs shared goals, clear roles and a budget. "
        .repeat(14)
        + "\n\n";
    let mut text = String::from("---\nid: P80\ntitle: Huge\n---\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(&paragraph);
    }
    site.write("content/practices/huge.md", &text);
    site.build();
    let size = std::fs::metadata(site.path("public/practices/p80/index.html"))
        .unwrap()
        .len();
    assert!(size > 50 * 1024 * 1024);
}

#[cfg(unix)]
#[test]
fn a_killed_build_leaves_the_previous_output_intact() {
    let site = TestSite::fixture("basic");
    site.build();
    let before = snapshot(&site.path("public"));
    // Enough entries that the build is still running when it is killed.
    for i in 0..4000 {
        site.write(
            &format!("content/practices/g{i}.md"),
            &format!(
                "---\nid: G{i}\ntitle: Generated {i}\nsectors: [health]\n---\n{}\n",
                "Text. ".repeat(400)
            ),
        );
    }
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(["build", "--root", site.root().to_str().unwrap()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the staging folder appears (bounded), then kill the build.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let staging_exists = |root: &Path| {
        std::fs::read_dir(root).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_string_lossy()
                .contains("casebook-tmp")
        })
    };
    while !staging_exists(site.root()) && std::time::Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    if status.success() {
        // The build won the race; the test proves nothing this time, so say so loudly.
        eprintln!("note: build finished before it could be killed");
    } else {
        assert_eq!(
            snapshot(&site.path("public")),
            before,
            "previous output changed"
        );
    }
    // The next build cleans up the stale staging folder and succeeds.
    site.build();
    assert!(!staging_exists(site.root()));
    assert!(site.path("public/practices/g3999/index.html").is_file());
}

#[test]
#[ignore = "slow: 100,000 files; run with --ignored"]
fn one_hundred_thousand_files() {
    let site = TestSite::fixture("basic");
    for i in 0..100_000 {
        site.write(
            &format!("content/practices/h{i}.md"),
            &format!("---\nid: H{i}\ntitle: Entry {i}\nsectors: [health]\n---\nBody {i}.\n"),
        );
    }
    let run = site.build();
    assert!(
        run.stdout.starts_with("built 100005 entries"),
        "{}",
        run.stdout
    );
}
