#!/usr/bin/env bash
# Makes the Word and PDF fixtures of tests/fixtures/office the way agencies make them: each seed
# report (the article of its page in tests/fixtures/parse/html, with its title) written as a
# document, saved as .docx by LibreOffice, exported to PDF by LibreOffice from that .docx, and
# printed to PDF by Chromium. Special cases: a landscape page, a table split across two pages
# with its header repeated, and tables without ruling lines. Every fixture gets the expected JSON
# of its seed report. Needs Debian's libreoffice-writer-nogui, fonts-noto-cjk, fonts-wqy-zenhei and
# chromium (installed when missing); the tests only read the committed results.
#
# `tools/make-office-fixtures.sh type3` makes only the Type 3 font fixtures (part 7), leaving the
# others as they are; it needs python3 with fontTools (pip install fonttools) besides.
set -euo pipefail
part=${1:-all}
cd "$(dirname "$0")/.."
root=$PWD
out=tests/fixtures/office
if ! command -v soffice >/dev/null || ! command -v chromium >/dev/null; then
  apt-get update && apt-get install -y --no-install-recommends libreoffice-writer-nogui fonts-noto-cjk fonts-wqy-zenhei chromium
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
profile="-env:UserInstallation=file://$work/lo-profile"

# 1. Clean documents (HTML) from the seed pages: the title, the article, print styles.
python3 - "$root/tests/fixtures/parse/html" "$work/src" <<'PY'
import html, json, re, sys
from pathlib import Path
src, dst = Path(sys.argv[1]), Path(sys.argv[2])
dst.mkdir(parents=True, exist_ok=True)
NAMES = ["000_2020", "000_2021", "000_2022", "000_2023", "001", "002", "003", "004"]

def article(page):
    """The inner HTML of the element with id=zoom (the article body)."""
    m = re.search(r'<(\w+)\b[^>]*\bid="?zoom"?[^>]*>', page, re.I)
    if not m:
        raise SystemExit("no #zoom")
    depth, pos, tag = 1, m.end(), m.group(1)
    for t in re.finditer(r'<(/?)' + tag + r'\b[^>]*>', page[pos:], re.I):
        depth += -1 if t.group(1) else 1
        if depth == 0:
            return page[pos:pos + t.start()]
    raise SystemExit("unclosed #zoom")

def title(page):
    m = re.search(r'<title>(.*?)</title>', page, re.I | re.S)
    return html.unescape(m.group(1)).split("_")[0].strip() if m else ""

def strip_styles(body):
    # Word-like documents: no web fonts/widths; keep merges (rowspan/colspan) and alignment.
    body = re.sub(r'\s(style|class|width|height|lang)=("[^"]*"|\'[^\']*\'|[^\s>]+)', '', body, flags=re.I)
    return re.sub(r'</?(font|span|o:p)\b[^>]*>', '', body, flags=re.I)

CSS = {
    "portrait": "@page{size:A4;margin:2.2cm 2cm}",
    "landscape": "@page{size:A4 landscape;margin:1.8cm 2cm}",
}
def signature(body, expected):
    """A Word document ends with the agency and the date; add them when the article lacks the date."""
    r = expected[0]
    if not r.get("published"):
        return ""
    y, m, d = (int(x) for x in r["published"].split("-"))
    text = re.sub(r'<[^>]+>|\s', '', html.unescape(body))
    if f"{y}年{m}月{d}日" in text or r["published"] in text:
        return ""
    return f'<p align="right">{html.escape(r["agency"])}</p>\n<p align="right">{y}年{m}月{d}日</p>\n'

def page(name, body, tit, *, orient="portrait", rules=True, font="14pt", repeat_head=False):
    expected = json.loads((src / f"{name}.expected.json").read_text("utf-8"))
    text = re.sub(r'<[^>]+>|\s', '', html.unescape(body))
    has_title = tit and re.sub(r'\s', '', tit) in text[:len(tit) + 12]
    head = "" if has_title else f'<p align="center"><b>{html.escape(tit)}</b></p>\n'
    body = body + signature(body, expected)
    border = "1px solid #000" if rules else "none"
    css = (CSS[orient] + f"body{{font-family:'Noto Serif CJK SC','WenQuanYi Zen Hei',serif;font-size:{font};line-height:1.5}}"
           f"table{{border-collapse:collapse;width:100%;font-size:10.5pt}}td,th{{border:{border};padding:2px 4px;text-align:center}}"
           "p{margin:0 0 4pt;text-indent:2em}")
    if repeat_head:
        css += "thead{display:table-header-group}tr{break-inside:avoid}"
    return (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(tit)}</title>'
            f'<style>{css}</style></head><body>\n{head}{body}\n</body></html>\n')

