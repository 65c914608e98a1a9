//! `cerulean`: the command line. `cerulean serve` runs the control plane.

mod cli;
mod serve;
mod tls;

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Serve(args) => serve::run(args),
    }
}
