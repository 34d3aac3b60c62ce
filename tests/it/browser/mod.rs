//! Browser tests: the built shipped catalogue in headless Debian Chromium,
//! driven over WebDriver (chromedriver) with fantoccini.
//!
//! Each WebDriver test starts `chromedriver` on a free loopback port (killed
//! on drop), serves the built site from the static HTTP server in `util.rs` on
//! 127.0.0.1:0 and opens a fresh Chromium profile; `scripts.rs` runs Chromium
//! alone (`--dump-dom`). Tests run one at a time: a browser is heavy on a
//! small machine. Expected lists and counts come from
//! `catalogue.json` through `filter_model.rs`.
//!
//! Every test here is `#[ignore]`d, so plain `cargo test` leaves them out; run
//! them with `cargo test --test it -- --ignored browser`. Run, they need
//! `chromium` and `chromedriver` (`apt-get install chromium chromium-driver`,
//! or the `CHROMIUM` and `CHROMEDRIVER` variables naming them) and, for the
//! accessibility test, axe-core from `npm ci --prefix tests/browser`; a test
//! whose tools are missing fails with a message saying which, it never skips.
//! Screenshots go to `target/screenshots/`.

mod access;
mod big;
mod filters;
mod live_css;
mod pictures;
mod scripts;
mod search;
mod valid;

use std::future::Future;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use crate::filter_model::{Filter, Model};
use crate::util::{repo, StaticServer, TestSite};

// ---------------------------------------------------------------------------
// Tools: Chromium, ChromeDriver, axe-core

