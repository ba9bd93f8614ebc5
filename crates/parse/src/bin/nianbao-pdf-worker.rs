//! A PDF worker on its own, for the tests of `nianbao_parse::worker` and for programs that do not
//! call `nianbao_parse::worker::init` in their `main` (the `nianbao` binary serves as its own
//! worker). Started by hand it explains itself and exits.

fn main() {
    nianbao_parse::worker::init();
    eprintln!("nianbao-pdf-worker：供 nianbao 内部读取 PDF 使用（环境变量 NIANBAO_PDF_WORKER=1 时从标准输入读取请求），无需直接运行");
    std::process::exit(2);
}
