#!/usr/bin/env python3
"""Typesets texts of a corpus as gazette issues in PDF, with the truth of each beside it.

    benches/pdf/make_gazettes.py OUT [--corpus ../shared/corpus] [--issues 4] [--seed 1]
                                 [--paragraphs 12] [--producer libreoffice|chromium] [--page a4|a5]

Each issue is a masthead page (gazette name, issue, publisher, date), a 目录 page (each document's
title with the page where it starts), then three documents: work reports and laws of the corpus,
the first paragraphs of each. Pages carry a running header (the gazette's name and issue) and a
printed page number at the foot, 「— N —」, counted from the first document, so that printed
numbers differ from the PDF's page indexes. Every other issue sets its documents in two columns.

Producers, each with the Noto CJK fonts embedded as subsets:
- `libreoffice` (the default): a flat ODT converted with `soffice --headless --convert-to pdf`, as
  the Word and WPS files of government sites are made. Page numbers restart at 1 on the first
  document, so printed numbers differ from the PDF's page indexes.
- `chromium`: an HTML page printed with `chromium --headless --print-to-pdf`, the running header
  and the page number set by CSS paged media (`@page` margin boxes). Skia embeds the CFF fonts as
  Type 3 fonts and marks glyphs that the font also maps from Kangxi radicals with /ActualText.
  Page numbers count from the masthead (hidden there and on the 目录).
Variants of the first issue: one encrypted with an empty user password (qpdf), one of page images
only (pdftoppm), one truncated, and two of its pages with the fonts' Unicode maps taken out.

Beside each `NAME.pdf`, `NAME.truth.json` says what the issue holds: gazette, issue, date, and per
document its title, the printed page where it starts and its paragraphs with their sections and
the printed pages where each starts and ends (and `text_layer`, the paragraph as the text layer
holds it, where the producer left punctuation out of it); and `crossings`, the four CJK characters around each
printed line end, column end and page end of the documents (two before, two after), for the test
that a word across such an end is found as often as the source text holds it. Pages and lines are
read with `pdftotext -raw -bbox`, in the order the producer drew them; pdftotext is only the
generator's tool.

Needs: python3, libreoffice-writer or chromium, fonts-noto-cjk, poppler-utils, qpdf (Debian
packages).
"""

import argparse
import html
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

CITIES = ["焦作市", "洛阳市", "开封市", "新乡市", "许昌市", "南阳市", "安阳市", "鹤壁市"]
HEADING = re.compile(r"^(第[一二三四五六七八九十百零〇0-9]+[章节编]|[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")


def work_report(path):
    """The title and body paragraphs of a web-scraped provincial work report."""
    lines = [l.strip() for l in path.read_text(encoding="utf-8").splitlines() if l.strip()]
    start = next((i for i, l in enumerate(lines) if l.endswith("政府工作报告")), None)
    if start is None:
        return None
    title = lines[start]
    body = []
    for line in lines[start + 1:]:
        if line.startswith(("来源：", "时间：", "——")) or len(line) < 8 and not HEADING.match(line):
            continue
        if line.startswith(("相关报道", "责任编辑", "【")):
            break
        body.append(line)
    return title, body


def law(path):
    """The title and articles of a law in Markdown-like text."""
    text = path.read_text(encoding="utf-8")
    if "<!-- INFO END -->" in text:
        text = text.split("<!-- INFO END -->", 1)[1]
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    title = None
    body = []
    for line in lines:
        if line.startswith("# ") and title is None:
            title = line[2:].strip()
        elif line.startswith("#"):
            body.append(line.lstrip("#").strip())
        elif title is not None:
            body.append(line)
    return (title, body) if title else None


def sources(corpus):
    reports = sorted((corpus / "cn-provincial-work-reports-2026").glob("*.txt"))
    laws = sorted((corpus / "cn-laws-lawrefbook").rglob("*.md"))[:400]
    docs = []
    for path in reports:
        got = work_report(path)
        if got and len(got[1]) > 20:
            docs.append(got)
    for path in laws:
        got = law(path)
        if got and len(got[1]) > 10:
            docs.append(got)
    return docs


