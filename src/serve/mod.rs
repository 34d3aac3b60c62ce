//! `casebook serve`: build the site into memory, serve it, rebuild on change.
//!
//! The site is rendered into memory and published as one immutable map of
//! files ([`http::Published`]), swapped whole after each build, so nothing is
//! written to disk and a reader never sees a half-built site. The parts:
//! [`builder`] (full rebuilds, the same load and render as `casebook build`,
//! and the last good site), `partial.rs` (edited entries swapped in, only the
//! affected routes rendered), [`watch`] (which changes need which rebuild)
//! and [`http`] (serving, live reload and the error overlay). A failed build
//! keeps the last good files on show with an error overlay.

pub mod builder;
pub mod http;
mod partial;
pub mod watch;

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::diagnostic::Diagnostic;
use crate::load::LoadOptions;

pub use builder::{Builder, MemorySink, Outcome};
use http::{LiveEvent, Shared};
use watch::RebuildPlan;

/// Command-line options of `casebook serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Site root.
    pub root: PathBuf,
    /// Address to listen on (loopback by default).
    pub bind: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
}

/// Parses `--bind`: an IP address, or `localhost`.
pub fn parse_bind(text: &str) -> Result<IpAddr, String> {
    if text.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not an IP address (use 127.0.0.1, ::1 or 0.0.0.0)"))
}

/// The warning printed when the preview is reachable from other machines.
pub fn exposure_warning(ip: IpAddr) -> Option<String> {
    (!http::is_loopback(ip)).then(|| {
        format!(
            "warning: --bind {ip} makes the preview visible on the network: anyone who can reach this \
             machine can read the site, drafts included. Leave --bind out to keep it on this machine (127.0.0.1)."
        )
    })
}

/// The URL to open for a listening address (loopback when listening everywhere).
pub fn browse_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

fn print_problems(diagnostics: &[Diagnostic]) {
    let mut err = io::stderr().lock();
    for d in crate::diagnostic::condense(diagnostics) {
        let _ = write!(err, "{d}");
    }
}

/// Prints what a build did and tells the server and open pages.
fn publish(outcome: Outcome, shared: &Shared, builder: &Builder) {
    let had_errors = shared.current().errors.is_some();
    match outcome {
        Outcome::Unchanged => {}
        Outcome::Built {
            files,
            changed,
            css_only,
            warnings,
            summary,
            ..
        } => {
            print_problems(&warnings);
            println!("{summary}");
            let generation = shared.publish(Some(files), None);
            let event = if had_errors {
                LiveEvent::Reload {
                    generation,
                    paths: None,
                }
            } else if css_only {
                LiveEvent::Css { generation }
            } else {
                let paths = changed.filter(|p| !p.iter().any(|p| p == "/404.html"));
                LiveEvent::Reload {
                    generation,
                    paths: paths.map(Arc::new),
                }
            };
            shared.notify(event);
        }
        Outcome::Failed(errors) => {
            print_problems(&errors);
            let count = errors.iter().filter(|d| d.is_error()).count();
            let files = builder.files();
            eprintln!(
                "error: {count} problem{} found; {}",
                if count == 1 { "" } else { "s" },
                if files.is_some() {
                    "still serving the last good build"
                } else {
                    "serving an error page until they are fixed"
                }
            );
            let generation = shared.publish(files, Some(Arc::new(errors)));
            shared.notify(LiveEvent::Reload {
                generation,
                paths: None,
            });
        }
    }
    let _ = io::stdout().flush();
}

/// How long the rebuild loop sleeps between checks when it has nothing to do.
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// How long a graceful shutdown may wait for open connections.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

