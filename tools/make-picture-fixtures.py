#!/usr/bin/env python3
"""Reports whose tables are published as pictures, for the picture reader (issue 15).

Usage: python3 tools/make-picture-fixtures.py [OUT]     (default OUT: tests/fixtures/pictures)

Sources are the project's own fixtures, made with the real tools (chromium, pdftoppm, tesseract,
python-docx: pip install python-docx pillow):

Scored documents go to OUT/docs (each CLASS_DOC.EXT with CLASS_DOC.expected.json), the page with
pictures beside it to OUT/rel:

  pichtml_003.html      tests/fixtures/parse/html/003.html with each data table replaced by a PNG
                        screenshot of it (chromium --headless --screenshot, device scale 2), as a
                        data: URI
  picdocx_003.docx      the page's article as a Word file (python-docx): paragraphs as text, each
                        table as the same screenshot, a picture in word/media
  picpdf_003.pdf        pichtml_003.html printed to PDF by chromium: prose in a text layer, the
                        tables as images on the pages
  picgarbage_003.pdf    the table pages of tests/fixtures/office/pdf-writer/003.pdf scanned black-and-
                        white at 300 dpi, each made a PDF by `tesseract -l eng … pdf` (the page image
                        with an invisible text layer, render mode 3, as scanners and ocrmypdf make
                        it; the English model reads the Chinese as garbage), joined by pdfunite
  rel/003.html          the same page with the pictures as files beside it (rel/003_files/*.png),
                        referenced by relative src; scored on its own (the folder is not a report)

The expected JSON is the report's (for picgarbage and piclayer, whose pages hold only the tables,
that of the OCR fixtures: the agency and year of the title page left out are scored as nulls).
"""
import base64, html, importlib.util, json, re, shutil, subprocess, sys, tempfile
from pathlib import Path

from PIL import Image, ImageChops

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "fixtures" / "pictures"
PAGE = ROOT / "tests" / "fixtures" / "parse" / "html" / "003.html"
EXPECTED = ROOT / "tests" / "fixtures" / "parse" / "html" / "003.expected.json"
WRITER = ROOT / "tests" / "fixtures" / "office" / "pdf-writer" / "003.pdf"
# The Word file carries no page header: its date is the signature's, as in the office fixtures.
DOCX_EXPECTED = ROOT / "tests" / "fixtures" / "office" / "docx" / "003.expected.json"
OCR_EXPECTED = ROOT / "tests" / "fixtures" / "ocr" / "ocrclean_003.expected.json"
CSS = "body{margin:0;background:#fff;font-family:'WenQuanYi Zen Hei',sans-serif;font-size:16px}" \
      "table{border-collapse:collapse;margin:10px}td,th{border:1px solid #333;padding:3px;text-align:center}"
TABLE = re.compile(r'<table class="xxgk-table".*?</table>', re.S)


def chromium(*args):
    with tempfile.TemporaryDirectory() as udd:
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--user-data-dir={udd}", *args], check=True, capture_output=True, timeout=120)


