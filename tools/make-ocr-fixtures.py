#!/usr/bin/env python3
"""Scans and photographs of the bundled reports' tables, for the OCR reader (issue 15).

Usage: python3 tools/make-ocr-fixtures.py [OUT] [--only CLASS,...]     (default OUT: tests/fixtures/ocr)

--only writes just the named classes (their old files replaced, the other classes' files kept as
they are): every class is still computed, so the random sequence each draws from is the same as
in a full run.

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
  ocrphoto   every table page photographed with a phone and kept as its "scanner" PDF: the page in
             perspective (a keystone of 2-5 %, a different side farther away on each page), turned
             1-3 degrees, light falling off towards one corner on warm paper, noise, blur, a red seal,
             JPEG quality 70, 160 dpi
  ocrchrome  the 300 dpi black-and-white scan of a Chromium-printed report (another font: its narrow
             oval zero is what Tesseract's English model reads as 6)
  ocrjpeg    a photograph of the page where 表三 starts, as a JPEG image file: uneven light on yellowish
             paper, 2.5 degrees of tilt, blur, noise, a red seal, 200 dpi (no perspective)
"""
import argparse, io, json, math, shutil, subprocess, sys, tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "tests" / "fixtures" / "office" / "pdf-writer"
CHROMIUM = ROOT / "tests" / "fixtures" / "office" / "pdf-chromium"
_cli = argparse.ArgumentParser(description="OCR fixtures: scans and photographs of the bundled reports' tables")
_cli.add_argument("out", nargs="?", default=str(ROOT / "tests" / "fixtures" / "ocr"))
_cli.add_argument("--only", help="comma-separated classes to write")
_args = _cli.parse_args()
OUT = Path(_args.out)
ONLY = _args.only
DOCS = ["003", "001"]
# OCR is slow: the clean and sideways scans of one report are enough; the degraded ones of both;
# one loose image file.
CLASSES = {"ocrclean": ["003"], "ocrrot": ["003"], "ocrscan": DOCS, "ocrphoto": DOCS, "ocrjpeg": ["003"], "ocrchrome": ["001"]}
WRITE = set(ONLY.split(",")) if ONLY else set(CLASSES)
if not WRITE <= set(CLASSES):
    sys.exit(f"未知的类别：{', '.join(sorted(WRITE - set(CLASSES)))}")
TABLE_WORDS = ["本年制发件数", "本年新制作", "第二十条第（一）项", "本年新收", "申请人情况", "结转下年度", "结果维持", "复议后起诉"]
rng = np.random.default_rng(15)
# The phone photographs draw from their own sequence: the other classes keep their bytes.
phone_rng = np.random.default_rng(1515)


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