STYLES = """
 <office:font-face-decls>
  <style:font-face style:name="Serif" svg:font-family="'Noto Serif CJK SC'"/>
  <style:font-face style:name="Sans" svg:font-family="'Noto Sans CJK SC'"/>
 </office:font-face-decls>
 <office:styles>
  <style:default-style style:family="paragraph">
   <style:text-properties style:font-name="Serif" fo:font-size="11pt" style:font-name-asian="Serif" style:font-size-asian="11pt" fo:language="zh" fo:country="CN" style:language-asian="zh" style:country-asian="CN"/>
  </style:default-style>
  <style:style style:name="Body" style:family="paragraph">
   <style:paragraph-properties fo:text-indent="22pt" fo:text-align="justify" fo:line-height="140%" fo:margin-bottom="0pt"/>
  </style:style>
  <style:style style:name="Heading" style:family="paragraph">
   <style:paragraph-properties fo:text-indent="22pt" fo:margin-top="4pt" fo:margin-bottom="4pt" fo:keep-with-next="always"/>
   <style:text-properties style:font-name="Sans" style:font-name-asian="Sans" fo:font-weight="bold" style:font-weight-asian="bold"/>
  </style:style>
  <style:style style:name="DocTitle" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center" fo:margin-top="12pt" fo:margin-bottom="12pt" fo:keep-with-next="always"/>
   <style:text-properties style:font-name="Sans" style:font-name-asian="Sans" fo:font-size="16pt" style:font-size-asian="16pt" fo:font-weight="bold" style:font-weight-asian="bold"/>
  </style:style>
  <style:style style:name="Masthead" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center" fo:margin-top="60pt" fo:margin-bottom="24pt"/>
   <style:text-properties style:font-name="Sans" style:font-name-asian="Sans" fo:font-size="30pt" style:font-size-asian="30pt" fo:font-weight="bold" style:font-weight-asian="bold" fo:color="#c00000"/>
  </style:style>
  <style:style style:name="Center" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center" fo:margin-bottom="6pt"/>
   <style:text-properties fo:font-size="13pt" style:font-size-asian="13pt"/>
  </style:style>
  <style:style style:name="Contents" style:family="paragraph">
   <style:paragraph-properties fo:margin-bottom="4pt">
    <style:tab-stops><style:tab-stop style:position="15.5cm" style:type="right" style:leader-style="dotted" style:leader-text="."/></style:tab-stops>
   </style:paragraph-properties>
  </style:style>
  <style:style style:name="Header" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center" fo:border-bottom="0.5pt solid #000000" fo:padding-bottom="2pt"/>
   <style:text-properties fo:font-size="9pt" style:font-size-asian="9pt"/>
  </style:style>
  <style:style style:name="Footer" style:family="paragraph">
   <style:paragraph-properties fo:text-align="center"/>
   <style:text-properties fo:font-size="10pt" style:font-size-asian="10pt"/>
  </style:style>
 </office:styles>
 <office:automatic-styles>
  <style:page-layout style:name="A4">
   <style:page-layout-properties fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.6cm" fo:margin-bottom="1.4cm" fo:margin-left="2.6cm" fo:margin-right="2.4cm"/>
   <style:header-style><style:header-footer-properties fo:min-height="0.8cm" fo:margin-bottom="0.4cm"/></style:header-style>
   <style:footer-style><style:header-footer-properties fo:min-height="0.8cm" fo:margin-top="0.4cm"/></style:footer-style>
  </style:page-layout>
  <style:style style:name="Break" style:family="paragraph" style:parent-style-name="Center">
   <style:paragraph-properties fo:break-before="page"/>
  </style:style>
  <style:style style:name="FirstDocTitle" style:family="paragraph" style:parent-style-name="DocTitle" style:master-page-name="Standard">
   <style:paragraph-properties style:page-number="1"/>
  </style:style>
  <style:style style:name="NextDocTitle" style:family="paragraph" style:parent-style-name="DocTitle">
   <style:paragraph-properties fo:break-before="page"/>
  </style:style>
  <style:style style:name="TwoColumns" style:family="section">
   <style:section-properties><style:columns fo:column-count="2" fo:column-gap="0.8cm"/></style:section-properties>
  </style:style>
 </office:automatic-styles>
"""


