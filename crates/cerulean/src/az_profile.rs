//! `cerulean az-profile DIR`: writes an isolated az CLI configuration directory (used as
//! `AZURE_CONFIG_DIR`) in which az is already logged in to cerulean as a service principal,
//! and prints the exports to use. The user's own `~/.azure` is never read or written.
//!
//! The files follow azure-cli 2.x (MSAL based), from its sources:
//! - `clouds.config` (`azure/cli/core/cloud.py`): one INI section per custom cloud with
//!   `endpoint_*`, `suffix_*`, `profile` and the cloud's default `subscription`;
//! - `config`: `[cloud] name` selects it; `[core]` turns off instance discovery, telemetry,
//!   the interactive login experience and token-cache encryption;
//! - `azureProfile.json` (`_profile.py`): the accounts, one per subscription, the default one
//!   with `isDefault`; `user.type` is `servicePrincipal` and `user.name` the client id;
//! - `service_principal_entries.json` (`auth/identity.py`, plaintext persistence): the
//!   secret az sends to the token endpoint (`[{"client_id", "tenant", "client_secret"}]`);
//! - `msal_token_cache.json`: an empty MSAL token cache; the first command fetches a token;
//! - `versionCheck.json` (`util.py`): `update_time`/`check_time` in the future, so az never
//!   looks its version up online.

use crate::cli::AzProfileArgs;
use cerulean_domain::subscription::{DEFAULT_SUBSCRIPTION_ID, DEFAULT_SUBSCRIPTION_NAME};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const DEFAULT_CLIENT_ID: &str = "00000000-0000-0000-0000-0000000000c1";
pub const DEFAULT_CLIENT_SECRET: &str = "cerulean";

/// The audience az asks tokens for, as `az cloud register` derives it from
/// `/metadata/endpoints` (`authentication.audiences[0]`).
const ARM_AUDIENCE: &str = "https://management.core.windows.net/";
/// A time az's version check reads as "checked just now", for decades to come.
const FAR_FUTURE: &str = "2099-12-31 00:00:00.000000";

