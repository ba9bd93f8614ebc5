#!/usr/bin/env bash
# Makes the Word fixtures the way agencies make them: the HTML pages of tests/fixtures/parse/html
# opened and saved as .docx by LibreOffice. Needs Debian's libreoffice-writer-nogui (and a CJK font
# such as fonts-wqy-zenhei); the tests only read the committed results.
set -euo pipefail
cd "$(dirname "$0")/.."
out=tests/fixtures/office/docx
mkdir -p "$out"
for name in 000_2020 002 003; do
  soffice --headless --convert-to 'docx:MS Word 2007 XML' --outdir "$out" "tests/fixtures/parse/html/$name.html" >/dev/null
  cp "tests/fixtures/parse/html/$name.expected.json" "$out/$name.expected.json"
done
ls -l "$out"

# A Word 97-2003 file, read through LibreOffice's conversion at parse time.
mkdir -p tests/fixtures/office/doc
soffice --headless --convert-to doc --outdir tests/fixtures/office/doc "$out/003.docx" >/dev/null
cp "$out/003.expected.json" tests/fixtures/office/doc/003.expected.json

# PDF exported by LibreOffice from the Word file (the way agencies export theirs).
mkdir -p tests/fixtures/office/pdf
soffice --headless --convert-to pdf --outdir tests/fixtures/office/pdf "$out/000_2020.docx" >/dev/null
cp "$out/000_2020.expected.json" tests/fixtures/office/pdf/000_2020.expected.json
