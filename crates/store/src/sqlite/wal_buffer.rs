//! A VFS shim that gathers the writer's write-ahead-log writes into one `pwrite` per commit.
//!
//! SQLite writes each log frame with two `pwrite`s (its 24-byte header, then the page), so a
//! commit of 22 pages made 44 system calls, each crossing page-cache pages unaligned: the
//! kernel's side of those writes was a quarter of the writer thread's CPU at 32 concurrent NIC
//! creates. This shim, registered as [`NAME`] over the default (`unix`) VFS, keeps a log
//! file's writes in memory while they are contiguous and hands them to the kernel in one call
//! before anything could observe the file: before every sync, read, size, truncation, file
//! control and close. Every other file (the database, its shared memory) is the default VFS's
//! own, untouched.
//!
//! Why this is safe: a frame is visible to other connections only once the committing
//! connection publishes it in the shared WAL index, which SQLite does after syncing the log
//! (`synchronous=FULL`, the only mode the writer opens this VFS in; see `open_conn`), and the
//! sync call writes the gathered frames first (also when the sync itself is deferred, below).
//! Frames of a transaction that has not committed may be lost in a crash either way. A failed
//! deferred write is reported by the call that flushed it (the commit's sync), which fails the
//! commit as a failed `pwrite` would have.
//!
//! It also lets the writer take a commit's sync off its own thread ([`defer_commit_syncs`]):
//! once asked, the log's *commit* syncs only flush and note that a sync is owed; the writer
//! then hands the owed sync ([`take_owed_sync`]) to another thread, which answers the batch's
//! jobs only after it. Every other sync of the log stays where SQLite makes it: the writer
//! opens this VFS with `checkpoint_fullfsync=ON`, so the syncs of a checkpoint and of a
//! restarted log's header carry `SQLITE_SYNC_FULL` and a commit's only `SQLITE_SYNC_NORMAL`.
//! Skipping just the commit's sync is SQLite's own `synchronous=NORMAL`, which keeps the
//! database consistent through a power cut (it may lose the last commits; here those are the
//! ones not yet answered).

use rusqlite::ffi;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::fs::File;
use std::os::unix::ffi::OsStrExt;
use std::sync::{Arc, OnceLock};

/// The VFS's registered name.
pub const NAME: &CStr = c"cerulean-wal-buffer";
/// Gathered bytes past which a write is handed on at once (a batch of 512 jobs fits).
const CAP: usize = 4 << 20;
/// Bytes per call to the default VFS: its `unixWrite` keeps only the low 17 bits of a length
/// (`nBuf &= 0x1ffff` in `seekAndWriteFd`), so one call must stay below 128 KiB.
const CHUNK: usize = 124 << 10;

/// The default VFS this one wraps (this one is registered beside it once per process).
struct Registered {
    inner: *mut ffi::sqlite3_vfs,
}
// SAFETY: both point to VFS objects SQLite keeps for the life of the process and only reads.
unsafe impl Send for Registered {}
unsafe impl Sync for Registered {}

static REGISTERED: OnceLock<Result<Registered, String>> = OnceLock::new();

/// Registers the VFS (once); connections opened with [`NAME`] use it.
pub fn register() -> Result<(), String> {
    REGISTERED
        .get_or_init(|| {
            // SAFETY: `sqlite3_vfs_find(NULL)` returns the default VFS or null; the copy made
            // of it is leaked, as SQLite requires a registered VFS to outlive its use.
            unsafe {
                let inner = ffi::sqlite3_vfs_find(std::ptr::null());
                if inner.is_null() {
                    return Err("SQLite has no default VFS".into());
                }
                let inner_size = usize::try_from((*inner).szOsFile).unwrap_or(0);
                let mut vfs = std::ptr::read(inner);
                vfs.zName = NAME.as_ptr();
                vfs.szOsFile = c_int::try_from(std::mem::size_of::<WalFile>() + inner_size)
                    .map_err(|e| e.to_string())?;
                vfs.xOpen = Some(open);
                let vfs = Box::into_raw(Box::new(vfs));
                let rc = ffi::sqlite3_vfs_register(vfs, 0);
                if rc != ffi::SQLITE_OK {
                    return Err(format!("sqlite3_vfs_register failed ({rc})"));
                }
                Ok(Registered { inner })
            }
        })
        .as_ref()
        .map(|_| ())
        .map_err(Clone::clone)
}

