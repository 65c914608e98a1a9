//! The baseline: the least an HTTPS JSON API can do. axum over axum-server with rustls/ring
//! (as the main binary), a certificate signed by a throw-away CA (rcgen), PUT parses the JSON
//! body and stores it in a `Mutex<HashMap>`, GET serialises it back. It runs as a child
//! process of the bench (`cerulean-bench --baseline-server DIR`) so its CPU and memory are
//! measured the same way as cerulean's.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::put;
use axum::Router;
use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

type Items = Arc<Mutex<HashMap<String, Value>>>;

async fn put_item(State(items): State<Items>, Path(id): Path<String>, body: Bytes) -> Response {
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => return (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
    };
    let out = serde_json::to_vec(&value).expect("json");
    let created = items.lock().expect("lock").insert(id, value).is_none();
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    (status, [("content-type", "application/json")], out).into_response()
}

async fn get_item(State(items): State<Items>, Path(id): Path<String>) -> Response {
    let out = items
        .lock()
        .expect("lock")
        .get(&id)
        .map(|v| serde_json::to_vec(v).expect("json"));
    match out {
        Some(b) => (StatusCode::OK, [("content-type", "application/json")], b).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

fn certificates(dir: &std::path::Path) -> Result<(PathBuf, String, String), String> {
    let err = |e: rcgen::Error| e.to_string();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "cerulean-bench baseline CA");
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().map_err(err)?;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;
    let mut params =
        CertificateParams::new(vec!["127.0.0.1".to_string(), "localhost".into()]).map_err(err)?;
    params
        .distinguished_name
        .push(DnType::CommonName, "baseline");
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    let key = KeyPair::generate().map_err(err)?;
    let cert = params
        .signed_by(&key, &Issuer::from_params(&ca_params, &ca_key))
        .map_err(err)?;
    let ca_path = dir.join("baseline-ca.pem");
    std::fs::write(&ca_path, ca_cert.pem()).map_err(|e| e.to_string())?;
    Ok((
        ca_path,
        format!("{}{}", cert.pem(), ca_cert.pem()),
        key.serialize_pem(),
    ))
}

/// Runs the baseline server until killed: HTTPS, or plain HTTP when `plain` (the wrk
/// comparison, which runs plain HTTP on both sides).
pub fn serve(dir: PathBuf, plain: bool) -> Result<(), String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (ca, cert, key) = certificates(&dir)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    rt.block_on(async move {
        let config = axum_server::tls_rustls::RustlsConfig::from_pem(cert.into(), key.into())
            .await
            .map_err(|e| e.to_string())?;
        let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        listener.set_nonblocking(true).map_err(|e| e.to_string())?;
        let addr: SocketAddr = listener.local_addr().map_err(|e| e.to_string())?;
        let items: Items = Arc::default();
        let app = Router::new()
            .route("/items/{id}", put(put_item).get(get_item))
            .route(
                "/health",
                axum::routing::get(|| async { axum::Json(json!({"status": "ok"})) }),
            )
            .with_state(items);
        if plain {
            println!("baseline listening on http://{addr}");
            return axum_server::from_tcp(listener)
                .map_err(|e| e.to_string())?
                .acceptor(axum_server::accept::NoDelayAcceptor::new())
                .serve(app.into_make_service())
                .await
                .map_err(|e| e.to_string());
        }
        println!("baseline CA certificate: {}", ca.display());
        println!("baseline listening on https://{addr}");
        axum_server::from_tcp_rustls(listener, config)
            .map_err(|e| e.to_string())?
            .serve(app.into_make_service())
            .await
            .map_err(|e| e.to_string())
    })
}

/// A ~1 KiB JSON document shaped like an ARM NIC.
pub fn body(i: u64) -> Value {
    let id = format!(
        "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/bench/providers/Microsoft.Network/networkInterfaces/nic{i}"
    );
    json!({
        "name": format!("nic{i}"),
        "id": id,
        "type": "Microsoft.Network/networkInterfaces",
        "location": "eastus",
        "tags": {"env": "bench", "owner": "cerulean-bench", "index": i.to_string()},
        "properties": {
            "provisioningState": "Succeeded",
            "resourceGuid": "6a0d6b5c-8d8e-4a37-9c1e-2f2d3b1a0c9e",
            "ipConfigurations": [{
                "name": "ipconfig1",
                "id": format!("{id}/ipConfigurations/ipconfig1"),
                "properties": {
                    "provisioningState": "Succeeded",
                    "privateIPAddress": "10.1.0.4",
                    "privateIPAllocationMethod": "Dynamic",
                    "privateIPAddressVersion": "IPv4",
                    "primary": true,
                    "subnet": {"id": "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/bench/providers/Microsoft.Network/virtualNetworks/vnet/subnets/create"}
                }
            }],
            "dnsSettings": {"dnsServers": [], "appliedDnsServers": []},
            "enableIPForwarding": false,
            "enableAcceleratedNetworking": false
        }
    })
}
