//! Answering before the request body is read (a 401, a 413, a 415) is allowed, but a client
//! still uploading must still get the answer. When a handler drops a body it did not read,
//! HTTP/2 resets the stream, and some clients (curl 7.x among them) then report a stream
//! error instead of the answer; HTTP/1.1 has the connection closed under the upload. So a body
//! dropped unread is read to its end in the background, and thrown away, within bounds: at
//! most [`DRAIN_LIMIT`] bytes and the body timeout. Past them the stream is reset after all.

use crate::middleware::Run;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::response::Response;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// The most a client may upload that is thrown away.
pub const DRAIN_LIMIT: usize = 4 * crate::MAX_BODY;

/// Wraps every request body so that one dropped unread is drained (see the module).
pub async fn drain_unread_bodies(timeout: Duration, req: Request, next: impl Run) -> Response {
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_big = declared.is_some_and(|n| n > DRAIN_LIMIT as u64);
    let req = req.map(|body| {
        if body.is_end_stream() || too_big {
            body
        } else {
            Body::new(DrainOnDrop {
                inner: Some(body),
                timeout,
            })
        }
    });
    next.run(req).await
}

struct DrainOnDrop {
    inner: Option<Body>,
    timeout: Duration,
}

impl HttpBody for DrainOnDrop {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let Some(body) = self.inner.as_mut() else {
            return Poll::Ready(None);
        };
        let frame = Pin::new(body).poll_frame(cx);
        if matches!(frame, Poll::Ready(None) | Poll::Ready(Some(Err(_)))) {
            self.inner = None;
        }
        frame
    }

    fn is_end_stream(&self) -> bool {
        self.inner.as_ref().is_none_or(|b| b.is_end_stream())
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner
            .as_ref()
            .map(|b| b.size_hint())
            .unwrap_or_else(|| http_body::SizeHint::with_exact(0))
    }
}

impl Drop for DrainOnDrop {
    fn drop(&mut self) {
        let Some(mut body) = self.inner.take() else {
            return;
        };
        if body.is_end_stream() {
            return;
        }
        let timeout = self.timeout;
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        rt.spawn(async move {
            let drain = async {
                let mut seen = 0usize;
                while let Some(Ok(frame)) =
                    std::future::poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await
                {
                    seen += frame.data_ref().map_or(0, Bytes::len);
                    if seen > DRAIN_LIMIT {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(timeout, drain).await;
        });
    }
}