def thead(body):
    """Moves each table's first row into a <thead> so that it repeats on every page."""
    def one(m):
        t = m.group(0)
        t = re.sub(r'<tbody\b[^>]*>|</tbody>', '', t, flags=re.I)
        rows = re.split(r'(?i)(?=<tr\b)', t)
        if len(rows) < 3:
            return t
        return rows[0] + "<thead>" + rows[1] + "</thead><tbody>" + "".join(rows[2:]).replace("</table>", "</tbody></table>").replace("</TABLE>", "</tbody></TABLE>")
    return re.sub(r'(?is)<table\b.*?</table>', one, body)

for n in NAMES:
    p = (src / f"{n}.html").read_text("utf-8")
    body, tit = strip_styles(article(p)), title(p)
    (dst / f"{n}.html").write_text(page(n, body, tit), "utf-8")
    (dst / f"{n}.json").write_text((src / f"{n}.expected.json").read_text("utf-8"), "utf-8")
# Special cases (named after the seed they come from).
def special(n, suffix, **kw):
    p = (src / f"{n}.html").read_text("utf-8")
    body = strip_styles(article(p))
    if kw.pop("with_thead", False):
        body = thead(body)
    (dst / f"{n}_{suffix}.html").write_text(page(n, body, title(p), **kw), "utf-8")
    (dst / f"{n}_{suffix}.json").write_text((src / f"{n}.expected.json").read_text("utf-8"), "utf-8")
special("003", "landscape", orient="landscape")
special("000_2023", "norules", rules=False)
special("004", "norules", rules=False)
# Big type makes 表三 run over a page break; its header row repeats on the next page.
special("002", "split", font="22pt", repeat_head=True, with_thead=True)
special("000_2022", "split", font="26pt", repeat_head=True, with_thead=True)
# For Writer the header row is marked in the .docx instead (below), as Word's 重复标题行 does.
special("002", "wsplit", font="17pt")
PY

convert() { # FILTER OUTDIR INPUT...
  local filter=$1 dir=$2; shift 2
  mkdir -p "$dir"
  soffice "$profile" --headless --convert-to "$filter" --outdir "$dir" "$@" >/dev/null 2>&1
}
chrome_pdf() { # INPUT.html OUTPUT.pdf  (WenQuanYi Zen Hei here: a TrueType CJK font, smaller files)
  local udd; udd=$(mktemp -d)
  sed "s/'Noto Serif CJK SC','WenQuanYi Zen Hei'/'WenQuanYi Zen Hei'/" "$1" > "$udd.html"
  chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$udd" --no-pdf-header-footer \
    --print-to-pdf="$2" "file://$udd.html" >/dev/null 2>&1
  rm -rf "$udd" "$udd.html"
}

type3_pdfs() {
  # 7. Type 3 fonts. A font whose licence forbids embedding (OS/2 fsType = 2, "restricted", as
  # many commercial Chinese fonts are marked) cannot go into the PDF as a font program, so
  # Chromium draws each glyph as a Type 3 procedure, in many small fonts of at most 256 glyphs,
  # each with a ToUnicode map. The font here is WenQuanYi Zen Hei renamed and marked restricted.
  local fdir="$work/restricted"
  mkdir -p "$fdir/fonts" "$fdir/cache"
  python3 - "$fdir/fonts/restricted.ttf" <<'PY'
import sys
from fontTools.ttLib import TTCollection
font = TTCollection('/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc').fonts[0]
font['OS/2'].fsType = 2
for rec in font['name'].names:
    if rec.nameID in (1, 4, 16):
        rec.string = 'Nianbao Restricted Hei'
    elif rec.nameID == 6:
        rec.string = 'NianbaoRestrictedHei'
font.save(sys.argv[1])
PY
  cat > "$fdir/fonts.conf" <<EOF
<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include><dir>$fdir/fonts</dir><cachedir>$fdir/cache</cachedir></fontconfig>
EOF
  for n in 003 000_2020; do
    sed "s/'Noto Serif CJK SC','WenQuanYi Zen Hei',serif/'Nianbao Restricted Hei'/" "$work/src/$n.html" > "$work/src/${n}_type3.html"
    FONTCONFIG_FILE="$fdir/fonts.conf" chrome_pdf "$work/src/${n}_type3.html" "$out/special/${n}_type3_chromium.pdf"
    if [ "$(pdffonts "$out/special/${n}_type3_chromium.pdf" | grep -c 'Type 3')" = 0 ]; then
      echo "Chromium did not write Type 3 fonts for $n" >&2
      exit 1
    fi
    cp "$work/src/$n.json" "$out/special/${n}_type3_chromium.expected.json"
  done
}
if [ "$part" = type3 ]; then
  type3_pdfs
  du -sh "$out/special"
  exit 0
