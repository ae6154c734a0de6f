//! The accept loop under the poem endpoint: hyper with a header read timeout, a
//! cap on the request head, graceful shutdown, and the JSON error shape even for
//! the few errors hyper answers by itself before a request reaches poem.

use std::{
    convert::Infallible,
    io,
    net::SocketAddr,
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    task::{Context, Poll, ready},
    time::Duration,
};

use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::{conn::auto, graceful::GracefulShutdown},
};
use poem::{
    Addr, Endpoint, EndpointExt as _, Response,
    endpoint::BoxEndpoint,
    http::uri::Scheme,
    web::{LocalAddr, RemoteAddr},
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::{TcpListener, TcpStream},
};

/// How the server treats slow and oversized requests.
#[derive(Debug, Clone, Copy)]
pub struct ConnLimits {
    /// A client must send a whole request head within this of its first byte.
    pub header_read: Duration,
    /// A connection with no request in flight and none arriving is closed after this.
    pub idle: Duration,
    /// Largest request head hyper buffers before answering 431.
    pub header_bytes: usize,
    /// How long shutdown waits for requests in flight.
    pub drain: Duration,
}

/// Accepts connections until `shutdown` resolves, then lets requests in flight
/// finish for up to `limits.drain`.
///
/// # Errors
/// When accepting fails for good.
pub async fn run(
    listener: TcpListener,
    endpoint: impl Endpoint<Output = Response> + 'static,
    limits: ConnLimits,
    shutdown: impl Future<Output = ()> + Send,
) -> io::Result<()> {
    let endpoint: Arc<BoxEndpoint<'static>> = Arc::new(endpoint.boxed());
    let local = listener.local_addr()?;
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // hyper's own header timeout would also run while a kept-alive connection
    // waits for its next request, closing it under clients that reuse it;
    // `Guarded` times the head from its first byte instead.
    builder
        .http1()
        .header_read_timeout(None)
        .max_buf_size(limits.header_bytes.max(8192));
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of file descriptors, say: wait a moment, do not spin.
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let endpoint = Arc::clone(&endpoint);
        let requests = Arc::new(InFlight::default());
        let io = TokioIo::new(Guarded::new(stream, Arc::clone(&requests), limits));
        let service = hyper::service::service_fn(move |req| {
            let endpoint = Arc::clone(&endpoint);
            let guard = InFlight::enter(&requests);
            async move {
                let response = handle(endpoint, req, local, remote).await;
                drop(guard);
                Ok::<_, Infallible>(hyper::Response::from(response))
            }
        });
        let conn = builder.serve_connection(io, service).into_owned();
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after the drain time were cut off");
    }
    Ok(())
}

/// Hands each request of a connection to the endpoint.
async fn handle(
    endpoint: Arc<BoxEndpoint<'static>>,
    req: hyper::Request<Incoming>,
    local: SocketAddr,
    remote: SocketAddr,
) -> Response {
    let req = (
        req,
        LocalAddr(Addr::SocketAddr(local)),
        RemoteAddr(Addr::SocketAddr(remote)),
        Scheme::HTTP,
    )
        .into();
    endpoint.get_response(req).await
}

/// Requests of one connection that reached the application and have not been
/// answered yet; a request's head is complete once it is counted here.
#[derive(Debug, Default)]
struct InFlight {
    count: AtomicUsize,
    /// Set each time a request enters: the head it had been timing is done.
    entered: AtomicBool,
}

/// Counts a request in flight until dropped.
struct InFlightGuard(Arc<InFlight>);

