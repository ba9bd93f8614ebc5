#!/usr/bin/env python3
"""Renderings of the bundled reports as real pipelines hold them, one folder of files per class.

Usage: python3 tools/make-class-fixtures.py [OUT]     (default OUT: tests/fixtures/classes)

Every output file is named CLASS_NAME.EXT with CLASS_NAME.expected.json beside it (the class is the
file-name prefix before the first `_`, as ../shared/tools/score-classes groups them). Sources are the
project's own fixtures: the HTML pages of tests/fixtures/parse/html (eight reports in real <table>
markup), the seeds' text, and the PDFs of tests/fixtures/office. The tools are the real ones: Debian's
pandoc, w3m, lynx, pdftotext (poppler-utils) and Python's BeautifulSoup (python3-bs4). A missing tool
skips its classes with a message. Output is deterministic for a given tool version.

Classes:
  textcontent  a page's text content on one line (BeautifulSoup get_text() with no separator, newlines
               collapsed): cells run together with no separator at all
  gettextnl    get_text("\\n"): one text node per line
  oneline      a seed's text with its line breaks turned into spaces
  tight        a crawler's dump: separators lost, digits of neighbouring cells run together, one line
  gfm          pandoc -f html -t gfm of the page with its cell spans dropped: pipe tables, with the row
               and column headers as such converters leave them
  gfmhtml      pandoc -f html -t gfm of the page as it is: tables with merged cells stay raw HTML
  markitdown   MarkItDown (Python) of the page, when installed
  w3m          w3m -dump (tables drawn with spaces and box characters, wrapped cells)
  lynx         lynx -dump
  plain        pandoc -f html -t plain (grid/simple tables with dashes, wrapped labels)
  pdflayout    pdftotext -layout of the office PDFs
  pdfraw       pdftotext -raw of the office PDFs
  pandocdocx   pandoc -f html -t docx (a DOCX written by pandoc, not Word)
"""
import json, re, shutil, subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"
OUT = Path(sys.argv[1]) if len(sys.argv) > 1 else FIX / "classes"

def have(tool):
    ok = shutil.which(tool) is not None
    if not ok:
        print(f"缺少 {tool}：跳过相应的类别", file=sys.stderr)
    return ok

def run(cmd, data=None):
    return subprocess.run(cmd, input=data, capture_output=True, check=True).stdout

def put(cls, name, ext, content, expected):
    # A tool that dropped the tables themselves (pandoc writes "[TABLE]" for a nested table it
    # cannot express in Markdown) made no rendering of the report to score.
    if isinstance(content, str) and "本年新收" not in content and "本年新收" not in re.sub(r"\s+", "", content):
        print(f"跳过 {cls}_{name}：{cls} 丢掉了统计表", file=sys.stderr)
        return
    if isinstance(content, bytes) and ext != "docx" and "本年新收".encode() not in re.sub(rb"\s+", b"", content):
        print(f"跳过 {cls}_{name}：{cls} 丢掉了统计表", file=sys.stderr)
        return
    path = OUT / f"{cls}_{name}.{ext}"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    shutil.copyfile(expected, OUT / f"{cls}_{name}.expected.json")

def tight(text):
    """A crawler that drops cell separators: pipes and tabs become spaces, spaces between digits vanish."""
    t = re.sub(r" *[|\t] *", " ", text)
    for _ in range(2):
        t = re.sub(r"([0-9]) +([0-9])", r"\1\2", t)
    return re.sub(r"\s*\n\s*", "", t)

def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    pages = sorted(p for p in (FIX / "parse" / "html").glob("*.html"))
    seeds = sorted((FIX / "seeds").glob("*.txt"))
    bs = None
    try:
        from bs4 import BeautifulSoup as bs
    except ImportError:
        print("缺少 python3-bs4：跳过 textcontent/gettextnl", file=sys.stderr)
    for page in pages:
        name, exp = page.stem, page.with_suffix(".expected.json")
        raw = page.read_bytes()
        if bs:
            soup = bs(raw.decode("utf-8"), "html.parser")
            for s in soup(["script", "style"]):
                s.decompose()
            put("textcontent", name, "txt", re.sub(r"\s+", " ", soup.get_text()).strip() + "\n", exp)
            put("gettextnl", name, "txt", re.sub(r"\n\s*\n+", "\n", soup.get_text("\n")), exp)
            put("tight", name + "h", "txt", tight(soup.get_text(" ")) + "\n", exp)
        if have("pandoc"):
            # pandoc keeps a table with merged cells as raw HTML; converters that emit pipe tables
            # (MarkItDown and the like) drop the spans, which is what this class reproduces.
            flat = re.sub(rb'(?i)\s(?:col|row)span\s*=\s*"?\d+"?', b"", raw)
            put("gfm", name, "md", run(["pandoc", "-f", "html", "-t", "gfm-raw_html", "--wrap=none"], flat), exp)
            put("gfmhtml", name, "md", run(["pandoc", "-f", "html", "-t", "gfm", "--wrap=none", str(page)]), exp)
            put("plain", name, "txt", run(["pandoc", "-f", "html", "-t", "plain", str(page)]), exp)
            docx = OUT / f"pandocdocx_{name}.docx"
            run(["pandoc", "-f", "html-native_divs", "-t", "docx", "--resource-path", "/nonexistent", "-o", str(docx)], re.sub(rb"(?i)<img[^>]*>", b"", raw))
            put("pandocdocx", name, "docx", docx.read_bytes(), exp)
        if shutil.which("markitdown"):
            put("markitdown", name, "md", run(["markitdown", str(page)]), exp)
        if have("w3m"):
            put("w3m", name, "txt", run(["w3m", "-dump", "-cols", "100", "-T", "text/html", "-I", "UTF-8", "-O", "UTF-8", str(page)]), exp)
        if have("lynx"):
            put("lynx", name, "txt", run(["lynx", "-dump", "-nolist", "-width=100", "-assume_charset=utf-8", "-display_charset=utf-8", str(page)]), exp)
    for seed in seeds:
        name, exp = seed.stem.split("_")[0], seed.with_suffix(".expected.json")
        text = seed.read_text("utf-8")
        put("oneline", name, "txt", re.sub(r"\s*\n\s*", " ", text), exp)
        put("tight", name, "txt", tight(text) + "\n", exp)
    if have("pdftotext"):
        for folder in ["pdf-writer", "pdf-chromium"]:
            for pdf in sorted((FIX / "office" / folder).glob("*.pdf")):
                exp = pdf.with_suffix(".expected.json")
                tag = folder.split("-")[1][0]  # w / c
                put("pdflayout", f"{pdf.stem}{tag}", "txt", run(["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"]), exp)
                put("pdfraw", f"{pdf.stem}{tag}", "txt", run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"]), exp)
    n = len(list(OUT.glob("*.expected.json")))
    print(f"{n} 个文件写入 {OUT}")

if __name__ == "__main__":
    main()