def keystone(img, far, amount):
    """The page seen in perspective: side `far` (top, right, bottom, left) farther from the camera,
    so shorter by `amount` of its length, and a little lower (or further in)."""
    w, h = img.size
    dx, dy = w * amount / 2, h * amount / 2
    # Where each corner of the page lands (top-left, top-right, bottom-right, bottom-left).
    corners = {
        "top": [(dx, h * 0.012), (w - dx, h * 0.012), (w, h), (0, h)],
        "bottom": [(0, 0), (w, 0), (w - dx, h * 0.988), (dx, h * 0.988)],
        "left": [(w * 0.012, dy), (w, 0), (w, h), (w * 0.012, h - dy)],
        "right": [(0, 0), (w * 0.988, dy), (w * 0.988, h - dy), (0, h)],
    }[far]
    # PIL maps output pixels to input pixels: solve the homography from the landed corners back.
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    a, b = [], []
    for (x, y), (u, v) in zip(corners, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.extend([u, v])
    coeffs = np.linalg.solve(np.array(a, dtype=float), np.array(b, dtype=float))
    return img.transform((w, h), Image.PERSPECTIVE, tuple(coeffs), Image.BICUBIC, fillcolor=255)


def phone(img, far, amount, angle, corner):
    """A phone's photograph of a printed page: perspective, tilt, warm paper with the light falling
    off from one corner, grain, blur, the seal, JPEG 70 at 160 dpi."""
    img = img.resize((img.width * 8 // 15, img.height * 8 // 15), Image.LANCZOS)
    img = keystone(img, far, amount)
    img = img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
    a = np.asarray(img).astype(np.float32) / 255.0
    h, w = a.shape
    yy, xx = np.mgrid[0:h, 0:w]
    cx, cy = corner
    dist = np.sqrt(((xx / w) - cx) ** 2 + ((yy / h) - cy) ** 2) / math.sqrt(2)
    light = 1.0 - 0.28 * dist
    rgb = np.stack([a * light * 248, a * light * 236, a * light * 210], axis=-1)
    rgb += phone_rng.normal(0, 5, rgb.shape)
    out = Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(0.6))
    layer = Image.new("RGBA", out.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(layer)
    x, y, r = int(w * (0.3 + 0.4 * cx)), int(h * (0.25 + 0.4 * cy)), int(w * 0.11)
    d.ellipse([x - r, y - r, x + r, y + r], outline=(205, 40, 50, 150), width=max(3, r // 18))
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
        if old.name.split("_")[0] in WRITE:
            old.unlink()
    for doc in DOCS:
        pdf = SRC / f"{doc}.pdf"
        exp = SRC / f"{doc}.expected.json"
        numbers = table_pages(pdf)
        pages = [render(pdf, p) for p in numbers]
        print(f"{doc}: {len(pages)} table pages")
        made = []
        if doc in CLASSES["ocrclean"]:
            made.append(("ocrclean", lambda: save_pdf(OUT / f"ocrclean_{doc}.pdf", [bilevel(p) for p in pages], 300)))
        if doc in CLASSES["ocrscan"]:
            angles = [1.2, -2.0, 2.8, -1.5, 3.0, -2.6][: len(pages)]
            scans = [scan(p, a, k == 1) for k, (p, a) in enumerate(zip(pages, angles))]
            made.append(("ocrscan", lambda: save_pdf(OUT / f"ocrscan_{doc}.pdf", scans, 200)))
        if doc in CLASSES["ocrrot"]:
            made.append(("ocrrot", lambda: save_pdf(OUT / f"ocrrot_{doc}.pdf", [bilevel(p).rotate(90, expand=True) for p in pages], 300)))
        # The loose photograph: the page where 表三 starts. Taken of both reports, as when it was
        # the photo class, so that the shared random sequence (and the classes after it) stay put.
        first = next((k for k, p in enumerate(numbers) if "本年新收" in "".join(subprocess.run(["pdftotext", "-f", str(p), "-l", str(p), str(pdf), "-"], capture_output=True, text=True).stdout.split())), 0)
        shot = photo(pages[first])
        if doc in CLASSES["ocrjpeg"]:
            made.append(("ocrjpeg", lambda: shot.save(OUT / f"ocrjpeg_{doc}.jpg", dpi=(200, 200))))
        if doc in CLASSES["ocrphoto"]:
            sides = ["top", "right", "bottom", "left"]
            shots = [
                phone(p, sides[(k + int(doc)) % 4], 0.02 + 0.01 * ((k * 7 + int(doc)) % 4), [-1.4, 2.2, -2.9, 1.1, 2.6, -1.8][k % 6], [(1.0, 1.0), (0.0, 1.0), (1.0, 0.0), (0.0, 0.0)][(k + 1) % 4])
                for k, p in enumerate(pages)
            ]
            made.append(("ocrphoto", lambda: save_pdf(OUT / f"ocrphoto_{doc}.pdf", shots, 160)))
        for cls, write in made:
            if cls not in WRITE:
                continue
            write()
            shutil.copyfile(exp, OUT / f"{cls}_{doc}.expected.json")
    # The Chromium prints come last and draw no random numbers: the other classes keep their bytes.
    for doc in CLASSES["ocrchrome"] if "ocrchrome" in WRITE else []:
        pdf = CHROMIUM / f"{doc}.pdf"
        save_pdf(OUT / f"ocrchrome_{doc}.pdf", [bilevel(render(pdf, p)) for p in table_pages(pdf)], 300)
        shutil.copyfile(CHROMIUM / f"{doc}.expected.json", OUT / f"ocrchrome_{doc}.expected.json")
    total = sum(f.stat().st_size for f in OUT.iterdir())
    print(f"{len(list(OUT.glob('*.expected.json')))} 个文件写入 {OUT}，共 {total / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
