//! `nianbao serve` (the web workbench) and `nianbao user add` (accounts).

use clap::{Subcommand, ValueEnum};
use nianbao_store::web::Role;
use nianbao_store::{block_on, Store, StoreError};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum RoleArg {
    /// 管理员：可查看全部机关
    Admin,
    /// 审核员：只能查看 --region 机关及其下属机关
    Reviewer,
    /// 填报单位：绑定 --region 指定的一个机关，只能提交本机关的年报、维护本机关的台账
    Agency,
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// 新建账号；在终端上输入两次密码（不回显），否则从标准输入读取一行
    Add {
        /// 用户名
        #[arg(value_name = "用户名")]
        name: String,
        /// 角色
        #[arg(long, value_enum, value_name = "角色")]
        role: RoleArg,
        /// 审核员负责的区域：机关名称（含其全部下属机关）
        #[arg(long, value_name = "机关")]
        region: Option<String>,
    },
}

fn fail(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("错误：{e}");
    ExitCode::from(2)
}

pub fn serve(db: &str, addr: &str, uploads: Option<PathBuf>, secure_cookie: bool) -> ExitCode {
    if let Err(code) = crate::corpus_cmd::require_db(db) {
        return code;
    }
    let mut config = nianbao_web::Config::new(uploads.unwrap_or_else(|| nianbao_web::default_uploads(db)));
    config.secure_cookie = secure_cookie;
    let rt = match tokio_runtime() {
        Ok(rt) => rt,
        Err(e) => return fail(e),
    };
    match rt.block_on(nianbao_web::serve(db, addr, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(e),
    }
}

/// The new password: typed twice without echo on a terminal, else one line of standard input
/// (scripts: `echo 密码 | nianbao user add …`).
fn read_password(name: &str) -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("请输入“{name}”的密码（至少 8 个字符，输入时不显示）：")).map_err(|e| format!("无法读取密码：{e}"))?;
        if first.chars().count() < 8 {
            return Err("密码至少 8 个字符".into());
        }
        let second = rpassword::prompt_password("请再次输入密码：").map_err(|e| format!("无法读取密码：{e}"))?;
        if first != second {
            return Err("两次输入的密码不一致，未新建账号".into());
        }
        return Ok(first);
    }
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).map_err(|e| format!("无法读取密码：{e}"))?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

fn tokio_runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| format!("无法启动运行时：{e}"))
}

pub fn user(cmd: UserCmd, db: &str) -> ExitCode {
    let UserCmd::Add { name, role, region } = cmd;
    let role = match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Reviewer => Role::Reviewer,
        RoleArg::Agency => Role::Agency,
    };
    if role == Role::Reviewer && region.is_none() {
        return fail("审核员需要用 --region 指定负责的区域（机关名称）");
    }
    if role == Role::Agency && region.is_none() {
        return fail("填报单位账号需要用 --region 指定所属机关（机关名称）");
    }
    let password = match read_password(&name) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    if let Err(why) = nianbao_web::password::check(&password, Some(&name)) {
        return fail(why);
    }
    let hash = match nianbao_web::auth::hash_password(&password) {
        Ok(h) => h,
        Err(e) => return fail(e),
    };
    // One runtime for the whole command: a PostgreSQL pool cannot outlive the runtime it was
    // opened on.
    let run = || -> Result<String, StoreError> {
        block_on(async {
            let store = Store::open(db).await?;
            let region_id = match &region {
                Some(r) => Some(store.find_agency(r).await?),
                None => None,
            };
            store.add_user(&name, &hash, role, region_id).await
        })??;
        Ok(match &region {
            Some(r) => format!("已新建{}“{name}”，负责区域：{r}\n", role.zh()),
            None => format!("已新建{}“{name}”\n", role.zh()),
        })
    };
    match run() {
        Ok(s) => {
            print!("{s}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}
