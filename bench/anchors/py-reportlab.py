"""The Python PDF anchor of bench/anchors.sh: ReportLab, what a Python user
would pick, drawing the table of a document from bench/gen on its canvas the
way bench/barepdf draws it with fpdf: A4 portrait in points, 40 pt margins,
the Go fonts (TrueType, embedded and subset) at 8.5 pt, every cell a
bordered 14 pt box of a fixed width (the page's width over the columns),
the captions in bold on grey at the top of every page, every other row on
light grey, "Page N of M" at the foot (M a form drawn once at the end, as
fpdf's alias is filled in at the end), a page break where fpdf's automatic
one falls (46 pt from the bottom). Like barepdf it does not wrap text,
measure columns or limit pages, and page content is compressed. The canvas
rather than platypus's Table, which measures and splits its rows: work
barepdf does not do.

It reads the file row by row without holding it: bench/gen writes one row a
line, each parsed with the standard json module. A file laid out otherwise
is refused. It prints the number of pages.

    python3 py-reportlab.py FONTDIR OUT.pdf < IN.json

FONTDIR holds Go-Regular.ttf and Go-Bold.ttf (golang.org/x/image's
font/gofont/ttfs).
"""

import json
import os
import sys

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

HEAD_END = '"rows":['
DOC_END = "]}}]}"
MARGIN = 40.0
BOTTOM = 46.0  # fpdf's auto page break margin in barepdf
H = 14.0  # row height
SIZE = 8.5
CMARGIN = 28.35 / 10  # fpdf's interior cell margin (1 mm)
LINE = 0.567  # fpdf's default line width (0.2 mm)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: py-reportlab.py FONTDIR OUT.pdf < IN.json")
    fonts, out = sys.argv[1], sys.argv[2]
    pdfmetrics.registerFont(TTFont("go", os.path.join(fonts, "Go-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("go-bold", os.path.join(fonts, "Go-Bold.ttf")))
    pw, ph = A4
    c = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    c.setLineWidth(LINE)
    trigger = ph - BOTTOM  # fpdf breaks the page when a row's bottom passes this
    caps = []
    w = 0.0
    y = 0.0  # top of the next row, from the top of the page, as fpdf counts
    page = 0
    # Numbers as written, as barepdf draws json.Number's text.
    loads = json.JSONDecoder(parse_float=str, parse_int=str).decode
    rect, draw = c.rect, c.drawString

    def baseline(top):
        # fpdf's CellFormat centres a line in its box at .5*h + .3*fontSize
        return ph - (top + 0.5 * H + 0.3 * SIZE)

    def header():
        nonlocal y, page
        page += 1
        y = MARGIN
        c.setLineWidth(LINE)
        c.setFillGray(220 / 255)
        x = MARGIN
        for _ in caps:
            rect(x, ph - y - H, w, H, stroke=1, fill=1)
            x += w
        c.setFillGray(0)
        c.setFont("go-bold", SIZE)
        x = MARGIN
        b = baseline(y)
        for s in caps:
            draw(x + CMARGIN, b, s)
            x += w
        y += H
        c.setFont("go", SIZE)

    def footer():
        c.setFont("go", 8)
        text = f"Page {page} of "
        # Centred as fpdf centres "Page N of {nb}" before {nb} is replaced.
        x = (pw - c.stringWidth(text + "{nb}", "go", 8)) / 2
        b = ph - (ph - 30 + 0.5 * 10 + 0.3 * 8)
        draw(x, b, text)
        c.saveState()
        c.translate(x + c.stringWidth(text, "go", 8), b)
        c.doForm("pages")
        c.restoreState()
        c.showPage()

    n = 0
    last = False
    for i, line in enumerate(sys.stdin):
        if last:
            sys.exit("py-reportlab.py: content after the last row")
        line = line.rstrip("\n")
        if i == 0:
            at = line.find(HEAD_END)
            if at < 0:
                sys.exit("py-reportlab.py: the first line has no rows: not a document from bench/gen")
            at += len(HEAD_END)
            doc = json.loads(line[:at] + DOC_END)
            caps = [col["caption"] for col in doc["elements"][0]["data"]["columns"]]
            w = (pw - 2 * MARGIN) / len(caps)
            header()
            line = line[at:]
        if line.endswith(DOC_END):
            line = line[: -len(DOC_END)]
            last = True
            if not line:
                continue
        elif line.endswith(","):
            line = line[:-1]
        else:
            sys.exit(f"py-reportlab.py: line {i + 1} is not a row followed by a comma: not a document from bench/gen")
        text = []
        for cell in loads(line)["cells"]:
            v = cell.get("value")
            if v is None:
                text.append("")
            elif v is True:
                text.append("true")
            elif v is False:
                text.append("false")
            else:
                text.append(v)
        if y + H > trigger:
            footer()
            header()
        zebra = n % 2 == 1
        if zebra:
            c.setFillGray(242 / 255)
        x = MARGIN
        top = ph - y - H
        for _ in text:
            rect(x, top, w, H, stroke=1, fill=1 if zebra else 0)
            x += w
        if zebra:
            c.setFillGray(0)
        x = MARGIN
        b = baseline(y)
        for s in text:
            if s:
                draw(x + CMARGIN, b, s)
            x += w
        y += H
        n += 1
    if not last:
        sys.exit("py-reportlab.py: the input ended before its last row")
    footer()
    c.beginForm("pages")
    c.setFont("go", 8)
    c.drawString(0, 0, str(page))
    c.endForm()
    c.save()
    print(f"rows {n} pages {page}", file=sys.stderr)


if __name__ == "__main__":
    main()