# The page size (`--page`): how LibreOffice's page layout and the CSS say it.
PAGE_SIZES = {
    "a4": ('fo:page-width="21cm" fo:page-height="29.7cm" fo:margin-top="1.6cm" '
           'fo:margin-bottom="1.4cm" fo:margin-left="2.6cm" fo:margin-right="2.4cm"',
           "size: A4; margin: 2.2cm 2.4cm 2cm 2.6cm;"),
    "a5": ('fo:page-width="14.8cm" fo:page-height="21cm" fo:margin-top="1.2cm" '
           'fo:margin-bottom="1.1cm" fo:margin-left="1.6cm" fo:margin-right="1.5cm"',
           "size: A5; margin: 1.8cm 1.5cm 1.6cm 1.6cm;"),
}
PAGE = "a4"


def fodt(issue, contents_pages, two_columns):
    """The issue as a flat ODT document."""
    p = lambda style, text: f'<text:p text:style-name="{style}">{text}</text:p>'
    header = escape(f"{issue['gazette']}　{issue['number']}")
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
        ' xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"'
        ' xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"'
        ' office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.text">',
        STYLES.replace(PAGE_SIZES["a4"][0], PAGE_SIZES[PAGE][0]),
        ' <office:master-styles><style:master-page style:name="Standard" style:page-layout-name="A4">',
        f'  <style:header>{p("Header", header)}</style:header>',
        '  <style:footer><text:p text:style-name="Footer">— <text:page-number text:select-page="current"/> —</text:p></style:footer>',
        ' </style:master-page></office:master-styles>',
        ' <office:body><office:text>',
        p("Masthead", escape(issue["gazette"])),
        p("Center", escape(issue["number"])),
        p("Center", escape(issue["publisher"])),
        p("Center", escape(issue["date_printed"])),
        p("Break", "目　录"),
    ]
    for doc, page in zip(issue["documents"], contents_pages):
        out.append(p("Contents", f"{escape(doc['title'])}<text:tab/>（{page}）"))
    for k, doc in enumerate(issue["documents"]):
        out.append(p("FirstDocTitle" if k == 0 else "NextDocTitle", escape(doc["title"])))
        if two_columns:
            out.append(f'<text:section text:style-name="TwoColumns" text:name="doc{k}">')
        for para in doc["paragraphs"]:
            out.append(p("Heading" if para["heading"] else "Body", escape(para["text"])))
        if two_columns:
            out.append("</text:section>")
    out.append(" </office:text></office:body></office:document>")
    return "\n".join(out)


def render(issue, path, contents_pages, two_columns, work):
    src = work / (path.stem + ".fodt")
    src.write_text(fodt(issue, contents_pages, two_columns), encoding="utf-8")
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(src)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    shutil.move(str(work / (path.stem + ".pdf")), path)


