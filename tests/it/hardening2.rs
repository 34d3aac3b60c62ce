//! Hardening, round two (issue 11, items 2, 4, 5, 7, 8, 9 and 13): one reading
//! policy for symbolic links and special files, templates that fail instead
//! of crashing, linear work on huge facets and bodies, static files at page
//! paths, over-long paths, YAML that must not lose data, and reserved facet
//! names. Each class is tested with inputs of its own.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{Run, TestSite, BIN};

/// Runs `casebook <args> --root <site>`, killing it after `limit`: a hang is
/// a test failure, not a stuck test run.
fn run_with_timeout(site: &TestSite, args: &[&str], limit: Duration) -> Run {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--root")
        .arg(site.root())
        .current_dir(site.root())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            panic!(
                "casebook {args:?} did not finish within {limit:?}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const LIMIT: Duration = Duration::from_secs(60);

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

// ---- 2: symbolic links and special files -------------------------------

#[cfg(unix)]
#[test]
fn top_level_folders_linked_out_of_the_site_are_refused() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(outside.path().join("practices")).unwrap();
    std::fs::write(outside.path().join("leak.txt"), "secret").unwrap();
    std::fs::write(
        outside.path().join("practices/p9.md"),
        "---\nid: P9\ntitle: Outside\n---\nx\n",
    )
    .unwrap();
    for (link, target, named) in [
        ("static", Path::new("/etc"), "static"),
        ("static", Path::new("/proc/self"), "static"),
        ("templates", outside.path(), "templates"),
        ("content", outside.path(), "content"),
        (
            "content/practices",
            &outside.path().join("practices"),
            "content/practices",
        ),
    ] {
        let site = TestSite::fixture("basic");
        let path = site.path(link);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        }
        std::os::unix::fs::symlink(target, &path).unwrap();
        for command in ["check", "build"] {
            let run = run_with_timeout(&site, &[command], LIMIT);
            run.assert_code(1);
            run.assert_stderr_has(&format!(
                "{named}: symbolic link to a folder outside the site is not followed"
            ));
        }
        assert!(
            !site.path("public").exists(),
            "{link} -> {target:?} was built"
        );
    }
}

#[cfg(unix)]
#[test]
fn files_linked_out_of_the_site_and_special_files_are_never_read() {
    let site = TestSite::fixture("basic");
    std::os::unix::fs::symlink("/etc/passwd", site.path("content/practices/passwd.md")).unwrap();
    mkfifo(&site.path("content/practices/fifo.md"));
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::fs::create_dir_all(site.path("templates")).unwrap();
    mkfifo(&site.path("static/pipe.css"));
    mkfifo(&site.path("templates/pipe.html"));
    std::os::unix::fs::symlink("/etc/hostname", site.path("static/host.txt")).unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", site.path("static/env.txt")).unwrap();
    // A link to a file inside the site is read.
    std::fs::write(site.path("own.css"), "body{}").unwrap();
    std::os::unix::fs::symlink(site.path("own.css"), site.path("static/own.css")).unwrap();
    let run = run_with_timeout(&site, &["build"], LIMIT);
    run.assert_code(0);
    run.assert_stderr_has("content/practices/passwd.md: warning: symbolic link to a file outside the site is not followed");
    for special in [
        "content/practices/fifo.md",
        "static/pipe.css",
        "templates/pipe.html",
    ] {
        run.assert_stderr_has(&format!("{special}: warning: not a regular file"));
    }
    run.assert_stderr_has("static/host.txt: warning: symbolic link to a file outside");
    run.assert_stderr_has("static/env.txt: warning: symbolic link to a file outside");
    for absent in ["public/host.txt", "public/env.txt", "public/pipe.css"] {
        assert!(!site.path(absent).exists(), "{absent}");
    }
    assert_eq!(site.read("public/own.css"), "body{}");
    let run = run_with_timeout(&site, &["check"], LIMIT);
    run.assert_code(0);
    run.assert_stderr_has("content/practices/fifo.md: warning: not a regular file");
}

#[cfg(unix)]
#[test]
fn catalogue_yaml_linked_out_of_the_site_is_refused() {
    let site = TestSite::fixture("basic");
    let outside = tempfile::tempdir().unwrap();
    let copy = outside.path().join("catalogue.yaml");
    std::fs::rename(site.path("catalogue.yaml"), &copy).unwrap();
    std::os::unix::fs::symlink(&copy, site.path("catalogue.yaml")).unwrap();
    let run = run_with_timeout(&site, &["check"], LIMIT);
    run.assert_code(1);
    run.assert_stderr_has("catalogue.yaml: cannot read: symbolic link to a file outside the site");
}

// ---- 4: templates that would crash casebook ----------------------------

#[test]
fn templates_that_would_crash_are_errors_naming_the_template() {
    for (file, text, expect) in [
        (
            "templates/macros.html",
            "{% macro tree(n) %}<ul>{{ self::tree(n=n) }}</ul>{% endmacro tree %}\n",
            "templates/macros.html:1:4: template error: macro `tree` calls itself (macros.html::tree → macros.html::tree)",
        ),
        (
            "templates/item.html",
            "{% include \"nav.html\" %}",
            "template error: template includes itself (",
        ),
        (
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block content %}{% for i in range(end=400000000) %}{{ i }}{% endfor %}{% endblock content %}\n",
            "templates/page.html: cannot render about/: Failed to render 'page.html': Function call 'range' failed: Function `range` would make 400000000 numbers",
        ),
        (
            "templates/page.html",
            "{% extends \"base.html\" %}\n{% block content %}{{ get_env(name=\"HOME\") }}{% endblock content %}\n",
            "get_env() is turned off in casebook",
        ),
    ] {
        let site = TestSite::fixture("basic");
        site.write(file, text);
        if file.ends_with("item.html") {
            site.write("templates/nav.html", "{% include \"item.html\" %}");
        }
        let run = run_with_timeout(&site, &["build"], LIMIT);
        assert_eq!(run.code, 1, "{file}: {}", run.stderr);
        run.assert_stderr_has(expect);
        assert!(!run.stderr.contains("overflow"), "{}", run.stderr);
    }
}
