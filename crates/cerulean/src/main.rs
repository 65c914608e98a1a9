//! `cerulean`: the command line. `cerulean serve` runs the control plane; `cerulean
//! az-profile DIR` writes a ready az CLI configuration for it; `cerulean check` checks a
//! store's invariants.

mod az_profile;
mod bare;
mod check;
mod cli;
mod conn;
mod instance;
mod serve;
mod tls;

use clap::Parser;

#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// jemalloc's options, read once at its start (`_RJEM_MALLOC_CONF` in the environment still
/// overrides them). A thread's cache is garbage-collected every `tcache_gc_incr_bytes` it
/// allocates, 64 KiB by default: with `max_headers(1000)`, as `serve.rs` once set, hyper
/// allocated two 32 KiB header arrays per HTTP/1 request, so the collection ran on every
/// request, 8.6k instructions of a NIC create's 241k. Every MiB: 2.8k (docs/performance.md);
/// it still spares the collection when answers are large. jemalloc reads
/// the symbol as a C string (`const char *`): a reference to an array is one thin pointer, and
/// the bytes end in NUL.
#[export_name = "_rjem_malloc_conf"]
static MALLOC_CONF: &[u8; 29] = b"tcache_gc_incr_bytes:1048576\0";

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Serve(args) => serve::run(args),
        cli::Command::AzProfile(args) => az_profile::run(args),
        cli::Command::Check(args) => check::run(args),
    }
}

#[cfg(test)]
mod tests {
    /// The options above are the ones jemalloc runs with: the symbol's name and its C string
    /// are right (jemalloc ignores a misnamed symbol silently).
    #[test]
    fn jemalloc_reads_the_options() {
        let mut value: usize = 0;
        let mut len = std::mem::size_of::<usize>();
        // SAFETY: a read of a `size_t` option into a `usize` of the size passed.
        let rc = unsafe {
            tikv_jemalloc_sys::mallctl(
                c"opt.tcache_gc_incr_bytes".as_ptr(),
                (&mut value as *mut usize).cast(),
                &mut len,
                std::ptr::null_mut(),
                0,
            )
        };
        assert_eq!(rc, 0);
        assert_eq!(value, 1 << 20);
    }
}
