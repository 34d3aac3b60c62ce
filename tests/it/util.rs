//! Shared helpers: fixture sites copied to temporary folders, running the binary,
//! reading the output as parsed HTML and CSV.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scraper::{Html, Selector};

/// The repository root, which is also the shipped site.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A site in a temporary folder.
pub struct TestSite {
    dir: tempfile::TempDir,
}

impl TestSite {
    /// Copies `tests/fixtures/<name>` into a fresh temporary folder.
    pub fn fixture(name: &str) -> TestSite {
        let site = TestSite::empty();
        copy_dir(&repo().join("tests/fixtures").join(name), site.root());
        site
    }

    /// Copies the shipped catalogue (catalogue.yaml and content/) only.
    pub fn shipped() -> TestSite {
        let site = TestSite::empty();
        std::fs::copy(
            repo().join("catalogue.yaml"),
            site.root().join("catalogue.yaml"),
        )
        .unwrap();
        copy_dir(&repo().join("content"), &site.root().join("content"));
        site
    }

    /// An empty temporary folder.
    pub fn empty() -> TestSite {
        TestSite {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    pub fn write(&self, relative: &str, text: &str) {
        let path = self.path(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).unwrap_or_else(|e| panic!("{relative}: {e}"))
    }

    /// Runs `casebook <args> --root <site>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut all: Vec<&str> = args.to_vec();
        let root = self.root().to_str().unwrap().to_string();
        all.extend(["--root", &root]);
        run(&all, self.root())
    }

    /// Builds into `public/` and expects success.
    pub fn build(&self) -> Run {
        let run = self.run(&["build"]);
        run.assert_code(0);
        run
    }

    /// Parses a built page.
    pub fn html(&self, relative: &str) -> Html {
        Html::parse_document(&self.read(relative))
    }

    /// Reads a built CSV as rows of cells (header included).
    pub fn csv(&self, relative: &str) -> Vec<Vec<String>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(self.path(relative))
            .unwrap();
        reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect()
    }
}

/// The result of running the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn assert_code(&self, code: i32) {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
    }
}

/// Runs the binary with `args` in `cwd`.
pub fn run(args: &[&str], cwd: &Path) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for item in walkdir::WalkDir::new(from) {
        let item = item.unwrap();
        let target = to.join(item.path().strip_prefix(from).unwrap());
        if item.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(item.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, keyed by relative path.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|i| i.file_type().is_file())
        .map(|i| {
            (
                i.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(i.path()).unwrap(),
            )
        })
        .collect()
}

pub fn select<'a>(html: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    html.select(&Selector::parse(css).unwrap()).collect()
}

pub fn text(element: &scraper::ElementRef) -> String {
    element
        .text()
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Checks that every internal link, stylesheet and image in every HTML file under
/// `out` points to a file that exists (and, for `#fragment`s, to an element with
/// that id). Returns the number of links checked.
pub fn check_links(out: &Path) -> usize {
    let mut checked = 0;
    let mut broken = Vec::new();
    let pages: Vec<PathBuf> = walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|i| i.path().extension().is_some_and(|e| e == "html"))
        .map(|i| i.path().to_path_buf())
        .collect();
    for page in &pages {
        if page.file_name().unwrap() == "404.html" {
            continue; // uses absolute paths from base_url; checked separately
        }
        let html = Html::parse_document(&std::fs::read_to_string(page).unwrap());
        for (css, attr) in [
            ("a[href]", "href"),
            ("link[href]", "href"),
            ("img[src]", "src"),
            ("script[src]", "src"),
        ] {
            for element in select(&html, css) {
                let target = element.value().attr(attr).unwrap();
                if target.contains(':') {
                    continue; // external: http(s), mailto
                }
                checked += 1;
                let (path_part, fragment) = match target.split_once('#') {
                    Some((p, f)) => (p, Some(f)),
                    None => (target, None),
                };
                let path_part = path_part.split('?').next().unwrap();
                let mut file = if path_part.is_empty() {
                    page.clone()
                } else {
                    normalise(&page.parent().unwrap().join(path_part))
                };
                if path_part.ends_with('/')
                    || path_part == "."
                    || path_part == "./"
                    || file.is_dir()
                {
                    file = file.join("index.html");
                }
                if !file.starts_with(out) || !file.is_file() {
                    broken.push(format!(
                        "{}: {target}",
                        page.strip_prefix(out).unwrap().display()
                    ));
                    continue;
                }
                if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                    let target_html =
                        Html::parse_document(&std::fs::read_to_string(&file).unwrap());
                    if select(&target_html, &format!("[id=\"{fragment}\"]")).is_empty() {
                        broken.push(format!(
                            "{}: {target} (no #{fragment})",
                            page.strip_prefix(out).unwrap().display()
                        ));
                    }
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    checked
}

fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Debian's Chromium, if installed. On CI (`CI` set) a missing browser fails the
/// test; elsewhere the test prints a notice and is skipped.
pub fn chromium() -> Option<PathBuf> {
    for candidate in ["/usr/bin/chromium", "/usr/bin/chromium-browser"] {
        if Path::new(candidate).is_file() {
            return Some(PathBuf::from(candidate));
        }
    }
    if std::env::var_os("CI").is_some() {
        panic!("chromium is not installed; .ci/run installs it with apt-get");
    }
    eprintln!("skipped: chromium is not installed");
    None
}

/// Loads a file in headless Chromium and returns the DOM after its scripts ran.
pub fn dump_dom(chromium: &Path, page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout).into_owned()
}
