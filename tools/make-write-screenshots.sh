#!/bin/sh
# Renders seed reports to DOCX with `nianbao render`, converts them to PDF with LibreOffice and
# to PNG with pdftoppm, and keeps the pages that hold the tables as
# docs/screenshots/write-<report>-p<N>.png. Needs: apt-get install libreoffice-writer-nogui
# fonts-noto-cjk poppler-utils (the fonts of government documents are not free; LibreOffice
# substitutes Noto CJK for 仿宋_GB2312/宋体/黑体).
set -eu
cd "$(dirname "$0")/.."
cargo build -q -p nianbao-cli
BIN=target/debug/nianbao
SEEDS=tests/fixtures/seeds
OUT=docs/screenshots
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
rm -f "$OUT"/write-*.png
render() { # name json year
    "$BIN" render "$2" --year "$3" --format docx -o "$WORK/$1.docx" --force
}
render 2023-layout2021 "$SEEDS/003_5726aaf970dd957d.expected.json" 2023
render 2020-layout2019 "$SEEDS/001_6bdcad6606f9a5c6.expected.json" 2020
for docx in "$WORK"/*.docx; do
    soffice --headless --norestore "-env:UserInstallation=file://$WORK/profile" --convert-to pdf --outdir "$WORK" "$docx" >/dev/null 2>&1
done
for pdf in "$WORK"/*.pdf; do
    name=$(basename "$pdf" .pdf)
    pages=$(pdfinfo "$pdf" | awk '/^Pages:/ {print $2}')
    p=1
    while [ "$p" -le "$pages" ]; do
        text=$(pdftotext -f "$p" -l "$p" "$pdf" - | tr -d ' \n')
        case "$text" in
        *信息内容*|*勾稽关系*|*本年度办理结果*|*结转下年度*|*未经复议直接起诉*)
            pdftoppm -f "$p" -l "$p" -r 80 -png -singlefile "$pdf" "$OUT/write-$name-p$p"
            echo "$OUT/write-$name-p$p.png";;
        esac
        p=$((p + 1))
    done
done
