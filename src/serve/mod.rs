//! SERVE: `gazette serve`, a local search page and JSON API over a read-only index, for people who
//! do not use a terminal and for scripts that speak HTTP. The same engine and the same JSON as the
//! CLI.
//!
//! The stages, one file each:
//! - `params`: the query string -> a search, read strictly (bounds, percent-encoding, UTF-8).
//! - `api`: `/api/search`, `/api/stats`, `/api/show`: JSON, errors as JSON with their status.
//! - `page`: the page in Chinese, rendered on the server and usable without JavaScript.
//! - `files`: every hit of a query as CSV or JSON Lines, streamed; an indexed source file.
//!
//! Safe by default: it binds to 127.0.0.1 unless told otherwise; it never writes to the index and
//! serves no file but the pages; every text is escaped (maud escapes what it interpolates);
//! queries and pages are bounded; a request that takes too long and a client that sends nothing
//! are cut off; searches that read every hit wait their turn so that they cannot starve the
//! others. The index is read as of its last commit: a request finds `meta.json` changed when
//! `gazette index` committed, and opens the new commit; each request sees one commit throughout.

mod api;
mod files;
mod page;
pub mod params;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::sync::Semaphore;

use crate::Error;
use crate::search::Engine;

/// What `gazette serve` is asked to do.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub index: PathBuf,
    pub addr: SocketAddr,
}

/// How long a request may take before it is answered 503: searches take milliseconds, and a
/// request that takes this long is one the page would not wait for.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a client may take to send its request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Searches at once, per core: a search takes a core while it runs, so more at once only make
/// each slower and hold more memory (a heap per thread).
const SEARCHES_PER_CORE: usize = 2;
/// Requests at once that read every hit or every paragraph in scope (stats by document).
const EXPENSIVE: usize = 1;

/// The server's state, shared by every request.
pub(crate) struct App {
    index: PathBuf,
    /// The open index and the stamp of the `meta.json` it was opened at.
    open: Mutex<Option<(Stamp, Engine)>>,
    pub(crate) searches: Semaphore,
    pub(crate) expensive: Arc<Semaphore>,
}

/// What tells one commit from the next: `meta.json` is written anew at each commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

impl Stamp {
    fn of(index: &Path) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(index.join("meta.json")).ok()?;
        Some(Stamp {
            modified: meta.modified().ok(),
            len: meta.len(),
            inode: meta.ino(),
        })
    }
}

impl App {
    fn new(index: PathBuf) -> App {
        App {
            index,
            open: Mutex::new(None),
            searches: Semaphore::new(
                std::thread::available_parallelism().map_or(1, |n| n.get()) * SEARCHES_PER_CORE,
            ),
            expensive: Arc::new(Semaphore::new(EXPENSIVE)),
        }
    }

    /// The index as of its last commit, opened again when a commit came after the last request.
    pub(crate) fn engine(&self) -> Result<Engine, Error> {
        let stamp = Stamp::of(&self.index);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        if let (Some(stamp), Some((opened, engine))) = (stamp, open.as_ref())
            && stamp == *opened
        {
            return Ok(engine.clone());
        }
        let engine = Engine::open(&self.index)?;
        *open = stamp.map(|stamp| (stamp, engine.clone()));
        Ok(engine)
    }
}

/// A failed request: its status and what to tell the user.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) status: StatusCode,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn bad(message: impl Into<String>) -> Failure {
        Failure {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub(crate) fn unavailable() -> Failure {
        Failure {
            status: StatusCode::SERVICE_UNAVAILABLE,
            message: "the server is shutting down".into(),
        }
    }

    pub(crate) fn internal(message: impl Into<String>) -> Failure {
        Failure {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: message.into(),
        }
    }
}

impl From<params::BadRequest> for Failure {
    fn from(bad: params::BadRequest) -> Failure {
        Failure::bad(bad.0)
    }
}

impl From<Error> for Failure {
    fn from(err: Error) -> Failure {
        let status = match &err {
            Error::Query(_) => StatusCode::BAD_REQUEST,
            Error::Show(_) => StatusCode::NOT_FOUND,
            Error::NoIndex { .. } | Error::IncompatibleIndex { .. } | Error::Busy { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Failure {
            status,
            message: err.to_string(),
        }
    }
}

/// The routes: the page, a paragraph in its context, the timeline, the concordance, the
/// downloads and sources, and the API.
fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page::search))
        .route("/show", get(page::show))
        .route("/timeline", get(page::timeline))
        .route("/kwic", get(page::kwic))
        .route("/download", get(files::download))
        .route("/source", get(files::source))
        .route("/api/search", get(api::search))
        .route("/api/stats", get(api::stats))
        .route("/api/show", get(api::show))
        .fallback(|| async { api::error(StatusCode::NOT_FOUND, "no such page") })
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .with_state(app)
}

/// A server running on a runtime of its own, in a thread: for tests and for embedding.
pub struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Binds `config.addr` (port 0 for any free port) and serves until stopped or dropped.
    pub fn start(config: &ServeConfig) -> Result<Server, Error> {
        let runtime = runtime()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind(config.addr))?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Arc::new(App::new(config.index.clone()));
        let thread = std::thread::spawn(move || {
            runtime.block_on(serve(listener, app, async {
                let _ = stopped.await;
            }));
        });
        Ok(Server {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Serves until Ctrl-C, then finishes the requests under way. `listening` is told the address
/// once it is bound.
pub fn run(config: &ServeConfig, listening: impl FnOnce(SocketAddr)) -> Result<(), Error> {
    let runtime = runtime()?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        listening(listener.local_addr()?);
        let app = Arc::new(App::new(config.index.clone()));
        serve(listener, app, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        Ok(())
    })
}

fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("gazette-serve")
        .build()?)
}

/// Accepts connections until `stop`, each served on its own task with a bound on the time its
/// client takes to send its headers (a client that connects and sends nothing is let go), then
/// waits for the requests under way.
async fn serve(
    listener: tokio::net::TcpListener,
    app: Arc<App>,
    stop: impl std::future::Future<Output = ()>,
) {
    let routes = router(app);
    let graceful = GracefulShutdown::new();
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT);
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors, say: the next accept may succeed.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        // An answer goes out at once, not held back by Nagle's algorithm until the client
        // acknowledges its first part, which a client delays on a connection kept alive.
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(routes.clone());
        let connection = builder.serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    drop(listener);
    // Requests under way get a few seconds to finish.
    let _ = tokio::time::timeout(Duration::from_secs(5), graceful.shutdown()).await;
}

/// Runs `work` on the blocking threads, within `permits`: searches read the index and take a core
/// each.
pub(crate) async fn blocking<T: Send + 'static>(
    permits: &Semaphore,
    work: impl FnOnce() -> Result<T, Failure> + Send + 'static,
) -> Result<T, Failure> {
    let _permit = permits.acquire().await.map_err(|_| Failure {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message: "the server is shutting down".into(),
    })?;
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|_| {
        Err(Failure {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the search failed".into(),
        })
    })
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        api::error(self.status, &self.message)
    }
}
