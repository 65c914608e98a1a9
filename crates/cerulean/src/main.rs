//! `cerulean`: the command line. `cerulean serve` runs the control plane; `cerulean
//! az-profile DIR` writes a ready az CLI configuration for it; `cerulean check` checks a
//! store's invariants.

mod az_profile;
mod check;
mod cli;
mod conn;
mod instance;
mod serve;
mod tls;

use clap::Parser;

#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Serve(args) => serve::run(args),
        cli::Command::AzProfile(args) => az_profile::run(args),
        cli::Command::Check(args) => check::run(args),
    }
}
