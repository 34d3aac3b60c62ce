//! The few system calls behind the output's safety, and its test hooks: the
//! advisory lock (flock(2) on Unix), the atomic exchange of two folders
//! (renameat2(2) with `RENAME_EXCHANGE` on Linux; elsewhere none, and callers
//! fall back to renames), and the debug-build hooks that kill or pause a build
//! at a chosen point so tests can prove each step is safe to die at.

use std::io;
use std::path::Path;

/// Test hooks, read only in debug builds (the test binaries'): at the named
/// point the process kills itself as `kill -9` or a power cut would, so that
/// tests can show every step of a build is safe to die at.
pub(super) const KILL_AT: &str = "CASEBOOK_TEST_KILL_AT";
/// Test hook: after this many files are written, every writer stops for good.
pub(super) const PAUSE_AFTER_FILES: &str = "CASEBOOK_TEST_PAUSE_AFTER_FILES";
/// Test hook: swap by two renames, as on systems without an atomic exchange.
pub(super) const NO_EXCHANGE: &str = "CASEBOOK_TEST_NO_EXCHANGE";

/// The value of a test hook's variable; always `None` in release builds.
pub(super) fn test_hook(name: &str) -> Option<String> {
    if cfg!(debug_assertions) {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    } else {
        None
    }
}

/// Kills the process here if the hook names this point.
pub(super) fn fault_point(point: &str) {
    if test_hook(KILL_AT).is_some_and(|at| at == point) {
        #[cfg(unix)]
        // SAFETY: kill(2) on our own pid takes no pointers.
        unsafe {
            libc::kill(libc::getpid(), libc::SIGKILL);
        }
        std::process::abort();
    }
}

// flock(2) on Unix: std's File::lock would need Rust 1.89, above this crate's
// rust-version.
#[cfg(unix)]
fn flock(file: &std::fs::File, operation: libc::c_int) -> io::Result<bool> {
    use std::os::unix::io::AsRawFd;
    loop {
        // SAFETY: flock takes a file descriptor we own for the whole call.
        if unsafe { libc::flock(file.as_raw_fd(), operation) } == 0 {
            return Ok(true);
        }
        let error = io::Error::last_os_error();
        match error.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::EWOULDBLOCK) => return Ok(false),
            _ => return Err(error),
        }
    }
}

/// Takes `file`'s exclusive lock if it is free; `false` if another process holds it.
#[cfg(unix)]
pub(super) fn try_lock(file: &std::fs::File) -> io::Result<bool> {
    flock(file, libc::LOCK_EX | libc::LOCK_NB)
}

/// Waits for `file`'s exclusive lock.
#[cfg(unix)]
pub(super) fn lock(file: &std::fs::File) -> io::Result<()> {
    flock(file, libc::LOCK_EX).map(|_| ())
}

// Elsewhere std's lock (LockFileEx on Windows), which needs Rust 1.89 there.
#[cfg(not(unix))]
#[allow(clippy::incompatible_msrv)]
pub(super) fn try_lock(file: &std::fs::File) -> io::Result<bool> {
    match file.try_lock() {
        Ok(()) => Ok(true),
        Err(std::fs::TryLockError::WouldBlock) => Ok(false),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

#[cfg(not(unix))]
#[allow(clippy::incompatible_msrv)]
pub(super) fn lock(file: &std::fs::File) -> io::Result<()> {
    file.lock()
}

/// Exchanges two paths atomically (`renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
pub(super) fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // Through syscall(2) rather than the C library's wrapper, which C libraries
    // older than glibc 2.28 lack.
    // SAFETY: both pointers are NUL-terminated strings that outlive the call.
    let result = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Elsewhere there is no atomic exchange of two folders: fall back to renames.
#[cfg(not(target_os = "linux"))]
pub(super) fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Whether an exchange failed because the system or file system cannot do one.
pub(super) fn unsupported(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    if matches!(
        e.raw_os_error(),
        Some(libc::ENOSYS | libc::EINVAL | libc::EOPNOTSUPP)
    ) {
        return true;
    }
    e.kind() == io::ErrorKind::Unsupported
}