def screenshot(table_html, work, name):
    """The table alone on a white page, screenshot at device scale 2, cropped to its ink."""
    src = work / f"{name}.html"
    src.write_text(f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{CSS}</style></head>'
                   f'<body>{table_html}</body></html>', "utf-8")
    png = work / f"{name}.png"
    chromium("--force-device-scale-factor=2", "--window-size=1200,2000", f"--screenshot={png}", f"file://{src}")
    img = Image.open(png).convert("L")
    box = ImageChops.invert(img).getbbox()
    img = img.crop((max(0, box[0] - 24), max(0, box[1] - 24), min(img.width, box[2] + 24), min(img.height, box[3] + 24)))
    # Grey levels as the browser drew them (anti-aliased), as a screenshot of a page is; 16 of
    # them (4 bits) keep the fixtures small.
    img = img.point(lambda v: v // 17 * 17).quantize(16)
    img.save(png, optimize=True, bits=4)
    return png


def expected(dst, src=EXPECTED):
    shutil.copy(src, dst)


def docx_of(page, pngs, dst):
    import docx
    from docx.shared import Cm
    body = page[page.index('id="zoom"'):]
    body = body[body.index(">") + 1:]
    doc = docx.Document()
    title = re.search(r'<meta name="ArticleTitle" content="([^"]*)"', page)
    if title:
        doc.add_paragraph(html.unescape(title.group(1)))
    parts = TABLE.split(body)
    for i, part in enumerate(parts):
        # The article's paragraphs, as text (tags dropped, one paragraph per block element).
        part = part.split('<div class="article-foot')[0]
        for p in re.split(r"</p>|<br\s*/?>|</div>|</h\d>", part):
            text = html.unescape(re.sub(r"<[^>]+>|\s+", "", p))
            if text:
                doc.add_paragraph(text)
        if i < len(pngs):
            doc.add_paragraph().add_run().add_picture(str(pngs[i]), width=Cm(16))
    doc.save(dst)


def main():
    out = OUT / "docs"
    out.mkdir(parents=True, exist_ok=True)
    page = PAGE.read_text("utf-8")
    with tempfile.TemporaryDirectory() as d:
        work = Path(d)
        tables = TABLE.findall(page)
        assert len(tables) == 3, len(tables)
        pngs = [screenshot(t, work, f"t{i + 2}") for i, t in enumerate(tables)]

        # Data URIs.
        it = iter(pngs)
        data = TABLE.sub(lambda m: f'<p><img alt="" style="width:800px" src="data:image/png;base64,{base64.b64encode(next(it).read_bytes()).decode()}"></p>', page)
        (out / "pichtml_003.html").write_text(data, "utf-8")
        expected(out / "pichtml_003.expected.json")

        # Relative files.
        rel = OUT / "rel"
        files = rel / "003_files"
        files.mkdir(parents=True, exist_ok=True)
        names = []
        for p in pngs:
            shutil.copy(p, files / p.name)
            names.append(p.name)
        it = iter(names)
        (rel / "003.html").write_text(TABLE.sub(lambda m: f'<p><img alt="" src="003_files/{next(it)}"></p>', page), "utf-8")
        expected(rel / "003.expected.json")

        # Word.
        docx_of(page, pngs, out / "picdocx_003.docx")
        expected(out / "picdocx_003.expected.json", DOCX_EXPECTED)

        # Chromium's PDF of the page with pictures: a text layer, the tables as images.
        src = work / "pichtml.html"
        src.write_text(data, "utf-8")
        chromium("--no-pdf-header-footer", f"--print-to-pdf={out / 'picpdf_003.pdf'}", f"file://{src}")
        expected(out / "picpdf_003.expected.json")

        # Scans with an invisible text layer, garbage and good; the table pages chosen as the OCR
        # fixtures choose them.
        spec = importlib.util.spec_from_file_location("ocrfix", ROOT / "tools" / "make-ocr-fixtures.py")
        ocrfix = importlib.util.module_from_spec(spec)
        sys.argv = sys.argv[:1]
        spec.loader.exec_module(ocrfix)
        pages = ocrfix.table_pages(WRITER)
        for cls, lang in [("picgarbage", "eng"), ("piclayer", "chi_sim")]:
            parts = []
            for p in pages:
                png = work / f"s{p}.png"
                if not png.exists():
                    subprocess.run(["pdftoppm", "-r", "300", "-gray", "-png", "-f", str(p), "-l", str(p), "-singlefile", str(WRITER), str(work / f"s{p}")], check=True)
                    img = Image.open(png).convert("L").point(lambda v: 255 if v > 190 else 0).convert("1")
                    img.save(png, dpi=(300, 300))
                subprocess.run(["tesseract", str(png), str(work / f"{cls}{p}"), "-l", lang, "--dpi", "300", "pdf"], check=True, capture_output=True)
                parts.append(str(work / f"{cls}{p}.pdf"))
            subprocess.run(["pdfunite", *parts, str(out / f"{cls}_003.pdf")], check=True)
            expected(out / f"{cls}_003.expected.json", OCR_EXPECTED)

        subprocess.run(["pdfseparate", "-f", "1", "-l", "1", str(WRITER), str(work / "first.pdf")], check=True)
        subprocess.run(["pdfunite", str(work / "first.pdf"), str(out / "piclayer_003.pdf"), str(out / "picmix_003.pdf")], check=True)
        expected(out / "picmix_003.expected.json", WRITER.with_suffix(".expected.json"))


if __name__ == "__main__":
    main()
