//! `cerulean check`: the stored state's invariants (`cerulean_app::audit`) on one snapshot,
//! as a JSON report. Exit status 0: all hold; 1: some are broken; 2: the check could not run.

use crate::cli::{CheckArgs, LogFormat};
use cerulean_app::audit::{audit, PublicPools};
use serde_json::json;
use std::process::ExitCode;

pub fn run(args: CheckArgs) -> ExitCode {
    // Only what went wrong: the report is the output.
    crate::serve::init_logging(LogFormat::Text, "warn");
    let Some(rt) = crate::serve::runtime() else {
        return ExitCode::from(2);
    };
    match rt.block_on(check(&args)) {
        Ok(clean) if clean => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("cerulean: {e}");
            ExitCode::from(2)
        }
    }
}

async fn check(args: &CheckArgs) -> Result<bool, String> {
    let store =
        crate::serve::open_store(args.database_url.as_deref(), false, &args.location).await?;
    let pools = PublicPools {
        v4: args.public_ip_pool,
        v6: args.public_ip_pool_v6,
    };
    let report = audit(&*store, pools).await.map_err(|e| e.to_string());
    store.close().await;
    let report = report?;
    let out = json!({
        "store": store.backend(),
        "resources": report.resources,
        "addresses": report.addresses,
        "violations": report.violations,
    });
    println!("{}", serde_json::to_string_pretty(&out).expect("JSON"));
    Ok(report.violations.is_empty())
}
