#!/usr/bin/env python3
"""A multi-page TIFF of a report's table pages, as a document scanner or fax server writes it
(issue 15: image files given directly, every page read).

Usage: python3 tools/make-tiff-fixture.py [OUT]     (default OUT: tests/fixtures/pictures/docs)

Writes pictiff_001.tif: the pages of tests/fixtures/office/pdf-writer/001.pdf that hold the
statistical tables (found as tools/make-ocr-fixtures.py finds them), rendered by pdftoppm
(poppler-utils) at 200 dpi, turned black-and-white and stored CCITT Group 4 (the usual scanner
TIFF) with Pillow, one page per image; and pictiff_001.expected.json, the report's expected JSON
(the title page is not in it: its agency and year are scored as nulls).
"""
import importlib.util, shutil, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "fixtures" / "pictures" / "docs"
spec = importlib.util.spec_from_file_location("ocrfix", ROOT / "tools" / "make-ocr-fixtures.py")
ocrfix = importlib.util.module_from_spec(spec)
sys.argv = sys.argv[:1]
spec.loader.exec_module(ocrfix)


def main():
    pdf = ocrfix.SRC / "001.pdf"
    pages = [ocrfix.bilevel(ocrfix.render(pdf, p, dpi=200)) for p in ocrfix.table_pages(pdf)]
    OUT.mkdir(parents=True, exist_ok=True)
    pages[0].save(OUT / "pictiff_001.tif", save_all=True, append_images=pages[1:], compression="group4", dpi=(200, 200))
    shutil.copyfile(ocrfix.SRC / "001.expected.json", OUT / "pictiff_001.expected.json")
    print(f"{len(pages)} 页写入 {OUT / 'pictiff_001.tif'}")


if __name__ == "__main__":
    main()