CSS = """
@page { size: A4; margin: 2.2cm 2.4cm 2cm 2.6cm;
  @top-center { content: "HEADER"; font: 9pt "Noto Serif CJK SC"; border-bottom: 0.5pt solid black; }
  @bottom-center { content: "— " counter(page) " —"; font: 10pt "Noto Serif CJK SC"; } }
@page front { @top-center { content: none; } @bottom-center { content: none; } }
body { font: 12pt/1.6 "Noto Serif CJK SC"; margin: 0; }
.front { page: front; }
.masthead { text-align: center; font: bold 30pt "Noto Sans CJK SC"; color: #c00000; margin: 60pt 0 24pt; }
.center { text-align: center; font-size: 13pt; margin: 0 0 6pt; }
.contents-title { break-before: page; text-align: center; font-size: 13pt; }
.contents { display: flex; margin: 0 0 4pt; }
.contents .leader { flex: 1; border-bottom: 1pt dotted black; margin: 0 4pt 5pt; }
h1 { break-before: page; text-align: center; font: bold 16pt "Noto Sans CJK SC"; margin: 12pt 0; }
p { text-indent: 2em; text-align: justify; margin: 0; }
p.heading { font-family: "Noto Sans CJK SC"; font-weight: bold; margin: 4pt 0; break-after: avoid; }
.two { column-count: 2; column-gap: 0.8cm; }
"""


def html_issue(issue, contents_pages, two_columns):
    """The issue as an HTML page for Chromium to print."""
    header = f"{issue['gazette']}　{issue['number']}".replace('"', "")
    out = ['<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><style>',
           CSS.replace("HEADER", header).replace(PAGE_SIZES["a4"][1], PAGE_SIZES[PAGE][1]),
           "</style></head><body>",
           '<div class="front">',
           f'<p class="masthead">{escape(issue["gazette"])}</p>',
           f'<p class="center">{escape(issue["number"])}</p>',
           f'<p class="center">{escape(issue["publisher"])}</p>',
           f'<p class="center">{escape(issue["date_printed"])}</p>',
           '<p class="contents-title">目　录</p>']
    for doc, page in zip(issue["documents"], contents_pages):
        out.append(f'<div class="contents"><span>{escape(doc["title"])}</span>'
                   f'<span class="leader"></span><span>（{page}）</span></div>')
    out.append("</div>")
    for doc in issue["documents"]:
        out.append(f"<h1>{escape(doc['title'])}</h1>")
        out.append('<div class="two">' if two_columns else "<div>")
        for para in doc["paragraphs"]:
            style = ' class="heading"' if para["heading"] else ""
            out.append(f"<p{style}>{escape(para['text'])}</p>")
        out.append("</div>")
    out.append("</body></html>")
    return "\n".join(out)


def render_chromium(issue, path, contents_pages, two_columns, work):
    src = work / (path.stem + ".html")
    src.write_text(html_issue(issue, contents_pages, two_columns), encoding="utf-8")
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--print-to-pdf={path}", src.as_uri()],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


PRODUCERS = {
    # The render function, and the printed number of the page at each index.
    "libreoffice": (lambda *a: render(*a), lambda i: i - 1),
    "chromium": (render_chromium, lambda i: i + 1),
}


def page_lines(pdf, issue):
    """Each page's printed lines in the order the producer drew them, as (text without white space,
    left, top), without the running header and the page number."""
    out = subprocess.run(["pdftotext", "-raw", "-bbox", str(pdf), "-"], check=True,
                         capture_output=True, text=True).stdout
    header = re.sub(r"\s+", "", issue["gazette"] + issue["number"])
    pages = []
    for page in out.split("<page ")[1:]:
        lines = []
        for x, y, word in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>(.*?)</word>', page):
            word, x, y = html.unescape(word), float(x), float(y)
            if lines and abs(lines[-1][2] - y) < 1.0:
                lines[-1][0] += word
            else:
                lines.append([word, x, y])
        pages.append([tuple(l) for l in lines
                      if l[0] != header and not re.fullmatch(r"[—-]*\d+[—-]*", l[0])])
    return pages


