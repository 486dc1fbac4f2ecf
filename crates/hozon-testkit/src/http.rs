//! The HTTP side shared by the three servers: a `tiny_http` server on
//! `127.0.0.1:0`, a few worker threads, a request counter, body limits, and
//! a shutdown that closes the listening socket before it returns.

use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::os::fd::AsRawFd;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tiny_http::{Header, Method, Request, Response, Server};

use crate::MAX_BODY;

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

    fn into_response(self) -> Response<io::Cursor<Vec<u8>>> {
        let mut response = Response::from_data(self.body).with_status_code(self.status);
        let headers =
            std::iter::once(("Content-Type", self.content_type.to_string())).chain(self.headers);
        for (name, value) in headers {
            if let Ok(header) = Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                response.add_header(header);
            }
        }
        response
    }
}

/// Shared between a server's handle and its workers.
#[derive(Debug, Default)]
pub(crate) struct Control {
    stop: AtomicBool,
    requests: AtomicUsize,
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

/// Answers one request. `request` still has its body unread.
pub(crate) trait Handler: Send + Sync + 'static {
    fn handle(&self, request: &mut Request, control: &Control) -> Reply;
}

/// A running loopback HTTP server.
pub(crate) struct HttpServer {
    server: Arc<Server>,
    control: Arc<Control>,
    /// A second descriptor of the listening socket, used to shut it down.
    listener: TcpListener,
    addr: SocketAddr,
    workers: Vec<JoinHandle<()>>,
}

impl HttpServer {
    /// Binds `127.0.0.1:0` and starts `workers` threads running `handler`.
    pub fn start<H: Handler>(name: &str, handler: H, workers: usize) -> io::Result<HttpServer> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let addr = listener.local_addr()?;
        let shutdown_handle = listener.try_clone()?;
        let server = Arc::new(Server::from_listener(listener, None).map_err(io::Error::other)?);
        let control = Arc::new(Control::default());
        let handler = Arc::new(handler);
        let mut threads = Vec::new();
        for i in 0..workers.max(1) {
            let (s, c, h) = (
                Arc::clone(&server),
                Arc::clone(&control),
                Arc::clone(&handler),
            );
            let spawned = thread::Builder::new()
                .name(format!("{name}-{i}"))
                .spawn(move || work(&s, &c, &*h));
            match spawned {
                Ok(t) => threads.push(t),
                Err(e) => {
                    let partial = HttpServer {
                        server,
                        control,
                        listener: shutdown_handle,
                        addr,
                        workers: threads,
                    };
                    drop(partial);
                    return Err(e);
                }
            }
        }
        Ok(HttpServer {
            server,
            control,
            listener: shutdown_handle,
            addr,
            workers: threads,
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
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
        // accept(2) of tiny_http's accept thread fail, so that thread ends and
        // closes its descriptor. Elsewhere this fails harmlessly and
        // tiny_http's own drop (a connection to itself) ends the thread.
        // SAFETY: the descriptor belongs to `self.listener`, open until the
        // end of this function; shutdown(2) does not touch memory.
        unsafe {
            libc::shutdown(self.listener.as_raw_fd(), libc::SHUT_RDWR);
        }
        for _ in 0..self.workers.len() {
            self.server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

fn work(server: &Server, control: &Control, handler: &dyn Handler) {
    while !control.stopping() {
        let mut request = match server.recv() {
            Ok(request) => request,
            // Unblocked for shutdown, or the listening socket failed.
            Err(_) => break,
        };
        control.requests.fetch_add(1, Ordering::SeqCst);
        let reply = if control.stopping() {
            Reply::error(503, "server stopping")
        } else {
            catch_unwind(AssertUnwindSafe(|| handler.handle(&mut request, control)))
                .unwrap_or_else(|_| Reply::error(500, "internal error in the test server"))
        };
        let _ = request.respond(reply.into_response());
    }
}

/// The path of a request, without the query string.
pub(crate) fn path(request: &Request) -> &str {
    let url = request.url();
    url.split_once('?').map_or(url, |(p, _)| p)
}

/// The value of the first header named `name` (case-insensitive).
pub(crate) fn header<'a>(request: &'a Request, name: &'static str) -> Option<&'a str> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.as_str())
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

/// Reads the whole body, at most [`MAX_BODY`] bytes, refusing an empty one.
pub(crate) fn read_body(request: &mut Request) -> Result<Vec<u8>, Reply> {
    let too_large = || Reply::error(413, &format!("request body over {MAX_BODY} bytes"));
    if request.body_length().is_some_and(|n| n > MAX_BODY) {
        return Err(too_large());
    }
    let mut body = Vec::new();
    let limit = u64::try_from(MAX_BODY)
        .unwrap_or(u64::MAX)
        .saturating_add(1);
    if let Err(e) = request.as_reader().take(limit).read_to_end(&mut body) {
        return Err(Reply::error(
            400,
            &format!("cannot read the request body: {e}"),
        ));
    }
    if body.len() > MAX_BODY {
        return Err(too_large());
    }
    if body.is_empty() {
        return Err(Reply::error(400, "empty request body"));
    }
    Ok(body)
}
