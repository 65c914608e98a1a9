//! Slow and stalled clients are cut off on every listener (HTTPS, plain HTTP) and protocol
//! (HTTP/1.1, HTTP/2): `--header-timeout`, `--body-timeout`, `--idle-timeout`. Bounds here are
//! generous: they show that a connection is closed by its deadline, not how fast.

mod common;

use common::*;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

const HEADER: Duration = Duration::from_secs(1);
const IDLE: Duration = Duration::from_secs(2);

fn start() -> Server {
    Server::start(&[
        "--http-port",
        "0",
        "--header-timeout",
        "1s",
        "--body-timeout",
        "1s",
        "--idle-timeout",
        "2s",
    ])
}

fn addr(url: &str) -> String {
    url.split("://").nth(1).unwrap().to_string()
}

/// Reads until the server closes the connection; returns what it sent and when it closed.
async fn until_closed<S: AsyncRead + Unpin>(mut s: S) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(20), s.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the connection stayed open for 20 s"),
        }
    }
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

/// Sends `bytes`, then waits for the server to close; asserts it took at least `at_least`.
async fn stall<S: AsyncRead + AsyncWrite + Unpin>(
    mut s: S,
    bytes: &[u8],
    at_least: Duration,
) -> String {
    s.write_all(bytes).await.unwrap();
    s.flush().await.unwrap();
    let (got, after) = until_closed(s).await;
    assert!(
        after >= at_least.saturating_sub(Duration::from_millis(200)),
        "closed after {after:?}, before its deadline {at_least:?}"
    );
    got
}

async fn tls(s: &Server, alpn: &[u8]) -> tokio_rustls::client::TlsStream<TcpStream> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    let ca = CertificateDer::from_pem_file(s.dir.join("tls").join("ca.pem")).unwrap();
    roots.add(ca).unwrap();
    let mut config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let tcp = TcpStream::connect(addr(&s.base)).await.unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap()
}

const PARTIAL_HEAD: &[u8] = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n";
const FULL_REQUEST: &[u8] = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
const PARTIAL_BODY: &[u8] = b"POST /common/oauth2/v2.0/token HTTP/1.1\r\nHost: 127.0.0.1\r\n\
    Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=";

#[tokio::test]
async fn plain_http_cuts_off_partial_heads_bodies_and_idle_connections() {
    let s = start();
    let http = addr(s.extra_base.as_deref().unwrap());

    let tcp = TcpStream::connect(&http).await.unwrap();
    let got = stall(tcp, PARTIAL_HEAD, HEADER).await;
    assert!(got.is_empty(), "{got}");

    // Trickling the head a byte at a time does not extend its deadline.
    let mut tcp = TcpStream::connect(&http).await.unwrap();
    let started = Instant::now();
    for b in PARTIAL_HEAD {
        if tcp.write_all(&[*b]).await.is_err() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (_, _) = until_closed(tcp).await;
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );

    let tcp = TcpStream::connect(&http).await.unwrap();
    let got = stall(tcp, FULL_REQUEST, IDLE).await;
    assert!(
        got.starts_with("HTTP/1.1 200 OK"),
        "answered, then closed idle: {got}"
    );

    // Within the idle timeout a kept-alive connection serves the next request.
    let mut tcp = TcpStream::connect(&http).await.unwrap();
    for _ in 0..2 {
        tcp.write_all(FULL_REQUEST).await.unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 1024];
        while !String::from_utf8_lossy(&got).ends_with("{\"status\":\"ok\"}") {
            let n = tcp.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed while in use");
            got.extend_from_slice(&buf[..n]);
        }
        tokio::time::sleep(IDLE / 2).await;
    }

    let tcp = TcpStream::connect(&http).await.unwrap();
    let got = stall(tcp, PARTIAL_BODY, Duration::from_secs(1)).await;
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("\"error\":\"invalid_request\""), "{got}");
}

#[tokio::test]
async fn https_cuts_off_handshakes_heads_bodies_and_idle_connections() {
    let s = start();
    // No TLS handshake at all.
    let tcp = TcpStream::connect(addr(&s.base)).await.unwrap();
    stall(tcp, b"", HEADER).await;

    let got = stall(tls(&s, b"http/1.1").await, PARTIAL_HEAD, HEADER).await;
    assert!(got.is_empty(), "{got}");
    let got = stall(tls(&s, b"http/1.1").await, FULL_REQUEST, IDLE).await;
    assert!(got.starts_with("HTTP/1.1 200 OK"), "{got}");

    // An ARM body that stops half way: 408 in ARM's envelope.
    let put = format!(
        "PUT /subscriptions/{SUB}/resourcegroups/rg?{API} HTTP/1.1\r\nHost: 127.0.0.1\r\n\
         Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{{\"location\":"
    );
    let got = stall(
        tls(&s, b"http/1.1").await,
        put.as_bytes(),
        Duration::from_secs(1),
    )
    .await;
    assert!(got.starts_with("HTTP/1.1 408"), "{got}");
    assert!(got.contains("\"code\":\"RequestTimeout\""), "{got}");
    assert_eq!(
        s.get(&rg_path("rg")).await.0,
        reqwest::StatusCode::NOT_FOUND
    );
}

/// An HTTP/2 frame header: length, type, flags, stream id.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = payload.len() as u32;
    let mut f = vec![(len >> 16) as u8, (len >> 8) as u8, len as u8, kind, flags];
    f.extend_from_slice(&stream.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

#[tokio::test]
async fn http2_cuts_off_headers_that_never_end_and_idle_connections() {
    let s = start();
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    let settings = frame(0x4, 0, 0, &[]);

    // A HEADERS frame without END_HEADERS, its CONTINUATION never sent.
    let conn = tls(&s, b"h2").await;
    assert_eq!(conn.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let mut hello = [preface.clone(), settings.clone()].concat();
    hello.extend(frame(0x1, 0x0, 1, &[0x82, 0x84, 0x87]));
    stall(conn, &hello, HEADER).await;

    // Only the preface and settings, then nothing.
    stall(
        tls(&s, b"h2").await,
        &[preface.clone(), settings.clone()].concat(),
        HEADER,
    )
    .await;

    // PINGs bring no request, so they do not keep a connection open either.
    let mut conn = tls(&s, b"h2").await;
    conn.write_all(&[preface, settings].concat()).await.unwrap();
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        assert!(started.elapsed() < Duration::from_secs(10), "still open");
        if conn.write_all(&frame(0x6, 0, 0, &[0; 8])).await.is_err() {
            break;
        }
        match tokio::time::timeout(Duration::from_millis(200), conn.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => break,
            _ => {}
        }
    }
    assert!(started.elapsed() >= HEADER - Duration::from_millis(200));
}
