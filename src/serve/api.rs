//! API: the JSON endpoints. A hit is the object `gazette search --json` prints; an error is
//! `{"error": message}` with its HTTP status.
//!
//! - `GET /api/search?q=…&limit=&offset=&gazette=&region=&document=&from=&to=&sort=&words=`
//!   `&exact_script=&text_only=`: `{"total", "paragraphs", "documents", "issues", "offset",
//!   "limit", "hits": [...]}`.
//! - `GET /api/stats?q=…&by=year|month|gazette|region|document` (and the filters): `{"by",
//!   "buckets": [...]}`, each bucket as `gazette stats --json` prints it.
//! - `GET /api/show?path=…&paragraph=&context=&document=`: `{"target", "paragraphs": [...]}`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::params::Params;
use super::{App, Failure, blocking};
use crate::output::fields::HitFields;
use crate::report::show::{ShowConfig, show as show_file};
use crate::report::stats::{Bucket, By, stats as count_by};
use crate::search::{Hit, SearchConfig, SearchResult};

/// Paragraphs on each side of the one shown, at most.
const MAX_CONTEXT: usize = 50;

/// `{"error": message}` with `status`.
pub(super) fn error(status: StatusCode, message: &str) -> Response {
    let body = serde_json::json!({ "error": message }).to_string();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn json(value: &impl Serialize) -> Response {
    match serde_json::to_vec(value) {
        Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Err(err) => error(StatusCode::INTERNAL_SERVER_ERROR, &err.to_string()),
    }
}

/// The page of hits `offset..offset + limit` of a search, with its counts.
pub(super) fn page_of(
    app: &App,
    mut config: SearchConfig,
    offset: usize,
    limit: usize,
) -> Result<SearchResult, Failure> {
    config.limit = Some(offset + limit);
    let mut result = app.engine()?.search(&config)?;
    result.hits.drain(..offset.min(result.hits.len()));
    Ok(result)
}

#[derive(Serialize)]
struct Found<'a> {
    total: usize,
    paragraphs: usize,
    documents: usize,
    issues: usize,
    offset: usize,
    limit: usize,
    hits: Vec<HitFields<'a>>,
}

pub(super) async fn search(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let parsed = Params::parse(raw.as_deref())
        .map_err(Failure::from)
        .and_then(|params| {
            let config = params.search()?;
            let (offset, limit) = params.page()?;
            Ok((config, offset, limit))
        });
    let (config, offset, limit) = match parsed {
        Ok(parsed) => parsed,
        Err(failure) => return failure.into_response(),
    };
    let app_for_search = Arc::clone(&app);
    let result = blocking(&app.searches, move || {
        page_of(&app_for_search, config, offset, limit)
    })
    .await;
    match result {
        Ok(result) => json(&Found {
            total: result.total,
            paragraphs: result.paragraphs,
            documents: result.documents,
            issues: result.issues,
            offset,
            limit,
            hits: result.hits.iter().map(HitFields::of).collect(),
        }),
        Err(failure) => failure.into_response(),
    }
}

#[derive(Serialize)]
struct Counted {
    by: &'static str,
    buckets: Vec<Bucket>,
}

/// What to count by, from `by`.
pub(super) fn by(params: &Params) -> Result<(By, &'static str), Failure> {
    Ok(match params.get("by").unwrap_or("year") {
        "year" => (By::Year, "year"),
        "month" => (By::Month, "month"),
        "gazette" => (By::Gazette, "gazette"),
        "region" => (By::Region, "region"),
        "document" => (By::Document, "document"),
        other => {
            return Err(Failure::bad(format!(
                "by is year, month, gazette, region or document, not {other:?}"
            )));
        }
    })
}

/// The buckets of a query's matches, as `gazette stats` counts them. Counting by document reads
/// a label for every paragraph in scope, so it waits for the other expensive requests.
pub(super) async fn buckets(
    app: &Arc<App>,
    params: &Params,
) -> Result<(Vec<Bucket>, &'static str), Failure> {
    let config = params.search()?;
    let (by, name) = by(params)?;
    let permits = match by {
        By::Document => &*app.expensive,
        _ => &app.searches,
    };
    let app_for_count = Arc::clone(app);
    let buckets = blocking(permits, move || {
        Ok(count_by(&app_for_count.engine()?, &config, by)?)
    })
    .await?;
    Ok((buckets, name))
}

pub(super) async fn stats(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return Failure::from(bad).into_response(),
    };
    match buckets(&app, &params).await {
        Ok((buckets, by)) => json(&Counted { by, buckets }),
        Err(failure) => failure.into_response(),
    }
}

#[derive(Serialize)]
struct Shown<'a> {
    /// The index in `paragraphs` of the one asked for.
    target: Option<usize>,
    paragraphs: Vec<HitFields<'a>>,
}

/// The paragraphs `show` asks for: a paragraph of an indexed file with its neighbours.
pub(super) async fn shown(
    app: &Arc<App>,
    params: &Params,
) -> Result<(Vec<Hit>, Option<usize>), Failure> {
    let Some(path) = params.get("path") else {
        return Err(Failure::bad("path is missing: the file as a hit names it"));
    };
    let paragraph = match params.get("paragraph") {
        Some(_) => Some(params.number("paragraph", 0, u32::MAX as usize)? as u64),
        None => None,
    };
    let config = ShowConfig {
        path: path.to_string(),
        paragraph,
        context: params.number("context", 2, MAX_CONTEXT)?,
        document: params.get("document").map(str::to_string),
    };
    let app_for_show = Arc::clone(app);
    let shown = blocking(&app.searches, move || {
        Ok(show_file(&app_for_show.engine()?, &config)?)
    })
    .await?;
    Ok((shown.paragraphs, shown.target))
}

pub(super) async fn show(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Response {
    let params = match Params::parse(raw.as_deref()) {
        Ok(params) => params,
        Err(bad) => return Failure::from(bad).into_response(),
    };
    match shown(&app, &params).await {
        Ok((paragraphs, target)) => json(&Shown {
            target,
            paragraphs: paragraphs.iter().map(HitFields::of).collect(),
        }),
        Err(failure) => failure.into_response(),
    }
}
