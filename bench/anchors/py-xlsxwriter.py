"""The Python XLSX anchor of bench/anchors.sh: XlsxWriter, what a Python
user would pick, in constant-memory mode, writing the rows of a document
from bench/gen as folio and bench/anchors/xlsxwriter.cpp write them: the
title in bold in the first row, the captions in bold with a bottom border in
the third, the pane frozen below them, strings as (inline) strings, numbers
as numbers, booleans as booleans, nulls as no cell, each with the typed
write call (not the generic write, which guesses). No Excel table, as in the
C anchor.

It reads the file row by row without holding it: bench/gen writes one row a
line, each parsed with the standard json module (its C decoder). A file laid
out otherwise is refused.

    python3 py-xlsxwriter.py OUT.xlsx < IN.json
"""

import json
import sys

import xlsxwriter

HEAD_END = '"rows":['
DOC_END = "]}}]}"


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: py-xlsxwriter.py OUT.xlsx < IN.json")
    wb = xlsxwriter.Workbook(sys.argv[1], {"constant_memory": True})
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bottom": 1})
    ws = wb.add_worksheet()
    loads = json.loads
    write_string, write_number, write_boolean = ws.write_string, ws.write_number, ws.write_boolean
    row = 3
    last = False
    for n, line in enumerate(sys.stdin):
        if last:
            sys.exit("py-xlsxwriter.py: content after the last row")
        line = line.rstrip("\n")
        if n == 0:
            at = line.find(HEAD_END)
            if at < 0:
                sys.exit("py-xlsxwriter.py: the first line has no rows: not a document from bench/gen")
            at += len(HEAD_END)
            doc = loads(line[:at] + DOC_END)
            ws.write_string(0, 0, doc["title"], bold)
            for col, c in enumerate(doc["elements"][0]["data"]["columns"]):
                ws.set_column(col, col, 13)
                ws.write_string(2, col, c["caption"], head)
            ws.freeze_panes(3, 0)
            line = line[at:]
        if line.endswith(DOC_END):
            line = line[: -len(DOC_END)]
            last = True
            if not line:
                continue
        elif line.endswith(","):
            line = line[:-1]
        else:
            sys.exit(f"py-xlsxwriter.py: line {n + 1} is not a row followed by a comma: not a document from bench/gen")
        for col, cell in enumerate(loads(line)["cells"]):
            v = cell.get("value")
            if v is None:
                continue
            t = type(v)
            if t is str:
                write_string(row, col, v)
            elif t is bool:
                write_boolean(row, col, v)
            elif t is int or t is float:
                write_number(row, col, v)
            else:
                sys.exit(f"py-xlsxwriter.py: row {row - 2}: a cell value that is an array or an object")
        row += 1
    if not last:
        sys.exit("py-xlsxwriter.py: the input ended before its last row")
    wb.close()
    print(f"rows {row - 3}", file=sys.stderr)


if __name__ == "__main__":
    main()
