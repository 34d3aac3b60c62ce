//! Serving connections: HTTP/1.1 through hyper with a header-read timeout
//! that also bounds how long a connection may idle between requests, so
//! half-open or silent connections are closed instead of piling up.
//! (`axum::serve` sets no timer, so it has neither timeout.)

use std::time::Duration;

use axum::Router;

/// A connection must send a request's headers within this time, and may sit
/// idle between requests for no longer (hyper's header-read timer runs from
/// the moment the connection waits for a request, the first or the next).
/// Responses already under way, the live-reload stream included, are not cut.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// Test hook, read in debug builds only: a shorter [`HEADER_TIMEOUT`] in milliseconds.
const HEADER_TIMEOUT_HOOK: &str = "CASEBOOK_TEST_HEADER_TIMEOUT_MS";

fn header_timeout() -> Duration {
    let hook = cfg!(debug_assertions)
        .then(|| std::env::var(HEADER_TIMEOUT_HOOK).ok())
        .flatten()
        .and_then(|ms| ms.parse().ok());
    hook.map_or(HEADER_TIMEOUT, Duration::from_millis)
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open
/// connections finish their responses (the caller bounds how long). Each
/// connection is HTTP/1.1 with the [`HEADER_TIMEOUT`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let timeout = header_timeout();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
    let mut shutdown = std::pin::pin!(shutdown);
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let stream = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file handles, most likely: give open connections a
                // moment to close (or time out) instead of spinning.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut stop = stop_rx.clone();
        connections.spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(timeout);
            let connection =
                builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
        while connections.try_join_next().is_some() {}
    }
    drop(listener);
    let _ = stop_tx.send(());
    while connections.join_next().await.is_some() {}
}