/// Runs `casebook serve` until Ctrl-C or SIGTERM. Errors are one line for the terminal.
pub fn run(options: &ServeOptions) -> Result<(), String> {
    if !options.root.is_dir() {
        return Err(format!(
            "{} is not a folder (try --root)",
            options.root.display()
        ));
    }
    let root = options
        .root
        .canonicalize()
        .map_err(|e| format!("{}: {e}", options.root.display()))?;
    if !root.join(crate::config::CONFIG_FILE).is_file() {
        return Err(format!(
            "{} not found in {}: is this a casebook site? (try --root)",
            crate::config::CONFIG_FILE,
            root.display()
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the server: {e}"))?;
    let addr = SocketAddr::new(options.bind, options.port);
    let listener = runtime.block_on(listen(addr))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some(warning) = exposure_warning(local.ip()) {
        eprintln!("{warning}");
    }

    let shared = Arc::new(Shared::new(http::is_loopback(local.ip())));
    // Served at the root of this address whatever base_url says, so links that use it still work.
    let mut builder = Builder::new(
        &root,
        LoadOptions {
            base_url: Some("/".into()),
            // So that a full rebuild gives `check`'s advice too.
            keep_front_matter: true,
        },
    );
    let first = builder.full("first build");
    publish(first, &shared, &builder);
    let mut watcher = watch::Watcher::new(&root)
        .map_err(|e| format!("cannot watch {} for changes: {e}", root.display()))?;
    println!("serving at {}", browse_url(local));
    println!("watching catalogue.yaml, content/, templates/ and static/; press Ctrl-C to stop");
    let _ = io::stdout().flush();

    let for_builder = shared.clone();
    std::thread::Builder::new()
        .name("casebook-rebuild".into())
        .spawn(move || loop {
            let wait = if builder.has_idle_work() {
                Duration::ZERO
            } else {
                IDLE_WAIT
            };
            let paths = match watcher.next_batch_within(wait) {
                Err(watch::Stopped) => break,
                Ok(None) => {
                    builder.idle_step();
                    continue;
                }
                Ok(Some(paths)) => paths,
            };
            let seen = paths.iter().map(|(p, is_dir)| (p.as_path(), *is_dir));
            let plan = watch::plan_paths(builder.layout(), seen);
            if plan != RebuildPlan::Nothing {
                let outcome = apply_guarded(&mut builder, &plan);
                publish(outcome, &for_builder, &builder);
            }
        })
        .map_err(|e| format!("cannot start the watcher: {e}"))?;

    runtime.block_on(async move {
        let app = http::router(shared.clone());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            http::serve(listener, app, async {
                let _ = stop_rx.await;
            })
            .await
        });
        wait_for_signal().await;
        shared.stop();
        let _ = stop_tx.send(());
        if tokio::time::timeout(SHUTDOWN_GRACE, server).await.is_err() {
            eprintln!("warning: some connections were still open when stopping");
        }
    });
    println!("stopped");
    Ok(())
}

/// Applies a plan; a bug that panics during a rebuild must not end the preview:
/// report it and rebuild everything from disk instead.
fn apply_guarded(builder: &mut Builder, plan: &RebuildPlan) -> Outcome {
    let attempt = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| builder.apply(plan)));
    attempt.unwrap_or_else(|_| {
        eprintln!(
            "error: internal error while rebuilding (a bug in casebook); rebuilding everything"
        );
        builder.broken = true;
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            builder.full("after an internal error")
        }))
        .unwrap_or_else(|_| {
            Outcome::Failed(vec![Diagnostic::error(
                ".",
                "internal error while rebuilding",
            )])
        })
    })
}

async fn listen(addr: SocketAddr) -> Result<tokio::net::TcpListener, String> {
    let socket = match addr {
        SocketAddr::V4(_) => tokio::net::TcpSocket::new_v4(),
        SocketAddr::V6(_) => tokio::net::TcpSocket::new_v6(),
    }
    .map_err(|e| format!("cannot open a socket: {e}"))?;
    let _ = socket.set_reuseaddr(true);
    let port = addr.port();
    socket.bind(addr).map_err(|e| match e.kind() {
        io::ErrorKind::AddrInUse => format!(
            "port {port} on {} is already in use (is another preview running?); choose another with --port, \
             or --port 0 for any free port",
            addr.ip()
        ),
        io::ErrorKind::PermissionDenied => {
            format!("not allowed to listen on port {port}; choose a port above 1023 with --port")
        }
        io::ErrorKind::AddrNotAvailable => {
            format!("{} is not an address of this machine; check --bind", addr.ip())
        }
        _ => format!("cannot listen on {addr}: {e}"),
    })?;
    // A deep backlog so bursts of connections (a page with many assets, a load test) wait instead of failing.
    socket
        .listen(1024)
        .map_err(|e| format!("cannot listen on {addr}: {e}"))
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests;