/// `$env` if set (it must name a file), else the first of `names` on `PATH`
/// or in `/usr/bin`; the error says where it looked.
fn find_program(env: &str, names: &[&str]) -> Result<PathBuf, String> {
    if let Some(path) = std::env::var_os(env) {
        let path = PathBuf::from(path);
        return if path.is_file() {
            Ok(path)
        } else {
            Err(format!("${env} is {}, not a file", path.display()))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path).chain([PathBuf::from("/usr/bin")]) {
        for name in names {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(format!(
        "no {} on PATH or in /usr/bin, and ${env} is not set",
        names.join(" or ")
    ))
}

/// Fails the running test: a browser test whose tools are missing never passes.
fn missing(what: &str, looked: &str, install: &str) -> ! {
    let test = std::thread::current()
        .name()
        .unwrap_or("a browser test")
        .to_string();
    panic!(
        "{test}: {what} not found ({looked}); {install}. \
         Browser tests fail, never skip, when a tool they need is missing."
    );
}

/// Chromium and ChromeDriver.
pub(crate) struct Tools {
    chromium: PathBuf,
    chromedriver: PathBuf,
}

/// Debian's Chromium (or `$CHROMIUM`); fails the test when it is missing.
fn chromium() -> PathBuf {
    find_program("CHROMIUM", &["chromium", "chromium-browser"])
        .unwrap_or_else(|looked| missing("chromium", &looked, "apt-get install chromium"))
}

/// Chromium and ChromeDriver (or `$CHROMIUM`, `$CHROMEDRIVER`); fails the
/// test when either is missing.
pub(crate) fn tools() -> Tools {
    let chromium = chromium();
    let chromedriver = find_program("CHROMEDRIVER", &["chromedriver"]).unwrap_or_else(|looked| {
        missing("chromedriver", &looked, "apt-get install chromium-driver")
    });
    Tools {
        chromium,
        chromedriver,
    }
}

/// axe-core's browser build, from `npm ci --prefix tests/browser`; fails the
/// test when it is missing.
fn axe_source() -> String {
    let path = repo().join("tests/browser/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(&path).unwrap_or_else(|error| {
        missing(
            "axe-core",
            &format!("{}: {error}", path.display()),
            "run `npm ci --prefix tests/browser`",
        )
    })
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
// The shipped site, built once per test binary and served on loopback

/// The shipped catalogue built once per test binary (`public/` of the shared
/// shipped copy).
fn shipped_site() -> &'static Path {
    static SITE: OnceLock<PathBuf> = OnceLock::new();
    SITE.get_or_init(|| TestSite::shipped_built().0.path("public"))
}

/// Runs `body` in a fresh headless Chromium on the shipped site served on
/// loopback, with what the filters should show (from its `catalogue.json`)
/// and the site's base URL. Fails the test first if a tool is missing, then
/// waits for its turn on the machine.
fn in_browser<F, Fut>(body: F)
where
    F: FnOnce(Client, Model, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    on_shipped_site(true, body);
}

/// [`in_browser`] with JavaScript off.
fn in_browser_without_scripts<F, Fut>(body: F)
where
    F: FnOnce(Client, Model, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    on_shipped_site(false, body);
}

fn on_shipped_site<F, Fut>(scripts: bool, body: F)
where
    F: FnOnce(Client, Model, String) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let tools = tools();
    let _turn = one_at_a_time();
    let site = shipped_site();
    let model = Model::from_json(&std::fs::read_to_string(site.join("catalogue.json")).unwrap());
    let server = StaticServer::start(site);
    let base = server.url("/");
    block_on(with_browser_scripts(&tools, scripts, move |client| {
        body(client, model, base)
    }));
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
pub(crate) fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// Runs a test's async part on its own runtime (the lock stays outside it).
pub(crate) fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

/// Runs `body` with a fresh headless Chromium, closing the session whatever happens.
pub(crate) async fn with_browser<F, Fut>(tools: &Tools, body: F)
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

/// Loads a file in headless Chromium (no driver) and returns the DOM after
/// its scripts ran.
fn dump_dom(chromium: &Path, page: &Path) -> String {
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

// ---------------------------------------------------------------------------
// Page helpers

pub(crate) async fn js(client: &Client, script: &str) -> Value {
    client
        .execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
}

/// Polls `condition` (a JS expression) until it is true, up to a deadline.
pub(crate) async fn wait_until(client: &Client, condition: &str) {
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

pub(crate) async fn open_home(client: &Client, url: &str) {
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

/// Clicks the element `locator` finds, failing the test if there is none.
pub(crate) async fn click(client: &Client, locator: Locator<'_>) {
    client
        .find(locator)
        .await
        .unwrap_or_else(|e| panic!("no {locator:?}: {e}"))
        .click()
        .await
        .unwrap();
}

/// Sends `keys` to the element that has the focus.
async fn press(client: &Client, keys: &str) {
    client
        .active_element()
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

async fn click_value(client: &Client, facet: &str, value: &str) {
    click(
        client,
        Locator::Css(&format!(
            "form[data-filters] input[name=\"{facet}\"][value=\"{value}\"]"
        )),
    )
    .await;
}

/// Entries per page of the shipped catalogue's lists (`paginate_by` left at
/// its default): the home page lists at most this many matches at first.
pub(crate) const SHIPPED_PER_PAGE: usize = 50;

/// The status line for `n` matches of which the first `listed` are shown.
pub(crate) fn status_text(n: usize, listed: usize) -> String {
    let entries = if n == 1 { "entry" } else { "entries" };
    if listed < n {
        format!("{n} {entries} match, the first {listed} shown")
    } else {
        format!("{n} {entries} shown")
    }
}

/// Waits until the list is drawn (no chunk of result lines on its way).
pub(crate) async fn wait_drawn(client: &Client) {
    wait_until(
        client,
        "window.casebookBrowse && window.casebookBrowse.pending === false && document.documentElement.dataset.browse === 'ready'",
    )
    .await;
}

/// Checks the list (its first page), every count, every checkbox's state
/// and the status against the model for `filter`.
async fn assert_view(client: &Client, model: &Model, filter: &Filter, context: &str) {
    assert_view_paged(client, model, filter, SHIPPED_PER_PAGE, context).await;
}

/// [`assert_view`] for a site listing `per_page` entries a page.
pub(crate) async fn assert_view_paged(
    client: &Client,
    model: &Model,
    filter: &Filter,
    per_page: usize,
    context: &str,
) {
    wait_drawn(client).await;
    let expected = model.matching(filter);
    let n = expected.len();
    let listed = n.min(per_page);
    assert_eq!(
        shown(client).await,
        expected[..listed],
        "{context}: entries shown"
    );
    assert_eq!(
        status(client).await,
        status_text(n, listed),
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
