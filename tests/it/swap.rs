//! The output under concurrent and killed builds: several builds into one
//! output end with one complete site; `public/` never goes missing during a
//! swap; a build killed at any step leaves the old or the new site, and the next
//! build cleans up. Kills use the debug-build hook `CASEBOOK_TEST_KILL_AT`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::util::{snapshot, TestSite};

const BIN: &str = env!("CARGO_BIN_EXE_casebook");

/// A fixture site with enough entries that a build takes a moment.
fn busy_site(entries: usize) -> TestSite {
    let site = TestSite::fixture("basic");
    for i in 0..entries {
        site.write(
            &format!("content/practices/g{i}.md"),
            &format!("---\nid: G{i}\ntitle: Generated {i}\nsectors: [health]\n---\nText.\n"),
        );
    }
    site
}

/// `casebook build --root site --output out`, with extra environment.
fn build(site: &TestSite, out: &Path, env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command
        .args(["build", "--root"])
        .arg(site.root())
        .arg("--output")
        .arg(out)
        .envs(env.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    command
}

/// Names next to the output that are a build's leftovers (the lock file is not one).
fn leftovers(out: &Path) -> Vec<String> {
    let prefix = format!(".{}.casebook-", out.file_name().unwrap().to_string_lossy());
    let mut names: Vec<String> = std::fs::read_dir(out.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(&prefix))
        .collect();
    names.sort();
    names
}

/// Watches `out/index.html` from another thread until stopped; counts the
/// times it was missing.
struct Watch {
    stop: Arc<AtomicBool>,
    missing: Arc<AtomicUsize>,
    looks: Arc<AtomicUsize>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watch {
    fn start(out: &Path) -> Watch {
        let (stop, missing, looks) = Default::default();
        let (s, m, l): (Arc<AtomicBool>, Arc<AtomicUsize>, Arc<AtomicUsize>) =
            (Arc::clone(&stop), Arc::clone(&missing), Arc::clone(&looks));
        let page = out.join("index.html");
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                if !page.is_file() {
                    m.fetch_add(1, Ordering::SeqCst);
                }
                l.fetch_add(1, Ordering::SeqCst);
                std::thread::yield_now();
            }
        });
        Watch {
            stop,
            missing,
            looks,
            thread: Some(thread),
        }
    }

    /// Stops watching: (times missing, times looked).
    fn finish(mut self) -> (usize, usize) {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.take().unwrap().join().unwrap();
        (
            self.missing.load(Ordering::SeqCst),
            self.looks.load(Ordering::SeqCst),
        )
    }
}

#[test]
fn concurrent_builds_into_one_output_end_with_one_complete_site() {
    let site = busy_site(120);
    let work = tempfile::tempdir().unwrap();
    let reference = work.path().join("reference");
    assert!(build(&site, &reference, &[]).status().unwrap().success());
    let expected = snapshot(&reference);
    let out = work.path().join("out");
    let mut waited = 0;
    for round in 0..5 {
        let children: Vec<_> = (0..3)
            .map(|_| {
                build(&site, &out, &[])
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let result = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&result.stderr);
            assert!(result.status.success(), "round {round}: {stderr}");
            if stderr.contains("waiting for another build of") {
                waited += 1;
            }
        }
        assert!(
            snapshot(&out) == expected,
            "round {round}: the output is not the complete site"
        );
        assert_eq!(leftovers(&out), Vec::<String>::new(), "round {round}");
    }
    eprintln!("{waited} of 15 builds waited for another");
    // A next build accepts the output as casebook's own.
    let next = build(&site, &out, &[])
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(
        next.status.success(),
        "{}",
        String::from_utf8_lossy(&next.stderr)
    );
    assert!(snapshot(&out) == expected);
}

#[cfg(unix)]
#[test]
fn a_second_build_waits_for_the_lock_and_says_so() {
    let site = TestSite::fixture("basic");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("public");
    let lock = std::fs::File::create(work.path().join(".public.casebook.lock")).unwrap();
    // SAFETY: flock on a descriptor this test owns.
    let locked = unsafe {
        libc::flock(
            std::os::unix::io::AsRawFd::as_raw_fd(&lock),
            libc::LOCK_EX | libc::LOCK_NB,
        )
    };
    assert_eq!(locked, 0);
    let mut child = build(&site, &out, &[])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let line = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("no waiting message");
    assert!(line.starts_with("waiting for another build of "), "{line}");
    assert!(line.contains("/public"), "{line}");
    // It is still waiting, and has written nothing.
    std::thread::sleep(Duration::from_millis(300));
    assert!(child.try_wait().unwrap().is_none());
    assert!(!out.exists());
    drop(lock);
    assert!(child.wait().unwrap().success());
    assert!(out.join("index.html").is_file());
}