fi

rm -rf "$out/docx" "$out/pdf" "$out/pdf-writer" "$out/pdf-chromium" "$out/special"
mkdir -p "$out/docx" "$out/pdf-writer" "$out/pdf-chromium" "$out/special" "$out/doc"

# 2. Word: LibreOffice Writer opens the document and saves it as .docx.
for f in "$work"/src/*.html; do
  n=$(basename "$f" .html)
  case $n in *_*[a-z]) continue ;; esac   # specials below
  convert 'docx:MS Word 2007 XML' "$work/docx" --infilter='HTML (StarWriter)' "$f"
  cp "$work/docx/$n.docx" "$out/docx/$n.docx"
  cp "$work/src/$n.json" "$out/docx/$n.expected.json"
done

# 3. PDF exported by LibreOffice from the .docx (the way agencies export theirs).
for f in "$out"/docx/*.docx; do
  n=$(basename "$f" .docx)
  convert pdf "$work/pdfw" "$f"
  cp "$work/pdfw/$n.pdf" "$out/pdf-writer/$n.pdf"
  cp "$out/docx/$n.expected.json" "$out/pdf-writer/$n.expected.json"
done

# 4. PDF printed by Chromium from the document.
for f in "$work"/src/*.html; do
  n=$(basename "$f" .html)
  case $n in *_*[a-z]) continue ;; esac
  chrome_pdf "$f" "$out/pdf-chromium/$n.pdf"
  cp "$work/src/$n.json" "$out/pdf-chromium/$n.expected.json"
done

# 5. Special cases: landscape (Chromium and LibreOffice), no ruling lines, tables split over pages.
for n in 003_landscape 000_2023_norules 004_norules 002_split 000_2022_split; do
  chrome_pdf "$work/src/$n.html" "$out/special/${n}_chromium.pdf"
  cp "$work/src/$n.json" "$out/special/${n}_chromium.expected.json"
done
for n in 003_landscape 002_wsplit; do
  convert 'docx:MS Word 2007 XML' "$work/sdocx" --infilter='HTML (StarWriter)' "$work/src/$n.html"
  # Repeat the first row of each table on every page (w:tblHeader) when it merges no rows.
  python3 - "$work/sdocx/$n.docx" <<'PY'
import re, sys, zipfile
path = sys.argv[1]
z = zipfile.ZipFile(path)
items = [(i, z.read(i.filename)) for i in z.infolist()]
z.close()
def mark(m):
    tbl = m.group(0)
    tr = re.search(r'<w:tr\b[^>]*>.*?</w:tr>', tbl, re.S)
    if not tr or 'w:vMerge' in tr.group(0):
        return tbl
    row = tr.group(0)
    if '<w:trPr>' in row:
        new = row.replace('<w:trPr>', '<w:trPr><w:tblHeader/>', 1)
    else:
        new = re.sub(r'(<w:tr\b[^>]*>)', r'\1<w:trPr><w:tblHeader/></w:trPr>', row, count=1)
    return tbl.replace(row, new, 1)
with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as out:
    for info, data in items:
        if info.filename == 'word/document.xml':
            data = re.sub(r'<w:tbl>.*?</w:tbl>', mark, data.decode('utf-8'), flags=re.S).encode('utf-8')
        out.writestr(info, data)
PY
  convert pdf "$work/spdf" "$work/sdocx/$n.docx"
  cp "$work/spdf/$n.pdf" "$out/special/${n}_writer.pdf"
  cp "$work/src/$n.json" "$out/special/${n}_writer.expected.json"
done

# 002_wsplit_writer: at 17pt 表四 is wider than the page and Writer's PDF loses its last column
# (复议后起诉 总计); the reader restores it from the group totals (recover::review_row_one_lost).

# 6. A Word 97-2003 file, read through LibreOffice's conversion at parse time.
convert doc "$work/doc" "$out/docx/003.docx"
cp "$work/doc/003.doc" "$out/doc/003.doc"
cp "$out/docx/003.expected.json" "$out/doc/003.expected.json"

type3_pdfs

du -sh "$out"/*
