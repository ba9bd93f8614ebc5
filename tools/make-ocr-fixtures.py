#!/usr/bin/env python3
"""Scans and photographs of the bundled reports' tables, for the OCR reader (issue 15).

Usage: python3 tools/make-ocr-fixtures.py [OUT]     (default OUT: tests/fixtures/ocr)

Sources are the project's own fixtures: the Writer PDFs of tests/fixtures/office/pdf-writer, whose
pages holding the statistical tables are rendered by pdftoppm (poppler-utils) at 300 dpi and then
degraded with Pillow (pip install pillow) and numpy. Every output is CLASS_DOC.EXT with
CLASS_DOC.expected.json beside it (the report's expected JSON: the cells of pages left out, and the
title's agency and year, are scored as nulls), so ../shared/tools/score-classes scores them per
class. The random degradations use a fixed seed: output is deterministic for given tool versions.

Classes:
  ocrclean   the table pages scanned black-and-white at 300 dpi, in a PDF without a text layer
  ocrscan    a grey office scan at 200 dpi: each page turned 1-3 degrees, noise, blur, JPEG quality
             40, a red seal stamped over part of the table, in a PDF
  ocrrot     the 300 dpi black-and-white scan fed sideways: every page turned 90 degrees
  ocrphoto   a photograph of the page where 表三 starts, as a JPEG image file: uneven light on yellowish
             paper, 2.5 degrees of tilt, blur, noise, a red seal, 200 dpi
"""
import io, json, math, shutil, subprocess, sys, tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "tests" / "fixtures" / "office" / "pdf-writer"
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests" / "fixtures" / "ocr"
DOCS = ["003", "001"]
# OCR is slow: the clean and sideways scans of one report are enough; the degraded ones of both.
CLASSES = {"ocrclean": ["003"], "ocrrot": ["003"], "ocrscan": DOCS, "ocrphoto": DOCS}
TABLE_WORDS = ["本年制发件数", "本年新制作", "第二十条第（一）项", "本年新收", "申请人情况", "结转下年度", "结果维持", "复议后起诉"]
rng = np.random.default_rng(15)


def table_pages(pdf):
    n = int(next(l.split()[1] for l in subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout.splitlines() if l.startswith("Pages:")))
    pages, end = [], None
    for p in range(1, n + 1):
        text = subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True, text=True).stdout
        text = "".join(text.split())
        # The statistical tables, not the prose around them.
        if any(w in text for w in TABLE_WORDS):
            pages.append(p)
        # The tables end before section 五 (表四's last row may be alone on that page).
        if pages and end is None and "存在的主要问题" in text:
            end = p
    # A table runs on over pages that show none of these words: take every page in between.
    return list(range(pages[0], max(pages[-1], end or 0) + 1)) if pages else []


def render(pdf, page, dpi=300):
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), f"{d}/p"], check=True)
        return Image.open(f"{d}/p.png").convert("L")


def bilevel(img):
    return img.point(lambda v: 255 if v > 190 else 0).convert("1")


def seal(img, centre, radius):
    """A red round seal (ring, star, text) over the table, as organisations stamp their reports."""
    rgb = img.convert("RGB")
    layer = Image.new("RGBA", rgb.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    x, y = centre
    red = (220, 30, 40, 170)
    d.ellipse([x - radius, y - radius, x + radius, y + radius], outline=red, width=max(4, radius // 18))
    pts = [(x + radius * 0.35 * math.cos(math.pi / 2 + k * 4 * math.pi / 5), y - radius * 0.35 * math.sin(math.pi / 2 + k * 4 * math.pi / 5)) for k in range(5)]
    d.polygon(pts, fill=red)
    for k in range(14):
        a = math.pi * (0.15 + 0.7 * k / 13)
        r = radius * 0.75
        d.rectangle([x - r * math.cos(a) - radius * 0.05, y - r * math.sin(a) - radius * 0.05, x - r * math.cos(a) + radius * 0.05, y - r * math.sin(a) + radius * 0.05], fill=red)
    return Image.alpha_composite(rgb.convert("RGBA"), layer).convert("RGB")


def noise(img, sigma):
    a = np.asarray(img).astype(np.float32)
    a = a + rng.normal(0, sigma, a.shape)
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def jpeg(img, quality):
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buf.getvalue()))


def scan(img, angle, stamp):
    """A grey office scan at 200 dpi."""
    img = img.resize((img.width * 2 // 3, img.height * 2 // 3), Image.LANCZOS)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=255)
    img = img.filter(ImageFilter.GaussianBlur(0.6))
    img = noise(img, 6)
    if stamp:
        img = seal(img, (int(img.width * 0.62), int(img.height * 0.45)), int(img.width * 0.11))
    return jpeg(img, 40)


def photo(img):
    """A photograph of the printed page: warm paper, light falling off to one corner, tilt, blur."""
    img = img.resize((img.width * 2 // 3, img.height * 2 // 3), Image.LANCZOS)
    img = img.rotate(-2.5, resample=Image.BICUBIC, expand=True, fillcolor=255)
    a = np.asarray(img).astype(np.float32) / 255.0
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w]
    light = 1.0 - 0.22 * ((xx / w) * 0.6 + (yy / h) * 0.4)
    rgb = np.stack([a * light * 250, a * light * 240, a * light * 215], axis=-1)
    rgb += rng.normal(0, 6, rgb.shape)
    out = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.7))
    # The seal's ring over the coloured photo.
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    x, y, r = int(w * 0.7), int(h * 0.3), int(w * 0.12)
    d.ellipse([x - r, y - r, x + r, y + r], outline=(210, 35, 45, 160), width=max(3, r // 18))
    out = Image.alpha_composite(out.convert("RGBA"), layer).convert("RGB")
    return jpeg(out, 70)


def save_pdf(path, pages, dpi):
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=dpi)


def main():
    for tool in ["pdftoppm", "pdftotext", "pdfinfo"]:
        if shutil.which(tool) is None:
            sys.exit(f"缺少 {tool}（poppler-utils）")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    for doc in DOCS:
        pdf = SRC / f"{doc}.pdf"
        exp = SRC / f"{doc}.expected.json"
        numbers = table_pages(pdf)
        pages = [render(pdf, p) for p in numbers]
        print(f"{doc}: {len(pages)} table pages")
        made = []
        if doc in CLASSES["ocrclean"]:
            save_pdf(OUT / f"ocrclean_{doc}.pdf", [bilevel(p) for p in pages], 300)
            made.append("ocrclean")
        if doc in CLASSES["ocrscan"]:
            angles = [1.2, -2.0, 2.8, -1.5, 3.0, -2.6][: len(pages)]
            save_pdf(OUT / f"ocrscan_{doc}.pdf", [scan(p, a, k == 1) for k, (p, a) in enumerate(zip(pages, angles))], 200)
            made.append("ocrscan")
        if doc in CLASSES["ocrrot"]:
            save_pdf(OUT / f"ocrrot_{doc}.pdf", [bilevel(p).rotate(90, expand=True) for p in pages], 300)
            made.append("ocrrot")
        # The photograph: the page where 表三 starts.
        first = next((k for k, p in enumerate(numbers) if "本年新收" in "".join(subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True, text=True).stdout.split())), 0)
        if doc in CLASSES["ocrphoto"]:
            photo(pages[first]).save(OUT / f"ocrphoto_{doc}.jpg", dpi=(200, 200))
            made.append("ocrphoto")
        for cls in made:
            shutil.copyfile(exp, OUT / f"{cls}_{doc}.expected.json")
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"{len(list(OUT.glob('*.expected.json')))} 个文件写入 {OUT}，共 {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
