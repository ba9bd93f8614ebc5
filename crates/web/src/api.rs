//! The JSON API under `/api/` (described by `assets/openapi.json`, served at
//! `/api/openapi.json`): the same data as the pages, limited to the user's region.

use crate::auth::Auth;
use crate::pages::{self, DashParams, ListParams};
use crate::{AppState, WebError};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Errors of the API as JSON: `{"error": "…"}` with the page's status code.
pub struct ApiError(WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> ApiError {
        ApiError(e)
    }
}

impl From<nianbao_store::StoreError> for ApiError {
    fn from(e: nianbao_store::StoreError) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0.status(), Json(json!({ "error": self.0.to_string() }))).into_response()
    }
}

pub async fn reports(State(state): State<AppState>, auth: Auth, Query(params): Query<ListParams>) -> Result<Json<Value>, ApiError> {
    let q = params.query(&auth.user);
    let (rows, total) = state.store.list_reports(&q).await?;
    let reports: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "id": r.id, "agency_id": r.agency_id, "agency": r.agency, "parent": r.parent, "year": r.year, "layout": r.layout,
                "published": r.published, "errors": r.errors, "warnings": r.warnings, "findings": r.findings, "decided": r.decided,
                "review": pages::review_status(r.findings, r.decided),
            })
        })
        .collect();
    Ok(Json(json!({ "total": total, "offset": q.offset, "limit": q.limit, "reports": reports })))
}

pub async fn report(State(state): State<AppState>, auth: Auth, Path(id): Path<i64>) -> Result<Json<Value>, ApiError> {
    let l = pages::load(&state, &auth, id).await?;
    let d = &l.detail;
    let findings: Vec<Value> = l
        .findings
        .iter()
        .map(|f| {
            let decision = l.decisions.get(&f.key).map(|x| json!({ "status": x.status, "comment": x.comment, "by": x.user, "at": x.at }));
            json!({
                "id": f.id, "rule": f.rule, "severity": f.severity, "kind": f.kind, "message": f.message,
                "expected": f.expected.as_deref().and_then(|e| serde_json::from_str::<Value>(e).ok()),
                "found": f.found.as_deref().and_then(|e| serde_json::from_str::<Value>(e).ok()),
                "cells": serde_json::from_str::<Value>(&f.cells).unwrap_or(Value::Null),
                "line": f.line, "column": f.column, "key": f.key, "decision": decision,
            })
        })
        .collect();
    let prose: Vec<Value> = pages::prose_of(&d.prose_json).into_iter().map(|(n, h, t)| json!({ "number": n, "heading": h, "text": t })).collect();
    Ok(Json(json!({
        "id": d.id, "agency_id": d.agency_id, "agency": d.agency, "parent": d.parent, "year": d.year, "layout": d.layout,
        "published": d.published, "title": d.title, "current": d.is_current, "errors": d.errors, "warnings": d.warnings,
        "report": nianbao_model::json::to_json(&l.report),
        "findings": findings,
        "prose": prose,
    })))
}

pub async fn dashboard(State(state): State<AppState>, auth: Auth, Query(params): Query<DashParams>) -> Result<Json<Value>, ApiError> {
    let d = pages::dashboard_data(&state, &auth, &params).await?;
    serde_json::to_value(&d).map(Json).map_err(|e| ApiError(WebError::Internal(e.to_string())))
}

/// The OpenAPI description (public: it holds no data).
pub async fn openapi() -> Response {
    match crate::asset_text("openapi.json") {
        Some(text) => ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], text).into_response(),
        None => ApiError(WebError::NotFound).into_response(),
    }
}
