"""The second Python PDF anchor of bench/anchors.sh: ReportLab as Python users
write a table report, with platypus: a SimpleDocTemplate (A4 portrait, 40 pt
margins) holding one Table of the document's rows, its header row repeated
on every page (repeatRows), the Go fonts (TrueType, embedded and subset) at
8.5 pt, a grid, the captions in bold on grey, every other row on light
grey, and "Page N of M" at the foot (the two-pass canvas of ReportLab's own
recipe: pages are kept until the total is known). platypus measures every
cell and splits the table across pages itself, which the canvas anchor
(py-reportlab.py) and bench/barepdf do not; folio measures and splits too.

It reads the whole document with the json module (a Table takes its rows as
a list) and prints the number of pages.

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
from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

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
        print(total)


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
    data = None
    for el in doc["elements"]:
        if el.get("type") == "table":
            t = el["data"]
            data = [[c["caption"] for c in t["columns"]]]
            data += [[text(c.get("value")) for c in r["cells"]] for r in t["rows"]]
            break
    if data is None:
        sys.exit("py-reportlab-table.py: the document has no table")
    n = len(data[0])
    grey, light = colors.Color(220 / 255, 220 / 255, 220 / 255), colors.Color(0.95, 0.95, 0.95)
    table = Table(data, repeatRows=1, colWidths=[(A4[0] - 2 * MARGIN) / n] * n)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), "go", SIZE),
        ("FONT", (0, 0), (-1, 0), "go-bold", SIZE),
        ("GRID", (0, 0), (-1, -1), 0.567, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), grey),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, light]),
    ]))
    pdf = SimpleDocTemplate(out, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN)
    pdf.build([table], canvasmaker=NumberedCanvas)


if __name__ == "__main__":
    main()