def locate(issue, pdf, first_doc_printed):
    """Sets the printed page where each title and paragraph starts and ends, and the crossings.

    The documents' lines make one stream of text; each item is looked for from where the one
    before it started, by its first characters, and ends where its last characters are found.
    LibreOffice leaves some line-end punctuation out of the text layer, so shorter openings and
    the characters before the last punctuation are looked for too. `first_doc_printed(i)` gives
    the printed number of the page at index i."""
    pages = page_lines(pdf, issue)
    first = 2  # the masthead and the 目录 come first
    stream, page_at = "", []
    for i in range(first, len(pages)):
        for text, _, _ in pages[i]:
            stream += text
            page_at += [i] * len(text)
    at = 0
    for doc in issue["documents"]:
        for item in [doc] + doc["paragraphs"]:
            text = re.sub(r"\s+", "", item["title"] if item is doc else item["text"])
            found = next((k for probe in (text[:10], text[:6], text[:3])
                          if (k := stream.find(probe, at)) >= 0), None)
            if found is None:
                raise SystemExit(f"{pdf}: cannot find {text[:10]!r}")
            at = found
            item["page"] = first_doc_printed(page_at[found])
            core = text.rstrip("。，、；：！？”’）》")
            end = found
            for tail in (text[-10:], core[-10:], core[-6:]):
                k = stream.find(tail, found, found + len(text) + 40)
                if k >= 0:
                    end = k + len(tail) - 1
                    break
            item["page_end"] = first_doc_printed(page_at[end])
            # LibreOffice leaves some line-end punctuation out of the text layer (pdftotext
            # reads none there either): the paragraph as the layer holds it, where it differs.
            if item is not doc and stream[found:found + len(text)] != text:
                optional = "".join(re.escape(c) + ("?" if c in PUNCTUATION else "") for c in text)
                layer = re.compile(optional).match(stream, found)
                if layer and layer.group(0) != text:
                    item["text_layer"] = layer.group(0)
    issue["crossings"] = crossings(pages[first:])
    return [doc["page"] for doc in issue["documents"]]


PUNCTUATION = "，。、；：！？“”‘’（）《》"


def is_cjk(c):
    return "\u4e00" <= c <= "\u9fff"


def crossings(pages):
    """The four CJK characters around each end of a printed line in the documents: two before it,
    two after, with the kind of end: `line`, `column` (the next line stands higher on the page) or
    `page`."""
    out = []
    lines = [(p, text, y) for p, page in enumerate(pages) for text, _, y in page]
    for (p1, a, y1), (p2, b, y2) in zip(lines, lines[1:]):
        literal = a[-2:] + b[:2]
        if len(literal) == 4 and all(map(is_cjk, literal)):
            kind = "page" if p2 != p1 else "column" if y2 < y1 - 1 else "line"
            out.append({"literal": literal, "kind": kind})
    return out


