//! The password policy of accounts (the `/users` page and `nianbao user add`): at least 12
//! characters, not blank, not a run of one character, not the account's name, and not in a
//! list of common passwords shipped inside the binary.

use std::collections::HashSet;
use std::sync::OnceLock;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

static COMMON_TEXT: &str = include_str!("common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON_TEXT.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect())
}

/// Why a password is refused, in Chinese, or `Ok`.
pub fn check(password: &str, account: Option<&str>) -> Result<(), String> {
    if password.trim().is_empty() {
        return Err("密码不能为空白".into());
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!("密码至少 {MIN_PASSWORD_CHARS} 个字符"));
    }
    let mut distinct: Vec<char> = password.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 {
        return Err("密码过于简单：请使用至少 4 种不同的字符".into());
    }
    let lower = password.trim().to_lowercase();
    if account.is_some_and(|a| !a.trim().is_empty() && lower.contains(&a.trim().to_lowercase())) {
        return Err("密码不能包含用户名".into());
    }
    if common().contains(lower.as_str()) {
        return Err("该密码是常见密码，容易被猜中，请换一个".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused() {
        for (p, why) in [
            ("        ", "空白"),
            ("            ", "空白"),
            ("password", "12"),
            ("aaaaaaaa", "12"),
            ("aaaaaaaaaaaaaaaa", "简单"),
            ("abababababab", "简单"),
            ("password1234", "常见"),
            ("Password1234", "常见"),
            ("qwertyuiop123", "常见"),
            ("123456789012", "常见"),
            ("woaini5201314", "常见"),
        ] {
            let e = check(p, None).expect_err(p);
            assert!(e.contains(why), "{p:?}: {e}");
        }
        assert!(check("zhangsan-2024-x", Some("zhangsan")).unwrap_err().contains("用户名"));
        assert!(common().len() > 5000, "the list is shipped");
    }

    #[test]
    fn reasonable_passwords_pass() {
        for p in ["admin-password", "correct horse battery", "东阿县政务公开2024年", "Tz8#qLm2!vRw"] {
            assert_eq!(check(p, Some("admin2")), Ok(()), "{p}");
        }
    }
}
