//! Accounts, for administrators: list them, add one, reset a password, change role and region,
//! disable and enable. An account is disabled rather than deleted so that the decisions it made
//! on findings keep their author; disabling, a new password or new rights end its sessions.

use crate::auth::{hash_password, Auth, CsrfForm};
use crate::pages::Frame;
use crate::{AppState, WebError};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use nianbao_store::web::{Role, UserRow};
use serde::Deserialize;

/// The shortest password accepted (as `nianbao user add`).
pub use crate::password::MIN_PASSWORD_CHARS;

#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub frame: Frame,
    pub me: i64,
    pub users: Vec<UserRow>,
    pub agencies: Vec<String>,
    pub notice: Option<String>,
}

fn require_admin(auth: &Auth) -> Result<(), WebError> {
    if auth.user.role == Role::Admin {
        Ok(())
    } else {
        Err(WebError::AdminOnly)
    }
}

#[derive(Deserialize, Default)]
pub struct UsersParams {
    #[serde(default)]
    pub notice: Option<String>,
}

pub async fn users_page(State(state): State<AppState>, auth: Auth, Query(p): Query<UsersParams>) -> Result<Html<String>, WebError> {
    require_admin(&auth)?;
    let users = state.store.list_users().await?;
    let agencies = state.store.region_agencies(None).await?.into_iter().map(|(_, n)| n).collect();
    let notice = p.notice.as_deref().map(|n| match n {
        "added" => "已新建账号".to_string(),
        "password" => "已重设密码；该账号需要重新登录".to_string(),
        "role" => "已修改角色和区域；该账号需要重新登录".to_string(),
        "disabled" => "已停用账号".to_string(),
        "enabled" => "已启用账号".to_string(),
        _ => String::new(),
    });
    Ok(Html(UsersPage { frame: Frame::of(&auth), me: auth.user.id, users, agencies, notice }.render()?))
}

fn check_password(password: &str, account: Option<&str>) -> Result<(), WebError> {
    crate::password::check(password, account).map_err(WebError::BadRequest)
}

/// The role and region of a form: a reviewer needs a region (an agency name in the database).
async fn role_and_region(state: &AppState, role: &str, region: &str) -> Result<(Role, Option<i64>), WebError> {
    let role = Role::parse(role).ok_or_else(|| WebError::BadRequest("角色应为 管理员、审核员 或 填报单位".into()))?;
    let region = region.trim();
    let region_id = match (role, region.is_empty()) {
        (Role::Reviewer, true) => return Err(WebError::BadRequest("审核员需要指定负责的区域（机关名称）".into())),
        (Role::Agency, true) => return Err(WebError::BadRequest("填报单位账号需要指定所属机关（机关名称）".into())),
        (Role::Admin, _) => None,
        (Role::Reviewer | Role::Agency, false) => Some(
            state.store.find_agency(region).await.map_err(|_| WebError::BadRequest(format!("数据库中没有机关“{region}”，请先上传或导入该机关")))?,
        ),
    };
    Ok((role, region_id))
}

async fn hash(state: &AppState, password: String) -> Result<String, WebError> {
    state.config.guards().hash(move || hash_password(&password)).await?
}

#[derive(Deserialize)]
pub struct AddUserForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub region: String,
}

pub async fn add_user(State(state): State<AppState>, f: CsrfForm<AddUserForm>) -> Result<Response, WebError> {
    let CsrfForm { auth, form } = f;
    require_admin(&auth)?;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(WebError::BadRequest("用户名应为 1–64 个字符".into()));
    }
    check_password(&form.password, Some(name))?;
    let (role, region_id) = role_and_region(&state, &form.role, &form.region).await?;
    let hashed = hash(&state, form.password).await?;
    state.store.add_user(name, &hashed, role, region_id).await.map_err(|e| WebError::BadRequest(e.to_string()))?;
    Ok(Redirect::to("/users?notice=added").into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub password: String,
}

pub async fn reset_password(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<PasswordForm>) -> Result<Response, WebError> {
    require_admin(&f.auth)?;
    check_password(&f.form.password, None)?;
    let hashed = hash(&state, f.form.password).await?;
    state.store.set_password(id, &hashed).await.map_err(|_| WebError::NotFound)?;
    Ok(Redirect::to("/users?notice=password").into_response())
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub region: String,
}

pub async fn change_role(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<RoleForm>) -> Result<Response, WebError> {
    require_admin(&f.auth)?;
    let (role, region_id) = role_and_region(&state, &f.form.role, &f.form.region).await?;
    if id == f.auth.user.id && role != Role::Admin {
        return Err(WebError::BadRequest("不能取消自己的管理员角色".into()));
    }
    state.store.set_user_role(id, role, region_id).await.map_err(|_| WebError::NotFound)?;
    Ok(Redirect::to("/users?notice=role").into_response())
}

#[derive(Deserialize)]
pub struct DisableForm {
    /// "1": disable; anything else: enable.
    #[serde(default)]
    pub disable: String,
}

pub async fn set_disabled(State(state): State<AppState>, Path(id): Path<i64>, f: CsrfForm<DisableForm>) -> Result<Response, WebError> {
    require_admin(&f.auth)?;
    let disable = f.form.disable == "1";
    if disable && id == f.auth.user.id {
        return Err(WebError::BadRequest("不能停用自己的账号".into()));
    }
    state.store.set_user_disabled(id, disable).await.map_err(|_| WebError::NotFound)?;
    Ok(Redirect::to(if disable { "/users?notice=disabled" } else { "/users?notice=enabled" }).into_response())
}