fn inner_vfs() -> *mut ffi::sqlite3_vfs {
    match REGISTERED.get() {
        Some(Ok(r)) => r.inner,
        _ => std::ptr::null_mut(),
    }
}

/// A log file: SQLite's handle, this VFS's state, then the wrapped VFS's own file object.
#[repr(C)]
struct WalFile {
    base: ffi::sqlite3_file,
    state: *mut State,
}

/// What this VFS keeps per log file.
struct State {
    pending: Pending,
    /// The log's path as SQLite opened it (valid until `xClose`, SQLite's guarantee).
    name: *const c_char,
    /// Set by [`defer_commit_syncs`]: a second descriptor of the log, for the thread that
    /// makes the commit syncs this file skips.
    deferred: Option<Arc<File>>,
    /// A commit's sync was skipped since the last sync made here or handed out.
    owed: bool,
    /// Syncs that reached the wrapped file. The first also syncs the directory of a log it
    /// created, so it is never skipped.
    real_syncs: u64,
}

/// Contiguous bytes not yet handed to the kernel, starting at `offset` in the file.
#[derive(Default)]
struct Pending {
    offset: i64,
    bytes: Vec<u8>,
}

impl Pending {
    /// Takes `data`, written at `offset`, if nothing is gathered or it lands within or right
    /// after what is: it copies over what is gathered (SQLite may rewrite a frame it wrote in
    /// the same transaction) and appends the rest, one copy and no zeroing first. False,
    /// taking nothing, when it lands elsewhere: the gathered bytes must go out first.
    fn gather(&mut self, offset: i64, data: &[u8]) -> bool {
        if self.bytes.is_empty() {
            self.offset = offset;
        }
        let end = self.offset + self.bytes.len() as i64;
        if offset < self.offset || offset > end {
            return false;
        }
        let at = (offset - self.offset) as usize;
        let over = (self.bytes.len() - at).min(data.len());
        self.bytes[at..at + over].copy_from_slice(&data[..over]);
        self.bytes.extend_from_slice(&data[over..]);
        true
    }
}

/// The wrapped file object that follows a [`WalFile`] in the memory SQLite gave it.
unsafe fn inner_file(f: *mut ffi::sqlite3_file) -> *mut ffi::sqlite3_file {
    // SAFETY (callers): `f` is a `WalFile` this VFS opened, sized by `szOsFile`.
    unsafe { (f as *mut u8).add(std::mem::size_of::<WalFile>()) as *mut ffi::sqlite3_file }
}

unsafe fn methods(f: *mut ffi::sqlite3_file) -> &'static ffi::sqlite3_io_methods {
    // SAFETY (callers): the wrapped file is open, so its methods are set.
    unsafe { &*(*inner_file(f)).pMethods }
}

unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let inner = inner_vfs();
    if inner.is_null() {
        return ffi::SQLITE_CANTOPEN;
    }
    // SAFETY: SQLite passes `file` with `szOsFile` bytes; the default VFS fills what it opens.
    unsafe {
        let Some(inner_open) = (*inner).xOpen else {
            return ffi::SQLITE_CANTOPEN;
        };
        if flags & ffi::SQLITE_OPEN_WAL == 0 {
            // Not a log: the default VFS's file, in place.
            return inner_open(inner, name, file, flags, out_flags);
        }
        // Until the log is open SQLite must see no methods (it would close what failed).
        (*file).pMethods = std::ptr::null();
        let wrapped = inner_file(file);
        (*wrapped).pMethods = std::ptr::null();
        let rc = inner_open(inner, name, wrapped, flags, out_flags);
        if rc != ffi::SQLITE_OK {
            // A VFS that set its methods wants its close called even after a failed open.
            if let Some(close) = (*wrapped).pMethods.as_ref().and_then(|m| m.xClose) {
                close(wrapped);
            }
            return rc;
        }
        let wal = file as *mut WalFile;
        (*wal).state = Box::into_raw(Box::new(State {
            pending: Pending::default(),
            name,
            deferred: None,
            owed: false,
            real_syncs: 0,
        }));
        (*wal).base.pMethods = &WAL_METHODS;
        ffi::SQLITE_OK
    }
}

/// Hands the gathered writes to the wrapped file; on failure they are dropped (SQLite fails
/// the transaction that wrote them).
unsafe fn flush(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY (callers): `f` is an open `WalFile`.
    unsafe { write_out(f, &mut (*(*(f as *mut WalFile)).state).pending) }
}

