"""The second Python PDF anchor of bench/anchors.sh: ReportLab as Python users
write a table report, with platypus: a SimpleDocTemplate (A4 portrait, 40 pt
margins) of Tables, the Go fonts (TrueType, embedded and subset) at 8.5 pt,
a grid, the captions in bold on grey at the top of every page, every other
row on light grey, and "Page N of M" at the foot (the two-pass canvas of
ReportLab's own recipe: pages are kept until the total is known). platypus
measures every cell of every row and lays the pages out, which the canvas
anchor (py-reportlab.py) and bench/barepdf do not; folio measures too.

The rows go in as one Table a page, each with the header row, one after the
other with a PageBreak between, as ReportLab advises for long tables ("make
lots of small tables"); the pages hold the same text as those of one Table
of every row with repeatRows=1. That one Table is split by platypus at each
page into a Table of that page and a new Table of all the rows left, whose
rows and styles are copied and walked again, so its cost grows with the
square of the rows (in one run, 7.1 CPU seconds for 10,000 rows and 97 for
40,000, against 2.2 and 11 this way). LongTable is no way out: it only
turns on the long-table optimisation, which Table has on by default
(rl_config.longTableOptimize), and which in ReportLab 3.6 stops measuring
at the page's end only when a cell spans rows. How many rows fill a page
comes from platypus itself: the height of a Table of the header and the
first row, less that of the header, gives a row's, for the height of
SimpleDocTemplate's frame (rows here are one line each; a taller one would
still be split by platypus, header repeated, only leaving a page short).
Every Table measures its cells again as it is laid out.

It reads the whole document with the json module (a Table takes its rows as
a list) and prints the numbers of rows and pages to stderr.

    python3 py-reportlab-table.py FONTDIR OUT.pdf < IN.json
"""

import json
import os
import sys

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Frame, PageBreak, SimpleDocTemplate, Table, TableStyle

SIZE = 8.5
MARGIN = 40.0


class NumberedCanvas(canvas.Canvas):
    """Holds each page's state until the end, then draws "Page N of M"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved = []

    def showPage(self):
        self._saved.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved)
        for state in self._saved:
            self.__dict__.update(state)
            self.setFont("go", SIZE)
            self.drawRightString(A4[0] - MARGIN, MARGIN / 2, "Page %d of %d" % (self._pageNumber, total))
            super().showPage()
        super().save()
        self.pages = total


def text(v):
    if v is None:
        return ""
    if v is True:
        return "true"
    if v is False:
        return "false"
    return v


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: py-reportlab-table.py FONTDIR OUT.pdf < IN.json")
    fonts, out = sys.argv[1], sys.argv[2]
    pdfmetrics.registerFont(TTFont("go", os.path.join(fonts, "Go-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("go-bold", os.path.join(fonts, "Go-Bold.ttf")))
    # Numbers as written.
    doc = json.load(sys.stdin, parse_float=str, parse_int=str)
    header = rows = None
    for el in doc["elements"]:
        if el.get("type") == "table":
            t = el["data"]
            header = [c["caption"] for c in t["columns"]]
            rows = [[text(c.get("value")) for c in r["cells"]] for r in t["rows"]]
            break
    if header is None:
        sys.exit("py-reportlab-table.py: the document has no table")
    if not rows:
        sys.exit("py-reportlab-table.py: the table has no rows")
    n = len(header)
    widths = [(A4[0] - 2 * MARGIN) / n] * n
    grey, light = colors.Color(220 / 255, 220 / 255, 220 / 255), colors.Color(0.95, 0.95, 0.95)
    style = [
        ("FONT", (0, 0), (-1, -1), "go", SIZE),
        ("FONT", (0, 0), (-1, 0), "go-bold", SIZE),
        ("GRID", (0, 0), (-1, -1), 0.567, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), grey),
    ]
    # Bands counted over the whole table, not restarted on each page.
    even = TableStyle(style + [("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, light])])
    odd = TableStyle(style + [("ROWBACKGROUNDS", (0, 1), (-1, -1), [light, colors.white])])
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN)
    # The room SimpleDocTemplate's one frame leaves, and the rows it holds.
    frame = Frame(pdf.leftMargin, pdf.bottomMargin, pdf.width, pdf.height)
    aw, ah = frame._getAvailableWidth(), frame._aH
    head = Table([header], colWidths=widths, style=even).wrap(aw, ah)[1]
    row = Table([header, rows[0]], colWidths=widths, style=even).wrap(aw, ah)[1] - head
    per = int((ah - head) // row)
    if per < 1:
        sys.exit("py-reportlab-table.py: a row does not fit a page")
    story = []
    for i in range(0, len(rows), per):
        if story:
            story.append(PageBreak())
        story.append(Table([header] + rows[i : i + per], colWidths=widths, repeatRows=1, style=odd if i % 2 else even))
    pdf.build(story, canvasmaker=NumberedCanvas)
    print(f"rows {len(rows)} pages {pdf.canv.pages} rows a page {per}", file=sys.stderr)


if __name__ == "__main__":
    main()
