//! The agency tree and the names of each agency, edited by an administrator in the browser
//! (`/agencies`): add an agency under a parent, move an agency, add an alias (merging the
//! agency the alias named before, with its reports and review cases).

use crate::auth::{Auth, CsrfForm};
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nianbao_store::agencies::AgencyInfo;
use serde::Deserialize;

fn require_admin(auth: &Auth) -> Result<(), WebError> {
    if auth.user.scope().is_none() {
        Ok(())
    } else {
        Err(WebError::AdminOnly)
    }
}

#[derive(Template)]
#[template(path = "agencies.html")]
pub struct AgenciesPage {
    pub frame: Frame,
    pub agencies: Vec<AgencyInfo>,
    pub notice: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct TreeParams {
    #[serde(default)]
    pub notice: Option<String>,
}

pub async fn agencies_page(State(state): State<AppState>, auth: Auth, Query(p): Query<TreeParams>) -> Result<Html<String>, WebError> {
    require_admin(&auth)?;
    let notice = p.notice.as_deref().map(|n| match n {
        "added" => "已添加机关",
        "moved" => "已修改上级",
        "alias" => "已添加别名",
        _ => "",
    });
    let page = AgenciesPage { frame: Frame::of(&auth), agencies: state.store.list_agencies().await?, notice: notice.filter(|n| !n.is_empty()).map(str::to_string) };
    Ok(Html(page.render()?))
}

fn name_field(s: &str, what: &str) -> Result<String, WebError> {
    let s = s.trim();
    if s.is_empty() || s.chars().count() > 100 {
        return Err(WebError::BadRequest(format!("{what}应为 1–100 个字")));
    }
    Ok(s.to_string())
}

#[derive(Deserialize)]
pub struct AddForm {
    pub name: String,
    #[serde(default)]
    pub parent: String,
}

pub async fn add(State(state): State<AppState>, f: CsrfForm<AddForm>) -> Result<Response, WebError> {
    require_admin(&f.auth)?;
    let name = name_field(&f.form.name, "机关名称")?;
    let parent = Some(f.form.parent.trim()).filter(|p| !p.is_empty()).map(|p| name_field(p, "上级名称")).transpose()?;
    state.store.add_agency(&name, parent.as_deref()).await?;
    Ok(Redirect::to("/agencies?notice=added").into_response())
}

#[derive(Deserialize)]
pub struct ParentForm {
    #[serde(default)]
    pub parent: String,
}

pub async fn move_agency(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<ParentForm>) -> Result<Response, WebError> {
    require_admin(&f.auth)?;
    state.store.agency_name(id).await.map_err(|_| WebError::NotFound)?;
    let parent = match f.form.parent.trim() {
        "" => None,
        p => Some(state.store.find_agency(p).await.map_err(|_| WebError::BadRequest(format!("没有名为“{p}”的机关，请先添加")))?),
    };
    state.store.set_parent(id, parent).await?;
    Ok(Redirect::to(&format!("/agencies?notice=moved#a-{id}")).into_response())
}

#[derive(Deserialize)]
pub struct AliasForm {
    pub alias: String,
}

pub async fn add_alias(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<AliasForm>) -> Result<Response, WebError> {
    require_admin(&f.auth)?;
    let name = state.store.agency_name(id).await.map_err(|_| WebError::NotFound)?;
    let alias = name_field(&f.form.alias, "别名")?;
    state.store.set_alias(&alias, &name).await?;
    Ok(Redirect::to(&format!("/agencies?notice=alias#a-{id}")).into_response())
}
