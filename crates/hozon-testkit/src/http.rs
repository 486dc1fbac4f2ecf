//! The HTTP side shared by the three servers: a small HTTP/1.1 server on
//! `127.0.0.1:0` (one thread per connection, keep-alive, bodies by
//! Content-Length only), a request counter, body limits, and a shutdown that
//! closes the listening socket before it returns.
//!
//! Optionally over TLS (HTTPS): each accepted connection is wrapped in an
//! OpenSSL [`SslStream`] by the connection thread, and the same HTTP loop
//! then runs over it (it is generic over `Read + Write`, reading through a
//! `BufReader` and writing through its `get_mut`, so one stream object
//! serves both directions). The read timeout that lets blocked reads look
//! at the stop flag is set on the TCP socket before the handshake; OpenSSL
//! passes it on as `WouldBlock`, both mid-handshake and afterwards. A
//! failed handshake (no or an unacceptable client certificate, a client
//! that does not trust the server, bytes that are not TLS) is neither
//! answered nor counted: OpenSSL's alert goes out, the server stops
//! sending, reads what the client had already sent (so that the close is
//! a FIN the client reads after the alert, not a reset that may overtake
//! it) and closes.
//!
//! It is deliberately small and written here: `tiny_http` 0.12 was used
//! first, but its connection thread pool loses a connection now and then
//! under eight concurrent keep-alive clients (the request sits unread until
//! the client times out), and it writes a response's head and body in two
//! `send`s, which costs 40 ms of delayed-ACK per request.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use openssl::ssl::{HandshakeError, SslAcceptor, SslStream};

use crate::MAX_BODY;

/// Longest request head (request line and headers) accepted.
const MAX_HEAD: usize = 16 * 1024;
/// Connections served at once; more are refused (closed).
const MAX_CONNECTIONS: usize = 64;
/// How long an idle keep-alive connection is kept.
const IDLE: Duration = Duration::from_secs(30);
/// How often blocked reads look at the stop flag.
const POLL: Duration = Duration::from_millis(100);
/// How long a TLS handshake may take.
const HANDSHAKE: Duration = Duration::from_secs(10);
/// How long the rest of a refused TLS client's data is read before closing.
const LINGER: Duration = Duration::from_secs(2);

/// The request method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Head,
    Post,
    Other,
}

/// A request, with its whole body read.
#[derive(Debug)]
pub(crate) struct Request {
    method: Method,
    url: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    body_too_large: bool,
}

impl Request {
    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request target, as sent.
    pub fn url(&self) -> &str {
        &self.url
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// What a handler answers.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    /// 200 with a body of the given media type.
    pub fn ok(content_type: &'static str, body: Vec<u8>) -> Reply {
        Reply {
            status: 200,
            content_type,
            body,
            headers: Vec::new(),
        }
    }

    /// An error status with a one-line plain-text explanation.
    pub fn error(status: u16, message: &str) -> Reply {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{message}\n").into_bytes(),
            headers: Vec::new(),
        }
    }

    /// Adds a response header.
    pub fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }

    /// The response as bytes: head and body in one buffer, so that it
    /// leaves in one `send` (no Nagle stall waiting for a delayed ACK).
    fn to_bytes(&self, head_only: bool, keep_alive: bool) -> Vec<u8> {
        let mut out = format!(
            "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n",
            self.status,
            reason(self.status),
            self.content_type,
            self.body.len(),
            if keep_alive { "keep-alive" } else { "close" }
        )
        .into_bytes();
        for (name, value) in &self.headers {
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        out.extend_from_slice(b"\r\n");
        if !head_only {
            out.extend_from_slice(&self.body);
        }
        out
    }
}

/// Shared between a server's handle and its connection threads.
#[derive(Debug, Default)]
pub(crate) struct Control {
    stop: AtomicBool,
    requests: AtomicUsize,
    connections: AtomicUsize,
}

impl Control {
    /// True once the server is being dropped.
    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    /// Sleeps for `duration` unless the server stops first; returns false if
    /// it was interrupted.
    pub fn sleep(&self, duration: Duration) -> bool {
        let end = Instant::now() + duration;
        loop {
            if self.stopping() {
                return false;
            }
            let now = Instant::now();
            if now >= end {
                return true;
            }
            thread::sleep((end - now).min(Duration::from_millis(10)));
        }
    }
}

