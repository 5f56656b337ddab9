//! FILES: what the server sends whole: every hit of a query as CSV or JSON Lines, streamed as it
//! is read (`gazette search --all`), and an indexed source file (a PDF opened at a page).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio_stream::wrappers::ReceiverStream;

use super::params::Params;
use super::{App, Failure};
use crate::Error;
use crate::output::{csv, json};
use crate::search::{self, Engine, SearchConfig};

/// Batches of rows waiting for a slow client: the search waits for it beyond them.
const WAITING: usize = 4;
/// How long a download waits for its client to take a batch before it gives up, so that a client
/// that stops reading does not hold the downloads' turn.
const SLOW_CLIENT: std::time::Duration = std::time::Duration::from_secs(60);

/// The formats a download comes in.
#[derive(Clone, Copy)]
enum Format {
    Csv,
    Lines,
}

/// `GET /download?q=…&format=csv|jsonl` and the filters: every hit, names first, then the
/// paragraphs in the order of the index, as `gazette search --all --csv` (or `--json`) writes
/// them. One download runs at a time; others wait their turn.
pub(super) async fn download(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let asked = Params::parse(raw.as_deref())
        .map_err(Failure::from)
        .and_then(|params| {
            let format = match params.get("format").unwrap_or("csv") {
                "csv" => Format::Csv,
                "jsonl" | "json" => Format::Lines,
                other => {
                    return Err(Failure::bad(format!(
                        "format is csv or jsonl, not {other:?}"
                    )));
                }
            };
            Ok((params.search()?, format))
        });
    let (config, format) = match asked {
        Ok(asked) => asked,
        Err(failure) => return failure.into_response(),
    };
    let permit = match Arc::clone(&app.expensive).acquire_owned().await {
        Ok(permit) => permit,
        Err(_) => return Failure::unavailable().into_response(),
    };
    let engine = match app.engine() {
        Ok(engine) => engine,
        Err(err) => return Failure::from(err).into_response(),
    };
    let (send, receive) = tokio::sync::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(WAITING);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if let Err(err) = write_all(&engine, &config, format, &send, &runtime) {
            // The client left (nothing to tell), or the index failed midway: the body ends with
            // an error, which the client sees as a broken download rather than a short one.
            let _ = send.blocking_send(Err(std::io::Error::other(err.to_string())));
        }
    });
    let (kind, extension) = match format {
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
        Format::Lines => ("application/x-ndjson", "jsonl"),
    };
    let disposition = format!("attachment; filename=\"gazette.{extension}\"");
    let mut response = Body::from_stream(ReceiverStream::new(receive)).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// Streams every hit of `config` into `send`, a batch at a time.
fn write_all(
    engine: &Engine,
    config: &SearchConfig,
    format: Format,
    send: &tokio::sync::mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    runtime: &tokio::runtime::Handle,
) -> Result<(), Error> {
    let mut each = |bytes: Vec<u8>| {
        runtime
            .block_on(send.send_timeout(Ok(bytes), SLOW_CLIENT))
            .map_err(|_| Error::Io(std::io::Error::from(std::io::ErrorKind::BrokenPipe)))
    };
    match format {
        Format::Csv => {
            let layout = csv::Layout::new(search::attribute_names(engine)?, false);
            let mut header = Vec::new();
            layout.header(&mut header)?;
            each(header)?;
            engine.stream(config, &|hits| Ok(layout.rows(&hits)?), &mut each)?;
        }
        Format::Lines => {
            let render = |hits: Vec<search::Hit>| {
                let mut bytes = Vec::new();
                json::hits(&mut bytes, &hits)?;
                Ok(bytes)
            };
            engine.stream(config, &render, &mut each)?;
        }
    }
    Ok(())
}

/// `GET /source?path=…`: an indexed file, as the index names it, and no other: the path must be
/// one of the index's own, so that nothing else on the machine can be asked for (`../`).
pub(super) async fn source(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return Failure::from(bad).into_response(),
    };
    let Some(path) = params.get("path").map(str::to_string) else {
        return Failure::bad("path is missing: the file as a hit names it").into_response();
    };
    let read = async {
        let engine = app.engine()?;
        let indexed = tokio::task::spawn_blocking({
            let path = path.clone();
            move || -> Result<bool, Error> {
                let paths = search::indexed_paths(&engine)?;
                Ok(paths.binary_search(&path).is_ok())
            }
        })
        .await
        .map_err(|_| Failure::internal("the index could not be read"))??;
        if !indexed {
            return Err(Failure {
                status: StatusCode::NOT_FOUND,
                message: format!("no indexed file is named {path}"),
            });
        }
        tokio::fs::read(&path).await.map_err(|err| Failure {
            status: StatusCode::NOT_FOUND,
            message: format!("{path} is indexed but cannot be read now: {err}"),
        })
    }
    .await;
    match read {
        Ok(bytes) => {
            let kind = match path
                .rsplit('.')
                .next()
                .map(str::to_ascii_lowercase)
                .as_deref()
            {
                Some("pdf") => "application/pdf",
                _ => "text/plain; charset=utf-8",
            };
            ([(header::CONTENT_TYPE, kind)], bytes).into_response()
        }
        Err(failure) => failure.into_response(),
    }
}
