//! Browser tests: the built shipped catalogue in headless Debian Chromium,
//! driven over WebDriver (chromedriver) with fantoccini.
//!
//! Each test starts `chromedriver` on a free loopback port (killed on drop),
//! serves the built site from a small static HTTP server on 127.0.0.1:0 (a
//! bounded accept loop, stopped on drop) and opens a fresh Chromium profile.
//! Tests run one at a time: a browser is heavy on a small machine. Expected
//! lists and counts come from `catalogue.json` through `it/filter_model.rs`.
//!
//! Without `chromium`/`chromedriver` the tests print a notice and pass, unless
//! `CI` is set, where they fail. The accessibility test needs axe-core from
//! `npm ci --prefix tests/browser` on the same terms. Screenshots go to
//! `target/screenshots/`. The 18,000-entry filtering benchmark is `#[ignore]`d:
//! `cargo test --test browser bench -- --ignored --nocapture`.

#[path = "it/filter_model.rs"]
mod filter_model;

use std::collections::BTreeSet;
use std::future::Future;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use fantoccini::key::Key;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use filter_model::{Filter, Model, KIND};

// ---------------------------------------------------------------------------
// Tools: Chromium, ChromeDriver, axe-core

fn find_program(env: &str, names: &[&str]) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(env) {
        let path = PathBuf::from(path);
        return path.is_file().then_some(path);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// Chromium and ChromeDriver, or `None` after a skip notice (a failure under CI).
fn tools(test: &str) -> Option<Tools> {
    let chromium = find_program("CHROMIUM", &["chromium", "chromium-browser"]);
    let chromedriver = find_program("CHROMEDRIVER", &["chromedriver"]);
    match (chromium, chromedriver) {
        (Some(chromium), Some(chromedriver)) => Some(Tools {
            chromium,
            chromedriver,
        }),
        _ => {
            missing(
                test,
                "chromium and chromedriver (apt-get install chromium chromium-driver)",
            );
            None
        }
    }
}

fn missing(test: &str, what: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("{test}: {what} not found, and CI is set: browser tests must run in CI");
    }
    // Straight to stderr, past the test harness's capture, so the skip is seen.
    let _ = writeln!(
        std::io::stderr(),
        "skipping browser test {test}: {what} not found"
    );
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// axe-core's browser build, from `npm ci --prefix tests/browser`.
fn axe_source(test: &str) -> Option<String> {
    let path = repo().join("tests/browser/node_modules/axe-core/axe.min.js");
    match std::fs::read_to_string(&path) {
        Ok(source) => Some(source),
        Err(_) => {
            missing(test, "axe-core (npm ci --prefix tests/browser)");
            None
        }
    }
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .expect("target/tmp has a parent")
        .join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---------------------------------------------------------------------------
// The site, built once per test binary

/// Builds the site at `root` into `out` with the real binary.
fn build_site(root: &Path, out: &Path) {
    let output = Command::new(env!("CARGO_BIN_EXE_casebook"))
        .arg("build")
        .arg("--root")
        .arg(root)
        .arg("--output")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The shipped catalogue, built into `target/tmp/browser-site/`.
fn shipped_site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| {
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser-site");
        build_site(&repo(), &out);
        out
    })
}

fn model(site: &Path) -> Model {
    Model::from_json(&std::fs::read_to_string(site.join("catalogue.json")).unwrap())
}

// ---------------------------------------------------------------------------
// A static file server on 127.0.0.1:0

/// Serves `root` over HTTP/1.1, one request per connection. The accept loop
/// is bounded and ends when the server is dropped.
struct StaticServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

const MAX_CONNECTIONS: usize = 100_000;

impl StaticServer {
    fn start(root: &Path) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let flag = stop.clone();
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(stream) = stream {
                    let root = root.clone();
                    std::thread::spawn(move || serve(stream, &root));
                }
            }
        });
        StaticServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr); // wakes the accept loop
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, root: &Path) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Read (and ignore) the headers, with a bound.
    let mut header = String::new();
    for _ in 0..100 {
        header.clear();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("/"));
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let decoded = percent_decode(path);
    let mut file = root.to_path_buf();
    let mut safe = true;
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == ".." || segment.contains('\\') {
            safe = false;
        }
        file.push(segment);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let (status, body, kind) = match std::fs::read(&file) {
        Ok(bytes) if safe => ("200 OK", bytes, content_type(&file)),
        _ => (
            "404 Not Found",
            std::fs::read(root.join("404.html")).unwrap_or_default(),
            "text/html; charset=utf-8",
        ),
    };
    let mut out = stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = out.write_all(&body);
    }
    let _ = out.flush();
    // Drain anything unread so closing does not reset the connection early.
    let _ = out.set_read_timeout(Some(Duration::from_millis(50)));
    let _ = reader.read(&mut [0; 64]);
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&path[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("csv") => "text/csv; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("txt") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

// ---------------------------------------------------------------------------
// ChromeDriver and a browser session

/// A `chromedriver` child process on a free loopback port, killed on drop.
struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(tools: &Tools) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&tools.chromedriver)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Driver { child, port };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "chromedriver did not start listening on port {port}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Browser tests share one machine: run them one at a time.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs a test's async part on its own runtime (the lock stays outside it).
fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Runs `body` with a fresh headless Chromium, closing the session whatever happens.
async fn with_browser<F, Fut>(tools: &Tools, body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    with_browser_scripts(tools, true, body).await;
}