pub fn run(args: AzProfileArgs) -> ExitCode {
    match write(&args) {
        Ok(lines) => {
            for l in lines {
                println!("{l}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cerulean: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes the profile; returns the lines to print.
pub fn write(args: &AzProfileArgs) -> Result<Vec<String>, String> {
    let url = args.url.trim_end_matches('/').to_string();
    if !url.starts_with("https://") && !url.starts_with("http://") {
        return Err(format!("--url must be an http(s) URL, not '{}'", args.url));
    }
    if is_users_own_azure_dir(&args.dir) {
        return Err(format!(
            "refusing to write into {}: that is az's own configuration; pick another directory",
            args.dir.display()
        ));
    }
    std::fs::create_dir_all(&args.dir)
        .map_err(|e| format!("cannot create {}: {e}", args.dir.display()))?;
    let dir = std::path::absolute(&args.dir).unwrap_or_else(|_| args.dir.clone());
    let put = |name: &str, text: String, private: bool| -> Result<(), String> {
        let p = dir.join(name);
        std::fs::write(&p, text).map_err(|e| format!("cannot write {}: {e}", p.display()))?;
        if private {
            restrict(&p);
        }
        Ok(())
    };

    put(
        "clouds.config",
        clouds_config(&args.cloud, &url, &args.subscription),
        false,
    )?;
    put("config", config(&args.cloud), false)?;
    put("azureProfile.json", pretty(&azure_profile(args)), false)?;
    put(
        "service_principal_entries.json",
        pretty(&json!([{
            "client_id": args.client_id,
            "tenant": args.tenant,
            "client_secret": args.client_secret,
        }])),
        true,
    )?;
    put(
        "msal_token_cache.json",
        pretty(&json!({
            "AccessToken": {},
            "Account": {},
            "IdToken": {},
            "RefreshToken": {},
            "AppMetadata": {},
        })),
        true,
    )?;
    put(
        "versionCheck.json",
        pretty(&json!({"update_time": FAR_FUTURE, "check_time": FAR_FUTURE})),
        false,
    )?;

    let ca = args.location.join("tls").join("ca.pem");
    let ca = std::path::absolute(&ca).unwrap_or(ca);
    if !ca.exists() {
        eprintln!(
            "cerulean: note: {} does not exist yet; `cerulean serve --location {}` creates it",
            ca.display(),
            args.location.display()
        );
    }
    Ok(vec![
        format!("export AZURE_CONFIG_DIR={}", shell_quote(&dir)),
        format!("export REQUESTS_CA_BUNDLE={}", shell_quote(&ca)),
        "export AZURE_CORE_COLLECT_TELEMETRY=false".into(),
        "export AZURE_CORE_LOGIN_EXPERIENCE_V2=off".into(),
        "export AZURE_CORE_INSTANCE_DISCOVERY=false".into(),
    ])
}

fn clouds_config(cloud: &str, url: &str, subscription: &str) -> String {
    let endpoints = [
        ("management", ARM_AUDIENCE.to_string()),
        ("resource_manager", format!("{url}/")),
        ("sql_management", format!("{url}/")),
        ("batch_resource_id", format!("{url}/")),
        ("gallery", format!("{url}/")),
        ("active_directory", url.to_string()),
        ("active_directory_resource_id", ARM_AUDIENCE.to_string()),
        ("active_directory_graph_resource_id", format!("{url}/")),
        ("microsoft_graph_resource_id", format!("{url}/")),
        ("active_directory_data_lake_resource_id", format!("{url}/")),
        ("vm_image_alias_doc", format!("{url}/aliases.json")),
        ("media_resource_id", url.to_string()),
        ("ossrdbms_resource_id", url.to_string()),
        ("log_analytics_resource_id", url.to_string()),
        ("app_insights_resource_id", url.to_string()),
        (
            "app_insights_telemetry_channel_resource_id",
            format!("{url}/v2/track"),
        ),
        ("attestation_resource_id", url.to_string()),
        ("synapse_analytics_resource_id", url.to_string()),
        ("portal", url.to_string()),
    ];
    let suffixes = [
        ("storage_endpoint", "core.windows.net"),
        ("keyvault_dns", ".vault.azure.net"),
        ("sql_server_hostname", ".database.windows.net"),
        (
            "azure_datalake_store_file_system_endpoint",
            "azuredatalakestore.net",
        ),
        (
            "azure_datalake_analytics_catalog_and_job_endpoint",
            "azuredatalakeanalytics.net",
        ),
        ("acr_login_server_endpoint", ".azurecr.io"),
        ("mysql_server_endpoint", ".mysql.database.azure.com"),
        ("postgresql_server_endpoint", ".postgres.database.azure.com"),
        ("mariadb_server_endpoint", ".mariadb.database.azure.com"),
        ("synapse_analytics_endpoint", ".dev.azuresynapse.net"),
        ("attestation_endpoint", ".attest.azure.net"),
    ];
    let mut s = format!("[{cloud}]\n");
    for (k, v) in endpoints {
        s.push_str(&format!("endpoint_{k} = {v}\n"));
    }
    for (k, v) in suffixes {
        s.push_str(&format!("suffix_{k} = {v}\n"));
    }
    s.push_str("profile = latest\n");
    s.push_str(&format!("subscription = {subscription}\n\n"));
    s
}

fn config(cloud: &str) -> String {
    format!(
        "[cloud]\n\
         name = {cloud}\n\
         \n\
         [core]\n\
         instance_discovery = false\n\
         collect_telemetry = false\n\
         login_experience_v2 = off\n\
         encrypt_token_cache = false\n\
         output = json\n\
         \n\
         [extension]\n\
         use_dynamic_install = no\n\
         \n\
         [auto-upgrade]\n\
         enable = no\n\n"
    )
}

fn azure_profile(args: &AzProfileArgs) -> serde_json::Value {
    let name = if args
        .subscription
        .eq_ignore_ascii_case(DEFAULT_SUBSCRIPTION_ID)
    {
        DEFAULT_SUBSCRIPTION_NAME.to_string()
    } else {
        args.subscription.clone()
    };
    json!({
        "installationId": uuid::Uuid::new_v4().to_string(),
        "subscriptions": [{
            "id": args.subscription,
            "name": name,
            "state": "Enabled",
            "user": {"name": args.client_id, "type": "servicePrincipal"},
            "isDefault": true,
            "tenantId": args.tenant,
            "environmentName": args.cloud,
            "homeTenantId": args.tenant,
            "managedByTenants": [],
        }],
    })
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).expect("JSON values serialize") + "\n"
}

/// True for `~/.azure`, az's own configuration: never overwrite it.
fn is_users_own_azure_dir(dir: &Path) -> bool {
    let Some(home) = std::env::var_os("HOME") else {
        return false;
    };
    let own = PathBuf::from(home).join(".azure");
    let abs = |p: &Path| {
        std::fs::canonicalize(p)
            .or_else(|_| std::path::absolute(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    abs(&own) == abs(dir)
}

fn shell_quote(p: &Path) -> String {
    let s = p.display().to_string();
    if s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+=:,@".contains(c))
    {
        s
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

#[cfg(unix)]
fn restrict(p: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o600));
}
#[cfg(not(unix))]
fn restrict(_: &Path) {}
