//! hyper refuses an HTTP/1.1 request head it cannot take (more header fields than
//! [`cerulean_api::MAX_HEADER_FIELDS`], a head or URI past what it buffers, a request line or
//! header that does not parse) before any request exists, so the edge never sees it. Its
//! answer is a status line and three headers, without a body:
//!
//! ```text
//! HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\ndate: Sat, 05 Dec 2026 13:32:43 GMT\r\n\r\n
//! ```
//!
//! [`rewrite`] recognises that answer at the end of what hyper writes (after a pipelined
//! request's answer, if any) and puts the same status in ARM's envelope, so every refusal
//! has one shape whichever layer made it. The connection's stream (`conn.rs`) applies it to
//! the plaintext it writes.

use axum::http::header::CONNECTION;
use axum::response::IntoResponse;
use cerulean_api::ApiError;

/// The headers hyper writes between the status line and the date.
const BARE_HEADERS: &[u8] = b"\r\nconnection: close\r\ncontent-length: 0\r\n";
/// `date: ` + an IMF-fixdate (always 29 bytes) + the end of the head.
const DATE_LINE_LEN: usize = 6 + 29 + 2;
const HEAD_END: &[u8] = b"\r\n";
/// The longest status line searched for: hyper's reason phrases are short.
const MAX_STATUS_LINE: usize = 64;

/// Cheap test for the hot path: every bare answer ends so (and no answer with a body does).
pub fn may_end_bare(buf: &[u8]) -> bool {
    buf.ends_with(b" GMT\r\n\r\n")
}

/// `buf` with hyper's bare answer at its end replaced by the same status in ARM's envelope;
/// `None` when `buf` does not end with one.
pub fn rewrite(buf: &[u8]) -> Option<Vec<u8>> {
    if !may_end_bare(buf) {
        return None;
    }
    let date_at = buf.len().checked_sub(DATE_LINE_LEN + HEAD_END.len())?;
    let date_line = &buf[date_at..buf.len() - HEAD_END.len()];
    if !date_line.starts_with(b"date: ") {
        return None;
    }
    let line_end = date_at.checked_sub(BARE_HEADERS.len())?;
    if &buf[line_end..date_at] != BARE_HEADERS {
        return None;
    }
    let window = line_end.saturating_sub(MAX_STATUS_LINE);
    let start = window + find_last(&buf[window..line_end], b"HTTP/1.1 ")?;
    let status_line = &buf[start..line_end];
    let code: u16 = std::str::from_utf8(status_line.get(9..12)?)
        .ok()?
        .parse()
        .ok()?;
    if status_line.get(12) != Some(&b' ') || status_line.contains(&b'\n') {
        return None;
    }
    let err = ApiError::connection_refusal(code)?;
    let body = serde_json::to_vec(&err.body()).ok()?;
    // The edge's own headers for the error (content type, failure cause), then what the
    // edge's request context adds, and the framing.
    let resp = err.into_response();
    let request_id = uuid::Uuid::new_v4().to_string();
    let framing = [
        ("x-ms-request-id", request_id.as_str()),
        ("x-ms-correlation-request-id", &request_id),
        ("connection", "close"),
        ("content-length", &body.len().to_string()),
    ];
    let headers = resp
        .headers()
        .iter()
        .filter(|(name, _)| *name != CONNECTION)
        .map(|(name, value)| (name.as_str(), value.as_bytes()))
        .chain(
            framing
                .iter()
                .map(|(name, value)| (*name, value.as_bytes())),
        );

    let mut out = Vec::with_capacity(start + 320 + body.len());
    out.extend_from_slice(&buf[..line_end]);
    for (name, value) in headers {
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(date_line);
    out.extend_from_slice(HEAD_END);
    out.extend_from_slice(&body);
    Some(out)
}

fn find_last(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const DATE: &str = "date: Sat, 05 Dec 2026 13:32:43 GMT";

    fn bare(status: &str) -> String {
        format!("HTTP/1.1 {status}\r\nconnection: close\r\ncontent-length: 0\r\n{DATE}\r\n\r\n")
    }

    /// Splits an answer into its head's lines and its body, checking the framing.
    fn parse(out: &[u8]) -> (Vec<String>, Value) {
        let text = std::str::from_utf8(out).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let lines: Vec<String> = head.split("\r\n").map(str::to_string).collect();
        let len: usize = lines
            .iter()
            .find_map(|l| l.strip_prefix("content-length: "))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(len, body.len(), "content-length frames the body");
        (lines, serde_json::from_str(body).unwrap())
    }

    #[test]
    fn hypers_bare_refusals_get_arms_envelope() {
        for (status, code, message) in [
            (
                "431 Request Header Fields Too Large",
                "RequestHeaderFieldsTooLarge",
                "The request head is too large: at most 100 header fields and 65536 bytes of headers are accepted.",
            ),
            (
                "414 URI Too Long",
                "RequestUriTooLong",
                "The request URI is longer than the maximum of 16384 bytes.",
            ),
            (
                "400 Bad Request",
                "BadRequest",
                "The request is not valid HTTP/1.1: its request line or one of its headers could not be parsed.",
            ),
        ] {
            let out = rewrite(bare(status).as_bytes()).expect(status);
            let (lines, body) = parse(&out);
            assert_eq!(lines[0], format!("HTTP/1.1 {status}"));
            assert!(lines.contains(&"content-type: application/json".to_string()));
            assert!(lines.contains(&"connection: close".to_string()));
            assert!(lines.contains(&format!("x-ms-failure-cause: {code}")));
            assert!(lines.iter().any(|l| l.starts_with("x-ms-request-id: ")));
            assert!(lines.contains(&DATE.to_string()), "hyper's date is kept");
            assert_eq!(body["error"]["code"], code);
            assert_eq!(body["error"]["message"], message);
        }
    }

    #[test]
    fn a_pipelined_answer_before_the_refusal_is_kept() {
        let first = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 15\r\n{DATE}\r\n\r\n{{\"status\":\"ok\"}}"
        );
        let out = rewrite(format!("{first}{}", bare("400 Bad Request")).as_bytes()).unwrap();
        assert!(out.starts_with(first.as_bytes()));
        let (lines, body) = parse(&out[first.len()..]);
        assert_eq!(lines[0], "HTTP/1.1 400 Bad Request");
        assert_eq!(body["error"]["code"], "BadRequest");
    }

    #[test]
    fn other_answers_pass_untouched() {
        for other in [
            // cerulean's own answers without a body
            format!("HTTP/1.1 202 Accepted\r\nlocation: x\r\ncontent-length: 0\r\n{DATE}\r\n\r\n"),
            format!("HTTP/1.1 204 No Content\r\nx-ms-request-id: 1\r\n{DATE}\r\n\r\n"),
            // a bare answer of a status hyper does not refuse heads with
            bare("500 Internal Server Error"),
            bare("200 OK"),
            // a body, or a head cut short
            format!("{}{{}}", bare("431 Request Header Fields Too Large")),
            "HTTP/1.1 431 x\r\n\r\n".to_string(),
            " GMT\r\n\r\n".to_string(),
            String::new(),
        ] {
            assert_eq!(rewrite(other.as_bytes()), None, "{other:?}");
        }
    }
}