def make_issue(rng, docs, n, paragraphs):
    city = rng.choice(CITIES)
    year = rng.choice([2024, 2025, 2026])
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    number = rng.randint(1, 24)
    documents = []
    for title, body in rng.sample(docs, 3):
        section, paras = [], []
        for line in body[:paragraphs]:
            heading = bool(HEADING.match(line)) and len(line) <= 40 and not line.endswith("。")
            paras.append({"text": line, "heading": heading, "section": list(section)})
            if heading:
                section = [line]
        documents.append({"title": title, "paragraphs": paras})
    return {
        "gazette": f"{city}人民政府公报",
        "number": f"{year}年第{number}号（总第{100 + number}号）",
        "publisher": f"{city}人民政府",
        "date": f"{year}-{month:02d}-{day:02d}",
        "date_printed": f"{year}年{month}月{day}日",
        "documents": documents,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--corpus", type=Path, default=Path(__file__).resolve().parents[3] / "shared/corpus")
    parser.add_argument("--issues", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--paragraphs", type=int, default=12)
    parser.add_argument("--producer", choices=sorted(PRODUCERS), default="libreoffice")
    parser.add_argument("--page", choices=sorted(PAGE_SIZES), default="a4",
                        help="page size; A5 puts more page ends into a small file")
    args = parser.parse_args()
    global PAGE
    PAGE = args.page
    rng = random.Random(args.seed)
    docs = sources(args.corpus)
    if len(docs) < 3:
        sys.exit(f"too few documents in {args.corpus}")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        for n in range(1, args.issues + 1):
            issue = make_issue(rng, docs, n, args.paragraphs)
            two = n % 2 == 0
            name = f"issue{n:02d}{'_2col' if two else ''}"
            pdf = args.out / f"{name}.pdf"
            # Twice: the 目录's page numbers come from where the first pass put each document.
            render_with, printed = PRODUCERS[args.producer]
            render_with(issue, pdf, ["?"] * 3, two, work)
            pages = locate(issue, pdf, printed)
            render_with(issue, pdf, pages, two, work)
            if locate(issue, pdf, printed) != pages:
                sys.exit(f"{pdf}: the 目录 moved the documents")
            issue["columns"] = 2 if two else 1
            issue["producer"] = args.producer
            (args.out / f"{name}.truth.json").write_text(
                json.dumps(issue, ensure_ascii=False, indent=1), encoding="utf-8")
            print(f"{pdf}: {len(page_lines(pdf, issue))} pages, "
                  f"{len(issue['crossings'])} crossings")
            if n == 1:
                variants(pdf, args.out, work)


def variants(pdf, out, work):
    """The troubles of real PDFs, made from one issue."""
    encrypted = out / "encrypted_empty_password.pdf"
    subprocess.run(["qpdf", "--encrypt", "", "owner-secret", "256", "--print=none", "--extract=n", "--",
                    str(pdf), str(encrypted)], check=True)
    # A scan: each page an image, no text layer.
    subprocess.run(["pdftoppm", "-r", "60", "-jpeg", str(pdf), str(work / "page")], check=True)
    images = sorted(work.glob("page*.jpg"))
    image_pdf(images, out / "scanned_no_text.pdf")
    data = pdf.read_bytes()
    (out / "truncated.pdf").write_bytes(data[: len(data) // 2])
    # Fonts without a Unicode map: two pages of the issue with the ToUnicode maps taken out.
    qdf = work / "qdf.pdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", "--pages", str(pdf), "3-4", "--",
                    str(pdf), str(qdf)], check=True)
    stripped = re.sub(rb"/ToUnicode \d+ 0 R", b"", qdf.read_bytes())
    fixed = subprocess.run(["fix-qdf"], input=stripped, capture_output=True, check=True).stdout
    (work / "fixed.pdf").write_bytes(fixed)
    subprocess.run(["qpdf", str(work / "fixed.pdf"), str(out / "no_unicode_map.pdf")], check=True)
    print(f"{encrypted}, scanned_no_text.pdf, truncated.pdf, no_unicode_map.pdf")


def jpeg_size(data):
    i = 2
    while i < len(data):
        marker, length = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            return int.from_bytes(data[i + 7:i + 9], "big"), int.from_bytes(data[i + 5:i + 7], "big")
        i += 2 + length
    raise ValueError("no frame in JPEG")


def image_pdf(images, path):
    """A PDF of one JPEG per page and nothing else, written by hand."""
    objects = []
    kids = []
    for image in images:
        data = image.read_bytes()
        w, h = jpeg_size(data)
        img = len(objects) + 3
        objects.append(f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace /DeviceRGB"
                       f" /BitsPerComponent 8 /Filter /DCTDecode /Length {len(data)} >>".encode() + b"\nstream\n" + data + b"\nendstream")
        content = f"q 595 0 0 842 0 0 cm /Im0 Do Q".encode()
        objects.append(f"<< /Length {len(content)} >>".encode() + b"\nstream\n" + content + b"\nendstream")
        page = len(objects) + 3
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im0 {img} 0 R >> >> /Contents {img + 1} 0 R >>".encode())
        kids.append(page)
    head = [b"<< /Type /Catalog /Pages 2 0 R >>",
            f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode()]
    body = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(head + objects, start=1):
        offsets.append(len(body))
        body += f"{n} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(body)
    body += f"xref\n0 {len(offsets) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        body += f"{off:010d} 00000 n \n".encode()
    body += f"trailer\n<< /Size {len(offsets) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    path.write_bytes(bytes(body))


if __name__ == "__main__":
    main()