/// Builds `site` into `out` with the kill hook at `point` (and `extra`
/// environment), while watching `out`; returns the times `out` was missing.
fn killed_at(site: &TestSite, out: &Path, point: &str, extra: &[(&str, &str)]) -> usize {
    let watch = Watch::start(out);
    let mut env = vec![("CASEBOOK_TEST_KILL_AT", point)];
    env.extend_from_slice(extra);
    let status = build(site, out, &env).status().unwrap();
    let (missing, looks) = watch.finish();
    assert!(looks > 0);
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            status.signal(),
            Some(9),
            "not killed at {point}: {status:?}"
        );
    }
    #[cfg(not(unix))]
    assert!(!status.success(), "not killed at {point}");
    missing
}

/// The old site, the site the next build makes, and the output folder.
struct Versions {
    site: TestSite,
    _work: tempfile::TempDir,
    out: PathBuf,
    old: BTreeMap<PathBuf, Vec<u8>>,
    new: BTreeMap<PathBuf, Vec<u8>>,
}

fn versions() -> Versions {
    let site = busy_site(50);
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("public");
    assert!(build(&site, &out, &[]).status().unwrap().success());
    let old = snapshot(&out);
    site.write(
        "content/practices/extra.md",
        "---\nid: X1\ntitle: Extra\n---\nNew.\n",
    );
    let newer = work.path().join("newer");
    assert!(build(&site, &newer, &[]).status().unwrap().success());
    let new = snapshot(&newer);
    std::fs::remove_dir_all(&newer).unwrap();
    assert!(old != new);
    Versions {
        site,
        _work: work,
        out,
        old,
        new,
    }
}

#[test]
fn a_build_killed_at_any_step_of_the_swap_never_leaves_the_output_missing() {
    for (point, after) in [
        ("after-staging", "old"),
        ("after-exchange", "new"),
        ("during-cleanup", "new"),
    ] {
        let v = versions();
        let missing = killed_at(&v.site, &v.out, point, &[]);
        assert_eq!(
            missing, 0,
            "{point}: the output was missing {missing} times"
        );
        let now = snapshot(&v.out);
        let expected = if after == "old" { &v.old } else { &v.new };
        assert!(
            &now == expected,
            "{point}: the output is not the {after} site"
        );
        assert!(
            !leftovers(&v.out).is_empty(),
            "{point}: nothing to recover from"
        );
        // The next build cleans up and writes the whole new site, the output
        // present throughout.
        let watch = Watch::start(&v.out);
        assert!(build(&v.site, &v.out, &[]).status().unwrap().success());
        let (missing, _) = watch.finish();
        assert_eq!(missing, 0, "{point}: missing during the next build");
        assert!(snapshot(&v.out) == v.new, "{point}: next build");
        assert_eq!(leftovers(&v.out), Vec::<String>::new(), "{point}");
    }
}

#[test]
fn without_an_atomic_exchange_a_kill_between_the_renames_is_repaired() {
    // The fallback for systems without renameat2: two renames. A kill between
    // them leaves no output; the next build first puts the old one back.
    let v = versions();
    let fallback = [("CASEBOOK_TEST_NO_EXCHANGE", "1")];
    let missing = killed_at(&v.site, &v.out, "between-renames", &fallback);
    assert!(!v.out.exists());
    // The control for the other test: the watch does see an output go missing.
    assert!(missing > 0);
    // The next build, killed once it has recovered and made its staging folder,
    // shows the old site was restored, not deleted.
    killed_at(&v.site, &v.out, "after-staging", &fallback);
    assert!(snapshot(&v.out) == v.old, "the old output was not restored");
    let started = Instant::now();
    assert!(build(&v.site, &v.out, &fallback)
        .status()
        .unwrap()
        .success());
    assert!(started.elapsed() < Duration::from_secs(60));
    assert!(snapshot(&v.out) == v.new);
    assert_eq!(leftovers(&v.out), Vec::<String>::new());
}