/// [`flush`] with the file's `Pending` already borrowed (by `write`, which goes on using it).
unsafe fn write_out(f: *mut ffi::sqlite3_file, pending: &mut Pending) -> c_int {
    // SAFETY (callers): `f` is an open `WalFile` and `pending` its own.
    unsafe {
        if pending.bytes.is_empty() {
            return ffi::SQLITE_OK;
        }
        let Some(write) = methods(f).xWrite else {
            return ffi::SQLITE_IOERR_WRITE;
        };
        let mut rc = ffi::SQLITE_OK;
        let mut offset = pending.offset;
        for chunk in pending.bytes.chunks(CHUNK) {
            // `CHUNK` fits a `c_int`.
            let len = chunk.len() as c_int;
            rc = write(inner_file(f), chunk.as_ptr() as *const c_void, len, offset);
            if rc != ffi::SQLITE_OK {
                break;
            }
            offset += chunk.len() as i64;
        }
        pending.bytes.clear();
        rc
    }
}

unsafe extern "C" fn write(
    f: *mut ffi::sqlite3_file,
    data: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    // SAFETY: SQLite passes `amount` readable bytes at `data`.
    unsafe {
        let Ok(amount) = usize::try_from(amount) else {
            return ffi::SQLITE_IOERR_WRITE;
        };
        let data = std::slice::from_raw_parts(data as *const u8, amount);
        let pending = &mut (*(*(f as *mut WalFile)).state).pending;
        if !pending.gather(offset, data) {
            // Not within or right after what is gathered (a rewritten header, a restart).
            let rc = write_out(f, pending);
            if rc != ffi::SQLITE_OK {
                return rc;
            }
            pending.gather(offset, data); // nothing is gathered now: always taken
        }
        if pending.bytes.len() >= CAP {
            return write_out(f, pending);
        }
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn close(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: `f` is an open `WalFile`; SQLite does not use it after this call.
    unsafe {
        let flushed = flush(f);
        let rc = methods(f)
            .xClose
            .map_or(ffi::SQLITE_OK, |c| c(inner_file(f)));
        drop(Box::from_raw((*(f as *mut WalFile)).state));
        (*f).pMethods = std::ptr::null();
        if flushed != ffi::SQLITE_OK {
            flushed
        } else {
            rc
        }
    }
}

/// The wrapped method after the gathered writes are flushed.
macro_rules! after_flush {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*)) => {
        unsafe extern "C" fn $name(f: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            // SAFETY: `f` is an open `WalFile`; the arguments are SQLite's, passed on.
            unsafe {
                let rc = flush(f);
                if rc != ffi::SQLITE_OK {
                    return rc;
                }
                match methods(f).$method {
                    Some(m) => m(inner_file(f) $(, $arg)*),
                    None => ffi::SQLITE_NOTFOUND,
                }
            }
        }
    };
}

/// The wrapped method, as is (nothing it does depends on the file's contents).
macro_rules! passed_on {
    ($name:ident, $method:ident, ($($arg:ident: $ty:ty),*), $ret:ty, $none:expr) => {
        unsafe extern "C" fn $name(f: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> $ret {
            // SAFETY: `f` is an open `WalFile`; the arguments are SQLite's, passed on.
            unsafe {
                match methods(f).$method {
                    Some(m) => m(inner_file(f) $(, $arg)*),
                    None => $none,
                }
            }
        }
    };
}

after_flush!(read, xRead, (buf: *mut c_void, amount: c_int, offset: i64));
after_flush!(truncate, xTruncate, (size: i64));

/// Flushes, then syncs, unless this is a commit's sync on a log whose commit syncs are
/// deferred: then it only notes the sync as owed.
unsafe extern "C" fn sync(f: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    // SAFETY: `f` is an open `WalFile`; the flags are SQLite's, passed on.
    unsafe {
        let rc = flush(f);
        if rc != ffi::SQLITE_OK {
            return rc;
        }
        let state = &mut *(*(f as *mut WalFile)).state;
        let commit_sync = flags & 0x0f == ffi::SQLITE_SYNC_NORMAL;
        if commit_sync && state.deferred.is_some() && state.real_syncs > 0 {
            state.owed = true;
            return ffi::SQLITE_OK;
        }
        let rc = match methods(f).xSync {
            Some(m) => m(inner_file(f), flags),
            None => ffi::SQLITE_NOTFOUND,
        };
        if rc == ffi::SQLITE_OK {
            // What a skipped sync owed is synced now.
            state.owed = false;
            state.real_syncs += 1;
        }
        rc
    }
}

/// Runs `f` on this VFS's state of `conn`'s open log, if the log is one this VFS opened.
///
/// # Safety
/// Only on the thread that uses `conn`, with no SQLite call of it running.
unsafe fn with_log_state<R>(
    conn: &rusqlite::Connection,
    f: impl FnOnce(&mut State) -> R,
) -> Option<R> {
    let mut file: *mut ffi::sqlite3_file = std::ptr::null_mut();
    // SAFETY: the handle is `conn`'s; `SQLITE_FCNTL_JOURNAL_POINTER` stores the connection's
    // log (or rollback journal) file object into `file` and calls no VFS method.
    unsafe {
        let rc = ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            ffi::SQLITE_FCNTL_JOURNAL_POINTER,
            &mut file as *mut *mut ffi::sqlite3_file as *mut c_void,
        );
        if rc != ffi::SQLITE_OK || file.is_null() || !std::ptr::eq((*file).pMethods, &WAL_METHODS) {
            return None;
        }
        Some(f(&mut *(*(file as *mut WalFile)).state))
    }
}