/// Answers one request.
pub(crate) trait Handler: Send + Sync + 'static {
    fn handle(&self, request: &mut Request, control: &Control) -> Reply;
}

/// A running loopback HTTP server.
pub(crate) struct HttpServer {
    control: Arc<Control>,
    /// A second descriptor of the listening socket, used to shut it down.
    listener: TcpListener,
    addr: SocketAddr,
    /// Whether connections are TLS (the URL scheme).
    tls: bool,
    acceptor: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Binds `127.0.0.1:0` and serves `handler`, a thread per connection
    /// (`_workers` is kept for the callers' documentation of their needs).
    pub fn start<H: Handler>(name: &str, handler: H, _workers: usize) -> io::Result<HttpServer> {
        Self::spawn(name, Arc::new(handler), None, 0)
    }

    /// Same as [`HttpServer::start`] on `127.0.0.1:port`.
    pub fn start_on<H: Handler>(name: &str, handler: H, port: u16) -> io::Result<HttpServer> {
        Self::spawn(name, Arc::new(handler), None, port)
    }

    /// Same as [`HttpServer::start`], but every connection is TLS, set up
    /// by `tls` (HTTPS).
    pub fn start_tls<H: Handler>(
        name: &str,
        handler: H,
        _workers: usize,
        tls: SslAcceptor,
    ) -> io::Result<HttpServer> {
        Self::spawn(name, Arc::new(handler), Some(Arc::new(tls)), 0)
    }

    fn spawn(
        name: &str,
        handler: Arc<dyn Handler>,
        tls: Option<Arc<SslAcceptor>>,
        port: u16,
    ) -> io::Result<HttpServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))?;
        let addr = listener.local_addr()?;
        let accept_on = listener.try_clone()?;
        let control = Arc::new(Control::default());
        let is_tls = tls.is_some();
        let (c, n) = (Arc::clone(&control), name.to_owned());
        let acceptor = thread::Builder::new()
            .name(format!("{name}-accept"))
            .spawn(move || accept(&accept_on, &c, &handler, tls.as_ref(), &n))?;
        Ok(HttpServer {
            control,
            listener,
            addr,
            tls: is_tls,
            acceptor: Some(acceptor),
        })
    }

    /// `http://127.0.0.1:PORT` (`https://` over TLS), without a trailing
    /// slash.
    pub fn base_url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://127.0.0.1:{}", self.addr.port())
    }

    /// Requests received so far, on any path.
    pub fn requests(&self) -> usize {
        self.control.requests.load(Ordering::SeqCst)
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.control.stop.store(true, Ordering::SeqCst);
        // Linux: shutdown(2) on a listening socket takes it out of the LISTEN
        // state at once (new connections are refused) and makes the blocked
        // accept(2) fail, so the accept thread ends. Connection threads see
        // the stop flag within POLL and close their sockets.
        // SAFETY: the descriptor belongs to `self.listener`, open until the
        // end of this function; shutdown(2) does not touch memory.
        unsafe {
            libc::shutdown(self.listener.as_raw_fd(), libc::SHUT_RDWR);
        }
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

fn accept(
    listener: &TcpListener,
    control: &Arc<Control>,
    handler: &Arc<dyn Handler>,
    tls: Option<&Arc<SslAcceptor>>,
    name: &str,
) {
    for stream in listener.incoming() {
        if control.stopping() {
            break;
        }
        let Ok(stream) = stream else { continue };
        if control.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            control.connections.fetch_sub(1, Ordering::SeqCst);
            continue; // dropped: the client sees the connection closed
        }
        let (c, h, t) = (Arc::clone(control), Arc::clone(handler), tls.cloned());
        let spawned = thread::Builder::new()
            .name(format!("{name}-conn"))
            .spawn(move || {
                serve_connection(stream, t.as_deref(), &c, &*h);
                c.connections.fetch_sub(1, Ordering::SeqCst);
            });
        if spawned.is_err() {
            control.connections.fetch_sub(1, Ordering::SeqCst);
        }
    }
}

