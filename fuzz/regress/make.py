#!/usr/bin/env python3
"""Regenerates the hostile inputs of issue 17, one per crash/hang/memory class.

    python3 fuzz/regress/make.py            # small ones into tests/fixtures/hostile/
    python3 fuzz/regress/make.py --big DIR  # also the full-size ones (MBs to GBs inflated) into DIR

The small ones are regression fixtures: each `NAME.error.txt` holds words one of which the
Chinese error must contain (checked by crates/parse/tests/fixtures.rs); the big ones reproduce
the sizes of the issue and are meant for `nianbao check` by hand or the fuzz harness's
`--replay`. The same classes are rebuilt in memory by crates/parse/tests/hostile.rs.
"""

import argparse
import io
import os
import zipfile
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "hostile")


def pdf(objects, root=1):
    """A PDF from a list of object bodies (bytes), numbered from 1, with a correct xref."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref))
    return out.getvalue()


def stream(data, extra=b"", compress=False):
    if compress:
        data = zlib.compress(data, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


TEXT = b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET"


def simple_pdf(content=TEXT, font=b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>", page_extra=b"", compress=False):
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R" + page_extra + b" >>",
        stream(content, compress=compress),
        font,
    ])


def tounicode(kind, depth=5000):
    """A font whose /ToUnicode CMap nests `[`, `(` or `<<` `depth` deep."""
    opening = {"array": b"[", "string": b"(", "dict": b"<<"}[kind]
    closing = {"array": b"]", "string": b")", "dict": b">>"}[kind]
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n1 begincodespacerange <00> <FF> endcodespacerange\n"
            b"1 beginbfrange <00> <01> " + opening * depth + closing * depth + b" endbfrange\nendcmap end end\n")
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        stream(TEXT),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /ToUnicode 6 0 R >>",
        stream(cmap, compress=True),
    ])


def parent_cycle():
    """A page whose /Parent is itself: pdf-extract's inherited lookup never ends."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 3 0 R /Contents 4 0 R >>",
        stream(TEXT),
    ])


def form_cycle():
    """A form XObject that draws itself."""
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /X0 5 0 R >> >> /Contents 4 0 R >>",
        stream(b"/X0 Do"),
        stream(b"/X0 Do", extra=b" /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X0 5 0 R >> >>"),
    ])


def flate_bomb(inflated):
    """A content stream of `inflated` bytes of spaces, deflated (about 1000:1)."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    data = b""
    left = inflated
    while left > 0:
        n = min(left, len(chunk))
        data += compressor.compress(chunk[:n])
        left -= n
    data += compressor.flush()
    return pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream",
    ])


def docx_bomb(inflated):
    """A .docx whose word/document.xml inflates to `inflated` bytes."""
    head = b'<?xml version="1.0"?><w:document xmlns:w="w"><w:body><w:p><w:r><w:t>'
    tail = b"</w:t></w:r></w:p></w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        info = zipfile.ZipInfo("word/document.xml", date_time=(2026, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with z.open(info, "w", force_zip64=inflated > (1 << 31)) as f:
            f.write(head)
            left = inflated - len(head) - len(tail)
            chunk = b"a" * (1 << 20)
            while left > 0:
                n = min(left, len(chunk))
                f.write(chunk[:n])
                left -= n
            f.write(tail)
    return out.getvalue()


def nested_html(open_tag, close_tag, depth):
    return b"<html><body>" + open_tag * depth + "一、总体情况".encode() + close_tag * depth + b"</body></html>"


def write(directory, name, data, error_words=None):
    path = os.path.join(directory, name)
    with open(path, "wb") as f:
        f.write(data)
    if error_words:
        stem = name.rsplit(".", 1)[0]
        with open(os.path.join(directory, stem + ".error.txt"), "w", encoding="utf-8") as f:
            f.write(error_words + "\n")
    print(f"{path}: {len(data):,} bytes")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", metavar="DIR", help="also write the full-size inputs of the issue into DIR")
    args = ap.parse_args()
    os.makedirs(FIXTURES, exist_ok=True)
    # HTML nested 20,000 deep (never closed): 60 KB that overflowed the stack of the tree walk.
    write(FIXTURES, "nested_b.html", nested_html(b"<b>", b"", 20000), "嵌套")
    # PDF CMaps nested 5,000 deep: overflowed the stack inside the CMap parser.
    for kind in ("array", "string", "dict"):
        write(FIXTURES, f"tounicode_{kind}.pdf", tounicode(kind), "嵌套")
    # A page that is its own parent: hung forever.
    write(FIXTURES, "parent_cycle.pdf", parent_cycle(), "循环")
    # A form that draws itself: unbounded recursion.
    write(FIXTURES, "form_cycle.pdf", form_cycle(), "循环")
    # A content stream inflating past the 32 MB limit (40 KB on disk).
    write(FIXTURES, "flate_bomb.pdf", flate_bomb(40 << 20), "上限")
    # word/document.xml inflating past the 32 MB limit.
    write(FIXTURES, "docx_bomb.docx", docx_bomb(40 << 20), "上限")
    if args.big:
        os.makedirs(args.big, exist_ok=True)
        write(args.big, "nested_div.html", nested_html(b"<div>", b"</div>", 100000))
        write(args.big, "nested_ul.html", nested_html(b"<ul><li>", b"</li></ul>", 100000))
        write(args.big, "p_entities.html", b"<html><body>" + b"<p>&#112;</p>" * 64000 + b"</body></html>")
        write(args.big, "flate_860mb.pdf", flate_bomb(860 << 20))
        write(args.big, "flate_3400mb.pdf", flate_bomb(3400 << 20))
        write(args.big, "docx_250mb.docx", docx_bomb(250 << 20))
        write(args.big, "one_line_100mb.txt", "一、总体情况".encode() + b"1" * (100 << 20))
        write(args.big, "cells_309_digits.txt", "一、总体情况\n二、主动公开政府信息情况\n规章 | ".encode() + b"9" * 400 + " | 0 | 0\n三、收到和处理政府信息公开申请情况\n".encode())


if __name__ == "__main__":
    main()
