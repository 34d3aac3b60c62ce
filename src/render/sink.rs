//! Where rendered files go: the [`Sink`] trait (the disk for `build`, memory
//! for `serve`, nothing for `check`) and a wrapper that times another sink.

use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Where the output of one file goes.
pub trait Sink: Sync {
    /// Stores `bytes` at `path` (relative, `/`-separated).
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()>;
    /// Stores a copy of the file at `from` at `path`.
    fn copy(&self, path: &str, from: &Path) -> io::Result<()> {
        let mut bytes = Vec::new();
        io::Read::read_to_end(&mut crate::paths::open_regular(from)?, &mut bytes)?;
        self.put(path, bytes)
    }
    /// Stores the concatenation of `parts` at `path`. Large files come in parts
    /// made as they are asked for, so a sink that writes each part out as it
    /// comes never holds the whole file; by default they are joined and [`put`](Sink::put).
    fn put_parts(&self, path: &str, parts: &mut dyn Iterator<Item = Vec<u8>>) -> io::Result<()> {
        let parts: Vec<Vec<u8>> = parts.collect();
        self.put(path, parts.concat())
    }
}

/// A sink that measures the time spent in another sink.
pub(super) struct TimedSink<'a> {
    pub(super) inner: &'a dyn Sink,
    pub(super) nanos: AtomicU64,
}

impl TimedSink<'_> {
    fn add(&self, time: Duration) {
        let nanos = u64::try_from(time.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    fn timed<T>(&self, f: impl FnOnce() -> T) -> T {
        let started = Instant::now();
        let result = f();
        self.add(started.elapsed());
        result
    }
}

impl Sink for TimedSink<'_> {
    fn put(&self, path: &str, bytes: Vec<u8>) -> io::Result<()> {
        self.timed(|| self.inner.put(path, bytes))
    }
    fn copy(&self, path: &str, from: &Path) -> io::Result<()> {
        self.timed(|| self.inner.copy(path, from))
    }
    fn put_parts(&self, path: &str, parts: &mut dyn Iterator<Item = Vec<u8>>) -> io::Result<()> {
        // Making the parts is the job's work, not writing: leave it out.
        let mut making = Duration::ZERO;
        let started = Instant::now();
        let result = self.inner.put_parts(
            path,
            &mut std::iter::from_fn(|| {
                let asked = Instant::now();
                let part = parts.next();
                making += asked.elapsed();
                part
            }),
        );
        self.add(started.elapsed().saturating_sub(making));
        result
    }
}

/// A sink that keeps nothing: `check` renders every page to find template
/// errors and writes nothing.
pub struct Discard;

impl Sink for Discard {
    fn put(&self, _: &str, _: Vec<u8>) -> io::Result<()> {
        Ok(())
    }
    fn copy(&self, _: &str, _: &Path) -> io::Result<()> {
        Ok(())
    }
    fn put_parts(&self, _: &str, _: &mut dyn Iterator<Item = Vec<u8>>) -> io::Result<()> {
        Ok(()) // parts hold nothing that could fail, so they need not be made
    }
}