fn serve_connection(
    stream: TcpStream,
    tls: Option<&SslAcceptor>,
    control: &Control,
    handler: &dyn Handler,
) {
    let _ = stream.set_nodelay(true);
    // Before the handshake, so that it too polls the stop flag.
    let _ = stream.set_read_timeout(Some(POLL));
    match tls {
        None => serve(stream, control, handler),
        Some(acceptor) => {
            let Some(mut stream) = handshake(acceptor, stream, control) else {
                return;
            };
            serve(&mut stream, control, handler);
            // close_notify, best effort (the peer may be gone already).
            let _ = stream.shutdown();
        }
    }
}

/// The server side of a TLS handshake on `stream`; `None` if it failed
/// (after [`linger`]), took longer than [`HANDSHAKE`] or the server stops.
fn handshake(
    acceptor: &SslAcceptor,
    stream: TcpStream,
    control: &Control,
) -> Option<SslStream<TcpStream>> {
    let started = Instant::now();
    let mut attempt = acceptor.accept(stream);
    loop {
        match attempt {
            Ok(stream) => return Some(stream),
            // A read timed out (the poll interval): go on unless stopping.
            Err(HandshakeError::WouldBlock(mid)) => {
                if control.stopping() || started.elapsed() > HANDSHAKE {
                    return None;
                }
                attempt = mid.handshake();
            }
            Err(HandshakeError::Failure(mut mid)) => {
                linger(mid.get_mut(), control);
                return None;
            }
            Err(HandshakeError::SetupFailure(_)) => return None,
        }
    }
}

/// Stops sending on `stream` (OpenSSL's alert has gone out) and reads and
/// discards what the client still sends, until it closes, [`LINGER`]
/// passes or the server stops. Closing a socket with unread data makes
/// the kernel send a reset, which can destroy the alert before the client
/// reads it; the client then only sees "connection reset".
fn linger(stream: &mut TcpStream, control: &Control) {
    let _ = stream.shutdown(Shutdown::Write);
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) => {}
            Err(_) => return,
        }
        if control.stopping() || started.elapsed() > LINGER {
            return;
        }
    }
}

/// The HTTP/1.1 loop over one connection (a `TcpStream` or an
/// `SslStream`), read through a `BufReader` and written through its
/// `get_mut`: one object for both directions, since an `SslStream` cannot
/// be cloned.
fn serve<S: Read + Write>(stream: S, control: &Control, handler: &dyn Handler) {
    let mut conn = BufReader::new(stream);
    loop {
        let request = match read_request(&mut conn, control) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(status) => {
                let _ = send(
                    conn.get_mut(),
                    &Reply::error(status, "malformed request").to_bytes(false, false),
                );
                return;
            }
        };
        control.requests.fetch_add(1, Ordering::SeqCst);
        let keep_alive = !request.headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("connection") && v.to_ascii_lowercase().contains("close")
        });
        let mut request = request;
        let reply = if control.stopping() {
            Reply::error(503, "server stopping")
        } else if request.body_too_large {
            Reply::error(413, &format!("request body over {MAX_BODY} bytes"))
        } else {
            catch_unwind(AssertUnwindSafe(|| handler.handle(&mut request, control)))
                .unwrap_or_else(|_| Reply::error(500, "internal error in the test server"))
        };
        let bytes = reply.to_bytes(request.method == Method::Head, keep_alive);
        if send(conn.get_mut(), &bytes).is_err() || !keep_alive || request.body_too_large {
            return;
        }
    }
}

/// Writes all of `bytes` and flushes.
fn send<W: Write>(writer: &mut W, bytes: &[u8]) -> io::Result<()> {
    writer.write_all(bytes)?;
    writer.flush()
}