/// From now on, `conn`'s log skips its commit syncs, noting them as owed (see the module's
/// comment). After every commit the caller must make the sync [`take_owed_sync`] hands out
/// before it tells anyone the commit happened. False (nothing deferred) when the log is not
/// open or not this VFS's.
pub fn defer_commit_syncs(conn: &rusqlite::Connection) -> Result<bool, String> {
    let defer = |state: &mut State| {
        if state.name.is_null() {
            return Ok(false);
        }
        // SAFETY: SQLite keeps the name it opened the log with valid until the log is closed.
        let path = std::ffi::OsStr::from_bytes(unsafe { CStr::from_ptr(state.name) }.to_bytes());
        let file = File::options()
            .write(true)
            .open(path)
            .map_err(|e| format!("cannot open the log {}: {e}", path.to_string_lossy()))?;
        state.deferred = Some(Arc::new(file));
        Ok(true)
    };
    // SAFETY: called on the connection's own thread between statements.
    unsafe { with_log_state(conn, defer) }.unwrap_or(Ok(false))
}

/// The log to sync when one of `conn`'s commits skipped its sync since the last call (the
/// flag is cleared: the caller now owes that sync).
pub fn take_owed_sync(conn: &rusqlite::Connection) -> Option<Arc<File>> {
    let take = |state: &mut State| {
        std::mem::take(&mut state.owed)
            .then(|| state.deferred.clone())
            .flatten()
    };
    // SAFETY: called on the connection's own thread between statements.
    unsafe { with_log_state(conn, take) }.flatten()
}

/// Syncs of `conn`'s log that reached the file (0 when the log is not this VFS's).
#[cfg(test)]
pub fn real_syncs(conn: &rusqlite::Connection) -> u64 {
    // SAFETY: called on the connection's own thread between statements.
    unsafe { with_log_state(conn, |s| s.real_syncs) }.unwrap_or(0)
}
after_flush!(file_size, xFileSize, (size: *mut i64));
after_flush!(file_control, xFileControl, (op: c_int, arg: *mut c_void));
after_flush!(fetch, xFetch, (offset: i64, amount: c_int, out: *mut *mut c_void));
passed_on!(lock, xLock, (level: c_int), c_int, ffi::SQLITE_OK);
passed_on!(unlock, xUnlock, (level: c_int), c_int, ffi::SQLITE_OK);
passed_on!(reserved, xCheckReservedLock, (out: *mut c_int), c_int, ffi::SQLITE_OK);
passed_on!(sector_size, xSectorSize, (), c_int, 4096);
passed_on!(characteristics, xDeviceCharacteristics, (), c_int, 0);
passed_on!(unfetch, xUnfetch, (offset: i64, p: *mut c_void), c_int, ffi::SQLITE_OK);

static WAL_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 3,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(sync),
    xFileSize: Some(file_size),
    xLock: Some(lock),
    xUnlock: Some(unlock),
    xCheckReservedLock: Some(reserved),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(characteristics),
    // Shared memory is the database file's (SQLite asks only that file for it), never a log's.
    xShmMap: None,
    xShmLock: None,
    xShmBarrier: None,
    xShmUnmap: None,
    xFetch: Some(fetch),
    xUnfetch: Some(unfetch),
};

#[cfg(test)]
#[path = "wal_buffer_tests.rs"]
mod tests;
