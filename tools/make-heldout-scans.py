#!/usr/bin/env python3
"""Held-out degraded scans for measuring the OCR reader on reports its tuning never used (issue 15).
Not part of the test suite (slow, and deliberately not tuned on): generate, then score with
score-classes DIR BIN.

Usage: python3 tools/make-heldout-scans.py [OUT]     (default OUT: /tmp/judge-out)

Classes, for reports 000_2021, 002, 004 and 000_2020 of tests/fixtures/office/pdf-writer (the repo's OCR
fixtures use 001 and 003), made with the helpers of tools/make-ocr-fixtures.py:
  low150    grey scan at 150 dpi, 1-3 degrees of skew, blur, noise, JPEG 50, in a PDF
  photoall  every table page photographed with a keystone perspective (top edge narrower), as a PDF
  scanrot   200 dpi scan with a red seal on every page, fed sideways (turned 90 degrees)
"""
import sys, importlib.util, shutil, io
OUTARG = sys.argv[1] if len(sys.argv) > 1 else "/tmp/judge-out"
from pathlib import Path
import numpy as np
from PIL import Image, ImageFilter
spec = importlib.util.spec_from_file_location("m", str(__import__("pathlib").Path(__file__).resolve().parent / "make-ocr-fixtures.py"))
m = importlib.util.module_from_spec(spec); sys.argv = sys.argv[:1]; spec.loader.exec_module(m)
SRC = m.SRC; OUT = Path(OUTARG); OUT.mkdir(parents=True, exist_ok=True)
def perspective(img, k=0.04):
    w,h = img.size
    # keystone: top edge narrower
    coeffs = find_coeffs([(0,0),(w,0),(w,h),(0,h)], [(w*k,h*0.01),(w*(1-k*0.6),0),(w,h),(0,h*0.99)])
    return img.transform((w,h), Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=255)
def find_coeffs(pa, pb):
    A=[];B=[]
    for p1,p2 in zip(pa,pb):
        A.append([p1[0],p1[1],1,0,0,0,-p2[0]*p1[0],-p2[0]*p1[1]]); A.append([0,0,0,p1[0],p1[1],1,-p2[1]*p1[0],-p2[1]*p1[1]])
    A=np.matrix(A,dtype=float); B=np.array(pb).reshape(8)
    return np.array(np.dot(np.linalg.inv(A.T*A)*A.T,B)).reshape(8)
for doc in ["000_2021","002","004","000_2020"]:
    pdf = SRC/f"{doc}.pdf"; exp = SRC/f"{doc}.expected.json"
    nums = m.table_pages(pdf)
    # 150 dpi grey scan, skew 1-3, noise, jpeg
    pages = [m.render(pdf,p,dpi=225) for p in nums]
    angs=[-1.0,2.2,-2.9,1.7,-1.3,2.5]
    low=[m.jpeg(m.noise(p.rotate(a,resample=Image.BICUBIC,fillcolor=255).resize((p.width*2//3,p.height*2//3),Image.LANCZOS).filter(ImageFilter.GaussianBlur(0.5)),5),50) for p,a in zip(pages,angs)]
    m.save_pdf(OUT/f"low150_{doc}.pdf", low, 150); shutil.copyfile(exp, OUT/f"low150_{doc}.expected.json")
    # photo of every page with perspective, as a PDF (phone scanner)
    ph=[m.photo(perspective(p)) for p in pages]
    m.save_pdf(OUT/f"photoall_{doc}.pdf", ph, 150); shutil.copyfile(exp, OUT/f"photoall_{doc}.expected.json")
    # stamped 300dpi scan, rotated 90
    sc=[m.scan(p.resize((p.width*4//3,p.height*4//3)),a,True).rotate(90,expand=True) for p,a in zip(pages,angs)]
    m.save_pdf(OUT/f"scanrot_{doc}.pdf", sc, 200); shutil.copyfile(exp, OUT/f"scanrot_{doc}.expected.json")
    print(doc, len(pages))