/// Reads one line (CRLF or LF), waiting across read timeouts unless the
/// server stops or the connection stays idle too long.
fn read_line<R: Read>(
    reader: &mut BufReader<R>,
    control: &Control,
    line: &mut Vec<u8>,
) -> io::Result<usize> {
    let started = Instant::now();
    loop {
        match reader.read_until(b'\n', line) {
            Ok(n) => return Ok(n),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if control.stopping() || started.elapsed() > IDLE {
                    return Err(e);
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Reads one request. `Ok(None)`: the connection ended; `Err(status)`: a
/// malformed request, answered with that status and the connection closed.
fn read_request<S: Read + Write>(
    reader: &mut BufReader<S>,
    control: &Control,
) -> Result<Option<Request>, u16> {
    let mut head = 0usize;
    let mut line = Vec::new();
    match read_line(reader, control, &mut line) {
        Ok(0) | Err(_) => return Ok(None),
        Ok(n) => head += n,
    }
    let text = String::from_utf8_lossy(&line).trim_end().to_owned();
    let mut parts = text.split(' ');
    let (Some(method), Some(url), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if !version.starts_with("HTTP/1.") {
        return Err(400);
    }
    let method = match method {
        "GET" => Method::Get,
        "HEAD" => Method::Head,
        "POST" => Method::Post,
        _ => Method::Other,
    };
    let mut headers = Vec::new();
    loop {
        line.clear();
        let n = read_line(reader, control, &mut line).map_err(|_| 400u16)?;
        head += n;
        if n == 0 || head > MAX_HEAD {
            return Err(400);
        }
        let text = String::from_utf8_lossy(&line).trim_end().to_owned();
        if text.is_empty() {
            break;
        }
        let (name, value) = text.split_once(':').ok_or(400u16)?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let get = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    if get("Transfer-Encoding").is_some() {
        return Err(411);
    }
    let length: usize = match get("Content-Length") {
        None => 0,
        Some(v) => v.parse().map_err(|_| 400u16)?,
    };
    if get("Expect").is_some_and(|v| v.eq_ignore_ascii_case("100-continue")) && length <= MAX_BODY {
        let _ = send(reader.get_mut(), b"HTTP/1.1 100 Continue\r\n\r\n");
    }
    let body_too_large = length > MAX_BODY;
    let mut body = Vec::new();
    if body_too_large {
        // Read and discard it (up to a bound) so that the 413 reaches the
        // client instead of a reset for unread data.
        let mut sink = reader
            .by_ref()
            .take(u64::try_from(length.min(16 * MAX_BODY)).unwrap_or(0));
        let _ = io::copy(&mut sink, &mut io::sink());
    } else {
        body.resize(length, 0);
        let mut filled = 0;
        let started = Instant::now();
        while filled < length {
            match reader.read(&mut body[filled..]) {
                Ok(0) => return Err(400),
                Ok(n) => filled += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock
                            | io::ErrorKind::TimedOut
                            | io::ErrorKind::Interrupted
                    ) =>
                {
                    if control.stopping() || started.elapsed() > IDLE {
                        return Ok(None);
                    }
                }
                Err(_) => return Ok(None),
            }
        }
    }
    Ok(Some(Request {
        method,
        url: url.to_owned(),
        headers,
        body,
        body_too_large,
    }))
}

/// The path of a request, without the query string.
pub(crate) fn path(request: &Request) -> &str {
    let url = request.url();
    url.split_once('?').map_or(url, |(p, _)| p)
}

/// The value of the first header named `name` (case-insensitive).
pub(crate) fn header<'a>(request: &'a Request, name: &'static str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Checks that the request is a POST carrying `media_type` and reads its
/// whole body (at most [`MAX_BODY`] bytes, and not empty).
pub(crate) fn read_post(request: &mut Request, media_type: &str) -> Result<Vec<u8>, Reply> {
    if *request.method() != Method::Post {
        return Err(
            Reply::error(405, "only POST is allowed here").with_header("Allow", "POST".into())
        );
    }
    let content_type = header(request, "Content-Type").unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if !essence.eq_ignore_ascii_case(media_type) {
        return Err(Reply::error(
            415,
            &format!("Content-Type must be {media_type}, not {content_type:?}"),
        ));
    }
    read_body(request)
}

/// The whole body (at most [`MAX_BODY`] bytes, refused when empty).
pub(crate) fn read_body(request: &mut Request) -> Result<Vec<u8>, Reply> {
    if request.body.is_empty() {
        return Err(Reply::error(400, "empty request body"));
    }
    Ok(std::mem::take(&mut request.body))
}