impl InFlight {
    fn enter(this: &Arc<Self>) -> InFlightGuard {
        this.count.fetch_add(1, Ordering::SeqCst);
        this.entered.store(true, Ordering::SeqCst);
        InFlightGuard(Arc::clone(this))
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A TCP stream that
/// - closes the connection when a request head, once begun, is not complete
///   within `header_read`, or when the connection idles longer than `idle`;
/// - turns the bare error answers hyper writes by itself (a malformed request,
///   a head too large: 400/413/414/431 with no body) into the
///   `{"code","message"}` shape every other error has. The application never
///   answers an error without a body, so only hyper's own match.
struct Guarded {
    inner: TcpStream,
    requests: Arc<InFlight>,
    limits: ConnLimits,
    /// Running while a request head is arriving.
    head_deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Running while nothing is in flight and nothing arrives.
    idle_deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// A replacement being written, and how much of it is out.
    replacing: Option<(Vec<u8>, usize)>,
}

impl Guarded {
    fn new(inner: TcpStream, requests: Arc<InFlight>, limits: ConnLimits) -> Self {
        Self {
            inner,
            requests,
            limits,
            head_deadline: None,
            idle_deadline: None,
            replacing: None,
        }
    }
}

/// The JSON answer that stands in for hyper's bare `status`, if it is one.
fn replacement(written: &[u8]) -> Option<Vec<u8>> {
    let head_end = written.windows(4).position(|w| w == b"\r\n\r\n")?;
    if head_end + 4 != written.len() {
        return None;
    }
    let head = std::str::from_utf8(&written[..head_end]).ok()?;
    let status: u16 = head.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    let bare = head
        .lines()
        .any(|line| line.eq_ignore_ascii_case("content-length: 0"));
    let (code, message) = match status {
        400 => ("bad_request", "the request could not be parsed as HTTP"),
        413 => ("payload_too_large", "the request is too large"),
        414 => ("uri_too_long", "the request's address is too long"),
        431 => (
            "headers_too_large",
            "the request's header fields are too large",
        ),
        _ => return None,
    };
    if !bare {
        return None;
    }
    let body = serde_json::json!({"code": code, "message": message}).to_string();
    let reason = head.lines().next()?.get(13..).unwrap_or_default();
    Some(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json; charset=utf-8\r\n\
             content-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .into_bytes(),
    )
}

impl AsyncRead for Guarded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.requests.entered.swap(false, Ordering::SeqCst) {
            this.head_deadline = None;
        }
        let busy = this.requests.count.load(Ordering::SeqCst) > 0;
        if busy {
            // The application times the body; a handler may take its time.
            this.head_deadline = None;
            this.idle_deadline = None;
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before && !busy && this.head_deadline.is_none() {
                    let deadline = tokio::time::Instant::now() + this.limits.header_read;
                    this.head_deadline = Some(Box::pin(tokio::time::sleep_until(deadline)));
                }
                this.idle_deadline = None;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending if busy => Poll::Pending,
            Poll::Pending => {
                if let Some(deadline) = &mut this.head_deadline {
                    if deadline.as_mut().poll(cx).is_ready() {
                        return Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the request head did not arrive in time",
                        )));
                    }
                    return Poll::Pending;
                }
                let idle = this.limits.idle;
                let deadline = this.idle_deadline.get_or_insert_with(|| {
                    Box::pin(tokio::time::sleep_until(tokio::time::Instant::now() + idle))
                });
                if deadline.as_mut().poll(cx).is_ready() {
                    // End of stream: hyper closes an idle connection quietly.
                    return Poll::Ready(Ok(()));
                }
                Poll::Pending
            }
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        if this.replacing.is_none() {
            match replacement(buf) {
                Some(bytes) => this.replacing = Some((bytes, 0)),
                None => return Pin::new(&mut this.inner).poll_write(cx, buf),
            }
        }
        if let Some((bytes, sent)) = &mut this.replacing {
            while *sent < bytes.len() {
                *sent += ready!(Pin::new(&mut this.inner).poll_write(cx, &bytes[*sent..]))?;
            }
        }
        // hyper sees its own answer written; the connection closes after it.
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::replacement;

    #[test]
    fn hypers_bare_errors_get_the_json_shape() {
        let bare = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Mon, 07 Dec 2026 08:00:00 GMT\r\n\r\n";
        let json = String::from_utf8(replacement(bare).unwrap_or_default()).unwrap_or_default();
        assert!(
            json.starts_with("HTTP/1.1 431 Request Header Fields Too Large\r\n"),
            "{json}"
        );
        assert!(json.ends_with(r#"{"code":"headers_too_large","message":"the request's header fields are too large"}"#), "{json}");
    }

    #[test]
    fn the_applications_own_answers_pass_untouched() {
        let with_body = b"HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\n{}";
        let head_only = b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 40\r\n\r\n";
        let ok = b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n";
        assert_eq!(replacement(with_body), None);
        assert_eq!(replacement(head_only), None);
        assert_eq!(replacement(ok), None);
    }
}
