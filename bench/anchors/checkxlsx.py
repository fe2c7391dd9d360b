"""Checks the XLSX files of bench/anchors.sh: each opens with openpyxl, has
a header row (first cell "Column 1") and ROWS rows below it, and its first
1,000 rows hold the same values as REF's (folio's output: strings, numbers
within 1e-14 of each other, booleans, empty cells). Rows are counted in the
sheet's XML, streamed from the zip file, since reading a million rows
through openpyxl takes minutes.

    python3 checkxlsx.py ROWS REF.xlsx FILE.xlsx...
"""

import math
import re
import sys
import zipfile

import openpyxl

SAMPLE = 1000
ROW = re.compile(rb'<row r="(\d+)"')


def head(path):
    """Returns the header row's number and the first SAMPLE rows below it."""
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb.worksheets[0]
    top, rows = None, []
    for r in ws.iter_rows():
        if top is None:
            if r and r[0].value == "Column 1":
                top = r[0].row
            continue
        rows.append([c.value for c in r])
        if len(rows) == SAMPLE:
            break
    wb.close()
    if top is None:
        sys.exit(f"checkxlsx: {path}: no header row")
    return top, rows


def count(path, top):
    """Counts the rows numbered below top in the first sheet's XML."""
    with zipfile.ZipFile(path) as z:
        name = min(n for n in z.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        n, carry = 0, b""
        with z.open(name) as f:
            while chunk := f.read(1 << 20):
                buf = carry + chunk
                cut = buf.rfind(b"<")
                carry, buf = buf[cut:], buf[:cut]
                for m in ROW.finditer(buf):
                    if int(m.group(1)) > top:
                        n += 1
        for m in ROW.finditer(carry):
            if int(m.group(1)) > top:
                n += 1
    return n


def same(a, b):
    a, b = list(a), list(b)
    while a and a[-1] is None:
        a.pop()
    while b and b[-1] is None:
        b.pop()
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if type(x) is bool or type(y) is bool or isinstance(x, str) or isinstance(y, str) or x is None or y is None:
            if x != y or type(x) is not type(y):
                return False
        elif not math.isclose(x, y, rel_tol=1e-14):
            return False
    return True


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: checkxlsx.py ROWS REF.xlsx FILE.xlsx...")
    want = int(sys.argv[1])
    _, ref = head(sys.argv[2])
    for path in sys.argv[2:]:
        top, rows = head(path)
        if len(rows) != min(want, SAMPLE):
            sys.exit(f"checkxlsx: {path}: {len(rows)} rows read below the header, want {min(want, SAMPLE)}")
        for i, (a, b) in enumerate(zip(rows, ref)):
            if not same(a, b):
                sys.exit(f"checkxlsx: {path}: row {i + 1} is {a}, {sys.argv[2]} has {b}")
        n = count(path, top)
        if n != want:
            sys.exit(f"checkxlsx: {path}: {n} rows below the header, want {want}")
        print(f"checkxlsx: {path}: {n} rows, the first {len(rows)} as in {sys.argv[2]}")


if __name__ == "__main__":
    main()
