//! Word 97–2003 (.doc) and WPS (.wps) files: no Rust crate reads them well, so when LibreOffice
//! is installed they are converted to .docx (headless, in a temporary folder, with a time limit)
//! and read as such; otherwise the error says how to convert them.

use crate::error::ParseError;
use crate::Extracted;
// soffice starts soffice.bin and friends: the whole process group goes at the end.
use nianbao_ocr::end_group;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn soffice() -> Option<&'static str> {
    ["soffice", "libreoffice"].into_iter().find(|cmd| Command::new(cmd).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success()))
}

pub fn extract(file: &str, bytes: &[u8]) -> Result<Extracted, ParseError> {
    extract_with(file, bytes, &crate::Limits::default())
}

/// Converts with LibreOffice within `limits.time`, then reads the .docx within `limits`.
pub fn extract_with(file: &str, bytes: &[u8], limits: &crate::Limits) -> Result<Extracted, ParseError> {
    let unsupported = |hint: &'static str| ParseError::Unsupported { file: file.into(), format: "Word 97-2003 或 WPS（.doc/.wps）", hint };
    let Some(cmd) = soffice() else {
        return Err(unsupported("本机未安装 LibreOffice；请安装（apt-get install libreoffice-writer-nogui）或先转换为 docx：soffice --headless --convert-to docx 文件名"));
    };
    let dir = std::env::temp_dir().join(format!("nianbao-legacy-{}-{}", std::process::id(), Instant::now().elapsed().as_nanos() ^ (bytes.len() as u128)));
    let result = (|| {
        std::fs::create_dir_all(&dir).map_err(|e| ParseError::Io { file: file.into(), reason: format!("无法创建临时目录：{e}") })?;
        let ext = Path::new(file).extension().and_then(|e| e.to_str()).filter(|e| e.eq_ignore_ascii_case("wps")).unwrap_or("doc");
        let input = dir.join(format!("input.{ext}"));
        std::fs::write(&input, bytes).map_err(|e| ParseError::Io { file: file.into(), reason: format!("无法写入临时文件：{e}") })?;
        // A private profile: a running LibreOffice of the user's would otherwise take the job.
        let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
        let mut command = Command::new(cmd);
        #[cfg(unix)]
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let mut child = command
            .args([profile.as_str(), "--headless", "--convert-to", "docx:MS Word 2007 XML", "--outdir"])
            .arg(&dir)
            .arg(&input)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| ParseError::Io { file: file.into(), reason: format!("无法启动 LibreOffice：{e}") })?;
        let start = Instant::now();
        loop {
            match child.try_wait() {
                Ok(Some(_)) => {
                    // Helpers it left behind go with the group.
                    end_group(&mut child);
                    break;
                }
                Ok(None) if start.elapsed() < limits.time => std::thread::sleep(Duration::from_millis(50)),
                _ => {
                    end_group(&mut child);
                    return Err(ParseError::Limit { file: file.into(), what: format!("LibreOffice 转换超过 {} 秒上限", limits.time.as_secs()) });
                }
            }
        }
        let docx = std::fs::read(dir.join("input.docx"))
            .map_err(|_| ParseError::Corrupt { file: file.into(), format: "Word 97-2003 或 WPS 文档", reason: "LibreOffice 无法转换".into() })?;
        crate::docx::extract_with(file, &docx, limits)
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}