/// [`with_browser`], with JavaScript on or off.
async fn with_browser_scripts<F, Fut>(tools: &Tools, scripts: bool, body: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = Driver::start(tools);
    let profile = tempfile::tempdir().unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": tools.chromium,
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,1024",
                format!("--user-data-dir={}", profile.path().display()),
            ],
            "prefs": { "profile.managed_default_content_settings.javascript": if scripts { 1 } else { 2 } },
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{}", driver.port))
        .await
        .expect("start a Chromium session");
    let outcome = tokio::spawn(body(client.clone())).await;
    let _ = client.close().await;
    drop(driver);
    if let Err(error) = outcome {
        match error.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(error) => panic!("browser test did not finish: {error}"),
        }
    }
}

// ---------------------------------------------------------------------------
// Page helpers

async fn js(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Polls `condition` (a JS expression) until it is true, up to a deadline.
async fn wait_until(client: &Client, condition: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if js(client, &format!("return !!({condition});")).await == json!(true) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {condition}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

async fn open_home(client: &Client, url: &str) {
    client.goto(url).await.unwrap();
    wait_until(
        client,
        "document.documentElement.getAttribute('data-browse') === 'ready'",
    )
    .await;
}

/// Ids of the entries shown in the list, in order.
async fn shown(client: &Client) -> Vec<String> {
    let ids = js(
        client,
        "return Array.from(document.querySelectorAll('li[data-entry]')).filter(li => !li.hidden && li.offsetParent !== null).map(li => li.dataset.entry);",
    )
    .await;
    serde_json::from_value(ids).unwrap()
}

/// Every checkbox as (facet, value, count shown, checked, disabled).
async fn controls(client: &Client) -> Vec<(String, String, usize, bool, bool)> {
    let list = js(
        client,
        "return Array.from(document.querySelectorAll('form[data-filters] input[type=checkbox]:not([name=exact])')).map(i => [i.name, i.value, Number(i.labels[0].querySelector('[data-count]').textContent), i.checked, i.disabled]);",
    )
    .await;
    serde_json::from_value(list).unwrap()
}

async fn status(client: &Client) -> String {
    js(
        client,
        "return document.querySelector('[data-status]').textContent;",
    )
    .await
    .as_str()
    .unwrap()
    .to_string()
}

async fn query(client: &Client) -> String {
    client
        .current_url()
        .await
        .unwrap()
        .query()
        .map(|q| format!("?{q}"))
        .unwrap_or_default()
}

async fn click_value(client: &Client, facet: &str, value: &str) {
    client
        .find(Locator::Css(&format!(
            "form[data-filters] input[name=\"{facet}\"][value=\"{value}\"]"
        )))
        .await
        .unwrap_or_else(|e| panic!("no checkbox {facet}={value}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Checks the list, every count, every checkbox's state and the status
/// against the model for `filter`.
async fn assert_view(client: &Client, model: &Model, filter: &Filter, context: &str) {
    let expected = model.matching(filter);
    assert_eq!(shown(client).await, expected, "{context}: entries shown");
    let n = expected.len();
    assert_eq!(
        status(client).await,
        format!("{n} {} shown", if n == 1 { "entry" } else { "entries" }),
        "{context}: status"
    );
    for (facet, value, count, checked, disabled) in controls(client).await {
        let want = model.count(filter, &facet, &value);
        assert_eq!(count, want, "{context}: count of {facet}={value}");
        let ticked = filter
            .facets
            .get(&facet)
            .is_some_and(|ids| ids.iter().any(|i| i.eq_ignore_ascii_case(&value)));
        assert_eq!(checked, ticked, "{context}: {facet}={value} ticked");
        assert_eq!(
            disabled,
            want == 0 && !ticked,
            "{context}: {facet}={value} disabled"
        );
    }
}

async fn screenshot(client: &Client, name: &str) {
    let png = client.screenshot().await.unwrap();
    std::fs::write(screenshots().join(name), png).unwrap();
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn filters_denmark_commitment_employment() {
    let Some(tools) = tools("filters_denmark_commitment_employment") else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let model = model(site);
    let server = StaticServer::start(site);
    let home = server.url("/");
    block_on(with_browser(&tools, move |client| async move {
        open_home(&client, &home).await;
        let mut filter = Filter::default();
        assert_view(&client, &model, &filter, "nothing ticked").await;
        for (facet, value) in [
            ("countries", "DK"),
            ("clusters", "commitment"),
            ("sectors", "employment"),
        ] {
            click_value(&client, facet, value).await;
            filter = filter.with(facet, &[value]);
            assert_view(&client, &model, &filter, &format!("after ticking {value}")).await;
        }
        let denmark = model.matching(&Filter::default().with("countries", &["DK"]));
        let result = model.matching(&filter);
        assert!(
            !result.is_empty() && result.len() < denmark.len(),
            "{result:?}"
        );
        assert_eq!(
            query(&client).await,
            "?sectors=employment&clusters=commitment&countries=DK"
        );
        js(&client, "window.scrollTo(0, 0); return true;").await;
        screenshot(&client, "home-filtered.png").await;

        // OR within a facet: add Sweden; then the kind filter.
        click_value(&client, "countries", "SE").await;
        filter = filter.with("countries", &["SE"]);
        assert_view(&client, &model, &filter, "Denmark or Sweden").await;
        click_value(&client, KIND, "literature").await;
        filter = filter.with(KIND, &["literature"]);
        assert_view(&client, &model, &filter, "articles only").await;

        // A parent takes in its parts: United Kingdom shows the English entries.
        client.goto(&format!("{home}?countries=GB")).await.unwrap();
        wait_until(
            &client,
            "document.documentElement.dataset.browse === 'ready'",
        )
        .await;
        let uk = Filter::default().with("countries", &["GB"]);
        assert_view(&client, &model, &uk, "United Kingdom").await;
        let england = model.matching(&Filter::default().with("countries", &["GB-ENG"]));
        let shown_now: BTreeSet<String> = shown(&client).await.into_iter().collect();
        assert!(!england.is_empty() && england.iter().all(|e| shown_now.contains(e)));

        // Clearing (from the link above the list) shows everything again.
        let clear_above = client
            .find(Locator::Css("[data-when-filtered] [data-clear]"))
            .await
            .unwrap();
        assert!(clear_above.is_displayed().await.unwrap());
        clear_above.click().await.unwrap();
        assert_view(&client, &model, &Filter::default(), "cleared from above").await;
        assert!(!clear_above.is_displayed().await.unwrap());
        click_value(&client, "countries", "SE").await;
        client
            .find(Locator::Css("form[data-filters] [data-clear]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_view(&client, &model, &Filter::default(), "cleared").await;
        assert_eq!(query(&client).await, "");
    }));
}

#[test]
fn search_narrows_the_list_and_combines_with_filters() {
    let Some(tools) = tools("search_narrows_the_list_and_combines_with_filters") else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let model = model(site);
    let index: Value =
        serde_json::from_str(&std::fs::read_to_string(site.join("search-index.json")).unwrap())
            .unwrap();
    // Entries with a word starting with `term` in title, text or fields.
    let containing = move |term: &str| -> Vec<String> {
        index["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| {
                ["title", "text", "fields"].iter().any(|k| {
                    e[*k]
                        .as_str()
                        .unwrap_or("")
                        .to_lowercase()
                        .split(|c: char| !c.is_alphanumeric())
                        .any(|w| w.starts_with(term))
                })
            })
            .map(|e| e["id"].as_str().unwrap().to_string())
            .collect()
    };
    let server = StaticServer::start(site);
    let home = server.url("/");
    block_on(with_browser(&tools, move |client| async move {
        open_home(&client, &home).await;
        let input = client.find(Locator::Id("filter-q")).await.unwrap();
        input.send_keys("telephone").await.unwrap();
        wait_until(&client, "location.search === '?q=telephone'").await;
        let expected = containing("telephone");
        assert!(expected.contains(&"P12".to_string()), "{expected:?}");
        wait_until(
            &client,
            &format!("window.casebookBrowse.shown === {}", expected.len()),
        )
        .await;
        assert_eq!(shown(&client).await, expected);

        // Search and a filter together: AND.
        input.clear().await.unwrap();
        input.send_keys("people").await.unwrap();
        wait_until(&client, "location.search === '?q=people'").await;
        let people = containing("people");
        assert!(people.len() > 1, "{people:?}");
        wait_until(
            &client,
            &format!("window.casebookBrowse.shown === {}", people.len()),
        )
        .await;
        assert_eq!(shown(&client).await, people);
        click_value(&client, "countries", "DK").await;
        let denmark = model.matching(&Filter::default().with("countries", &["DK"]));
        let both: Vec<String> = people
            .iter()
            .filter(|id| denmark.contains(id))
            .cloned()
            .collect();
        assert_eq!(shown(&client).await, both);
        assert_eq!(query(&client).await, "?countries=DK&q=people");

        // A search finding nothing says so.
        input.clear().await.unwrap();
        input.send_keys("zzqqxx").await.unwrap();
        wait_until(&client, "window.casebookBrowse.shown === 0").await;
        wait_until(&client, "!document.querySelector('[data-empty]').hidden").await;
    }));
}

#[test]
fn opened_from_disk_filters_work_and_search_falls_back_to_titles() {
    let Some(tools) = tools("opened_from_disk_filters_work_and_search_falls_back_to_titles") else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let model = model(site);
    let home = format!("file://{}/index.html", site.display());
    block_on(with_browser(&tools, move |client| async move {
        open_home(&client, &home).await;
        click_value(&client, "countries", "DK").await;
        let dk = Filter::default().with("countries", &["DK"]);
        assert_view(&client, &model, &dk, "from disk").await;
        click_value(&client, "countries", "DK").await;
        let input = client.find(Locator::Id("filter-q")).await.unwrap();
        input.send_keys("recovery").await.unwrap();
        wait_until(
            &client,
            "document.querySelector('form[data-filters]').dataset.search === 'titles'",
        )
        .await;
        let titled: Vec<String> = model
            .entries
            .iter()
            .filter(|e| e.title.to_lowercase().contains("recovery"))
            .map(|e| e.id.clone())
            .collect();
        assert!(!titled.is_empty());
        wait_until(
            &client,
            &format!("window.casebookBrowse.shown === {}", titled.len()),
        )
        .await;
        assert_eq!(shown(&client).await, titled);
        let note = js(
            &client,
            "const n = document.querySelector('[data-search-note]'); return n.hidden ? '' : n.textContent;",
        )
        .await;
        assert!(
            note.as_str().unwrap().contains("Only titles are searched"),
            "{note}"
        );
    }));
}

#[test]
fn without_javascript_the_home_page_lists_everything_and_links_facet_pages() {
    let Some(tools) =
        tools("without_javascript_the_home_page_lists_everything_and_links_facet_pages")
    else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let model = model(site);
    let server = StaticServer::start(site);
    let home = server.url("/?countries=DK");
    block_on(with_browser_scripts(
        &tools,
        false,
        move |client| async move {
            client.goto(&home).await.unwrap();
            let panel = client.find(Locator::Css(".finder-filters")).await.unwrap();
            assert!(
                !panel.is_displayed().await.unwrap(),
                "filters shown without scripts"
            );
            let browse = client.find(Locator::Css(".browse")).await.unwrap();
            assert!(browse.is_displayed().await.unwrap());
            // Every entry is listed (the query string does nothing without scripts).
            let listed = client
                .find_all(Locator::Css("li[data-entry]"))
                .await
                .unwrap();
            assert_eq!(listed.len(), model.entries.len());
            assert!(listed[listed.len() - 1].is_displayed().await.unwrap());
            // The facet value pages are a click away, and they work.
            client
                .find(Locator::Css(".browse a[href=\"./countries/dk/\"]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
            let dk = model.matching(&Filter::default().with("countries", &["DK"]));
            let on_page = client
                .find_all(Locator::Css("main li[data-entry]"))
                .await
                .unwrap();
            assert_eq!(on_page.len(), dk.len());
        },
    ));
}

#[test]
fn shared_links_open_the_filtered_view() {
    let Some(tools) = tools("shared_links_open_the_filtered_view") else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let model = model(site);
    let server = StaticServer::start(site);
    let home = server.url("/");
    block_on(with_browser(&tools, move |client| async move {
        for query in [
            "?sectors=employment&clusters=commitment&countries=DK",
            "?countries=dk,se&kind=practice",
            "?sectors=health,education&exact=sectors",
            "?sectors=health+education",
            "?sectors=health&exact=sectors&kind=literature",
            "?sectors=health&sectors=education",
        ] {
            open_home(&client, &format!("{home}{query}")).await;
            let filter = Filter::parse(query);
            assert_view(&client, &model, &filter, query).await;
            let exact_ticked = js(
                &client,
                "return document.querySelector('input[name=exact][value=sectors]').checked;",
            )
            .await;
            assert_eq!(
                exact_ticked,
                json!(filter.exact.contains("sectors")),
                "{query}"
            );
        }
        // "Health and education, exactly" is the review's Table 2 row.
        open_home(&client, &format!("{home}?sectors=health+education")).await;
        let exact = model.matching(&Filter::parse("sectors=health,education&exact=sectors"));
        let any = model.matching(&Filter::parse("sectors=health&sectors=education"));
        assert!(exact.len() < any.len());
        assert_eq!(shown(&client).await, exact);
    }));
}

#[test]
fn back_and_forward_restore_each_view() {
    let Some(tools) = tools("back_and_forward_restore_each_view") else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let model = model(site);
    let server = StaticServer::start(site);
    let home = server.url("/");
    block_on(with_browser(&tools, move |client| async move {
        open_home(&client, &home).await;
        let none = Filter::default();
        let dk = none.clone().with("countries", &["DK"]);
        let dk_health = dk.clone().with("sectors", &["health"]);
        click_value(&client, "countries", "DK").await;
        click_value(&client, "sectors", "health").await;
        assert_view(&client, &model, &dk_health, "ticked").await;

        client.back().await.unwrap();
        wait_until(&client, "location.search === '?countries=DK'").await;
        assert_view(&client, &model, &dk, "back once").await;
        client.back().await.unwrap();
        wait_until(&client, "location.search === ''").await;
        assert_view(&client, &model, &none, "back twice").await;
        client.forward().await.unwrap();
        wait_until(&client, "location.search === '?countries=DK'").await;
        assert_view(&client, &model, &dk, "forward").await;
        client.forward().await.unwrap();
        wait_until(
            &client,
            "location.search === '?sectors=health&countries=DK'",
        )
        .await;
        assert_view(&client, &model, &dk_health, "forward again").await;
    }));
}

#[test]
fn keyboard_reaches_every_control_with_a_visible_focus_ring() {
    let Some(tools) = tools("keyboard_reaches_every_control_with_a_visible_focus_ring") else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let model = model(site);
    let server = StaticServer::start(site);
    let home = server.url("/");
    block_on(with_browser(&tools, move |client| async move {
        open_home(&client, &home).await;
        let tab = char::from(Key::Tab).to_string();
        // The first Tab reaches the skip link, which is shown when focused.
        client
            .active_element()
            .await
            .unwrap()
            .send_keys(&tab)
            .await
            .unwrap();
        assert_eq!(
            js(&client, "return document.activeElement.className;").await,
            json!("skip-link")
        );
        // From the search box, Tab visits every enabled checkbox in order, then the button.
        let expected: Vec<String> = serde_json::from_value(
            js(
                &client,
                "return Array.from(document.querySelectorAll('form[data-filters] input:not([type=search]), form[data-filters] button')).filter(e => !e.disabled).map(e => e.id || e.textContent.trim());",
            )
            .await,
        )
        .unwrap();
        assert!(expected.len() > 40, "{expected:?}");
        client
            .find(Locator::Id("filter-q"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let focus_ring = "(() => { const e = document.activeElement, s = getComputedStyle(e); \
            const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2; \
            const shadow = s.boxShadow !== 'none'; \
            return [e.id || e.textContent.trim(), e.matches(':focus-visible'), outline || shadow]; })()";
        let first: (String, bool, bool) =
            serde_json::from_value(js(&client, &format!("return {focus_ring};")).await).unwrap();
        assert_eq!(
            first,
            ("filter-q".to_string(), true, true),
            "search box focus"
        );
        for want in &expected {
            client
                .active_element()
                .await
                .unwrap()
                .send_keys(&tab)
                .await
                .unwrap();
            let (id, visible, ring): (String, bool, bool) =
                serde_json::from_value(js(&client, &format!("return {focus_ring};")).await)
                    .unwrap();
            assert_eq!(&id, want, "tab order");
            assert!(visible && ring, "{id}: no visible focus indicator");
        }
        // Space ticks a checkbox from the keyboard.
        client
            .find(Locator::Css("input[name=countries][value=DK]"))
            .await
            .unwrap()
            .send_keys(" ")
            .await
            .unwrap();
        let dk = Filter::default().with("countries", &["DK"]);
        assert_view(&client, &model, &dk, "ticked with Space").await;
    }));
}

#[test]
fn summary_counts_open_the_filtered_home_view() {
    let Some(tools) = tools("summary_counts_open_the_filtered_home_view") else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let model = model(site);
    let server = StaticServer::start(site);
    let base = server.url("/");
    block_on(with_browser(&tools, move |client| async move {
        for summary in ["sector-combinations", "clusters", "clusters-by-country"] {
            client
                .goto(&format!("{base}summary/{summary}/"))
                .await
                .unwrap();
            wait_until(
                &client,
                "document.readyState === 'complete' && Array.from(document.querySelectorAll('a[data-filter]')).every(a => a.getAttribute('href') === a.getAttribute('data-filter'))",
            )
            .await;
            if summary == "sector-combinations" {
                screenshot(&client, "summary.png").await;
            }
            let links: Vec<(String, String)> = serde_json::from_value(
                js(
                    &client,
                    "return Array.from(document.querySelectorAll('table.summary a[data-filter]')).map(a => [a.href, a.textContent.trim()]);",
                )
                .await,
            )
            .unwrap();
            assert!(!links.is_empty());
            // Follow the first link by clicking it, the rest by address.
            let first = client
                .find(Locator::Css("table.summary a[data-filter]"))
                .await
                .unwrap();
            first.click().await.unwrap();
            for (i, (href, count)) in links.iter().enumerate().take(30) {
                if i > 0 {
                    client.goto(href).await.unwrap();
                }
                wait_until(
                    &client,
                    "document.documentElement.getAttribute('data-browse') === 'ready'",
                )
                .await;
                let url = client.current_url().await.unwrap();
                assert_eq!(url.path(), "/", "{href}");
                let filter = Filter::parse(url.query().unwrap_or(""));
                let shown_now = shown(&client).await;
                assert_eq!(shown_now.len().to_string(), *count, "{summary}: {href}");
                assert_eq!(shown_now, model.matching(&filter), "{summary}: {href}");
            }
        }
    }));
}

#[test]
fn pages_fit_a_320_pixel_screen() {
    let Some(tools) = tools("pages_fit_a_320_pixel_screen") else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let server = StaticServer::start(site);
    let base = server.url("/");
    block_on(with_browser(&tools, move |client| async move {
        client.set_window_size(320, 800).await.unwrap();
        let width = js(&client, "return window.innerWidth;").await;
        for page in [
            "",
            "?countries=DK",
            "practices/p12/",
            "countries/dk/",
            "summary/sector-combinations/",
            "summary/clusters-by-country/",
        ] {
            client.goto(&format!("{base}{page}")).await.unwrap();
            wait_until(&client, "document.readyState === 'complete'").await;
            // Wide tables scroll inside their own box; the page itself never does.
            let overflow = js(
                &client,
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            )
            .await;
            assert_eq!(overflow, json!(0), "{page} is wider than {width} px");
        }
        client.goto(&format!("{base}?countries=DK")).await.unwrap();
        screenshot(&client, "home-320px.png").await;
    }));
}

#[test]
fn axe_finds_no_wcag_violations() {
    let Some(tools) = tools("axe_finds_no_wcag_violations") else {
        return;
    };
    let Some(axe) = axe_source("axe_finds_no_wcag_violations") else {
        return;
    };
    let _turn = one_at_a_time();
    let site = shipped_site();
    let server = StaticServer::start(site);
    let base = server.url("/");
    block_on(with_browser(&tools, move |client| async move {
        let mut report = Vec::new();
        for (page, width) in [
            ("", 1280),
            ("?countries=DK&clusters=commitment&sectors=employment", 1280),
            ("practices/p12/", 1280),
            ("countries/dk/", 1280),
            ("sectors/health+education/", 1280),
            ("summary/sector-combinations/", 1280),
            ("summary/clusters-by-country/", 1280),
            ("", 320),
        ] {
            client.set_window_size(width, 1024).await.unwrap();
            client.goto(&format!("{base}{page}")).await.unwrap();
            wait_until(&client, "document.readyState === 'complete'").await;
            if page.is_empty() || page.starts_with('?') {
                wait_until(
                    &client,
                    "document.documentElement.dataset.browse === 'ready'",
                )
                .await;
            }
            client.execute(&axe, vec![]).await.unwrap();
            let violations = client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] } })
                        .then(r => done({ passes: r.passes.length, violations: r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ': ' + n.failureSummary) })) }))
                        .catch(e => done({ passes: 0, violations: [{ id: 'axe-error', help: String(e), nodes: [] }] }));",
                    vec![],
                )
                .await
                .unwrap();
            let passes = violations["passes"].as_u64().unwrap_or(0);
            let violations = violations["violations"].as_array().unwrap();
            eprintln!(
                "axe-core: /{page} at {width} px: {passes} rules passed, {} violations",
                violations.len()
            );
            assert!(passes > 10, "axe-core did not run on /{page}");
            for v in violations {
                report.push(format!("/{page} ({width} px): {v:#}"));
            }
        }
        assert!(
            report.is_empty(),
            "axe-core violations:\n{}",
            report.join("\n")
        );
    }));
}

// ---------------------------------------------------------------------------
// Benchmark: filtering 18,000 entries

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
    let mut state: u64 = 1;
    let mut next = move |n: usize| -> usize {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) % n as u64) as usize
    };
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
        std::fs::write(
            out.join("content")
                .join(dir)
                .join(format!("{}.md", id.to_lowercase())),
            text,
        )
        .unwrap();
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
#[ignore = "benchmark: cargo test --test browser bench -- --ignored --nocapture"]
fn bench_filtering_18000_entries() {
    let Some(tools) = tools("bench_filtering_18000_entries") else {
        return;
    };
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
        build_site(&source, &out);
        eprintln!("built {entries} entries in {:?}", started.elapsed());
    }
    let home_bytes = std::fs::metadata(out.join("index.html")).unwrap().len();
    let index_bytes = std::fs::metadata(out.join("search-index.json"))
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
            client
                .find(Locator::Css(&selector))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
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
        // Search: time to load the index and run a first query.
        let started = Instant::now();
        let input = client.find(Locator::Id("filter-q")).await.unwrap();
        input.send_keys("people").await.unwrap();
        wait_until(&client, "document.querySelector('form[data-filters]').dataset.search === 'ready' && location.search.includes('q=people')").await;
        let search_ready = started.elapsed();
        eprintln!(
            "bench: {entries} entries, index.html {home_bytes} bytes, search-index.json {index_bytes} bytes\n\
             bench: page ready (filters set up) {:.0} ms after navigation\n\
             bench: {} clicks: script median {:.1} ms (max {:.1}); to next frame median {:.1} ms (max {:.1})\n\
             bench: search index loaded and first query answered in {:.0} ms",
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
