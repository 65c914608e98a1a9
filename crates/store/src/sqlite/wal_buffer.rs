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
//! sync writes the gathered frames first. Frames of a transaction that has not committed may be
//! lost in a crash either way. A failed deferred write is reported by the call that flushed it
//! (the commit's sync), which fails the commit as a failed `pwrite` would have.

use rusqlite::ffi;
use std::ffi::{c_int, c_void, CStr};
use std::sync::OnceLock;

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

/// A log file: SQLite's handle, the gathered writes, then the wrapped VFS's own file object.
#[repr(C)]
struct WalFile {
    base: ffi::sqlite3_file,
    pending: *mut Pending,
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
        (*wal).pending = Box::into_raw(Box::default());
        (*wal).base.pMethods = &WAL_METHODS;
        ffi::SQLITE_OK
    }
}

/// Hands the gathered writes to the wrapped file; on failure they are dropped (SQLite fails
/// the transaction that wrote them).
unsafe fn flush(f: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY (callers): `f` is an open `WalFile`.
    unsafe { write_out(f, &mut *(*(f as *mut WalFile)).pending) }
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
        let pending = &mut *(*(f as *mut WalFile)).pending;
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
        drop(Box::from_raw((*(f as *mut WalFile)).pending));
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
after_flush!(sync, xSync, (flags: c_int));
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
