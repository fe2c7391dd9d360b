"""Checks workbooks written by folio's XLSX renderer with openpyxl, an
independent reader. Run by TestOpenpyxl (xlsx_test.go) as

    python3 check_openpyxl.py expectations.json

where the JSON holds a list of cases:
  {"file": path, "readOnly": bool, "sheets": [names in order],
   "rows": {sheet: number of rows}, "cells": {sheet: {ref: [type, value]}},
   "formats": {sheet: {ref: number format}}, "aligns": {sheet: {ref: horizontal}},
   "links": {sheet: {ref: target}},
   "footer": {sheet: [refs of bold cells with a rule above]},
   "noLinks": {sheet: [refs without a hyperlink]},
   "tables": {sheet: [[name, ref, style, [column names]], ...]},
   "print": {sheet: [orientation, paperSize, print title rows or null]}}
Every sheet of a case with "print" must be fitted to the page width (and
as many pages down as it takes); a case with "tables" names every table
of the sheets it lists, each filtering over its own range.
Every cell of every sheet must be a number (n, or d for a number with a
date format, whose value is compared as text), string (s), boolean (b) or
empty: never a formula (f). Prints one line per case; exits 1 on a failure.
"""
import json
import sys

import openpyxl


def check(case):
    errors = []
    wb = openpyxl.load_workbook(case["file"], read_only=case["readOnly"])
    if wb.sheetnames != case["sheets"]:
        errors.append("sheets %r, want %r" % (wb.sheetnames, case["sheets"]))
    for name in wb.sheetnames:
        ws = wb[name]
        want_cells = (case.get("cells") or {}).get(name, {})
        seen = {}
        rows = 0
        for row in ws.iter_rows():
            rows += 1
            for cell in row:
                if cell.value is None:
                    continue
                if cell.data_type not in ("n", "s", "b", "d"):
                    errors.append("%s!%s has type %r (%r)" % (name, cell.coordinate, cell.data_type, cell.value))
                if cell.coordinate in want_cells:
                    value = cell.value
                    if cell.data_type == "d":
                        value = str(value)
                    seen[cell.coordinate] = [cell.data_type, value]
        if name in (case.get("rows") or {}) and rows != case["rows"][name]:
            errors.append("%s has %d rows, want %d" % (name, rows, case["rows"][name]))
        for ref, want in want_cells.items():
            got = seen.get(ref, [None, None])
            if got != want:
                errors.append("%s!%s = %r, want %r" % (name, ref, got, want))
        if not case["readOnly"]:
            for ref, want in ((case.get("formats") or {}).get(name) or {}).items():
                if ws[ref].number_format != want:
                    errors.append("%s!%s number_format %r, want %r" % (name, ref, ws[ref].number_format, want))
            for ref, want in ((case.get("aligns") or {}).get(name) or {}).items():
                if ws[ref].alignment.horizontal != want:
                    errors.append("%s!%s alignment %r, want %r" % (name, ref, ws[ref].alignment.horizontal, want))
            for ref, want in ((case.get("links") or {}).get(name) or {}).items():
                link = ws[ref].hyperlink
                if link is None or link.target != want:
                    errors.append("%s!%s hyperlink %r, want %r" % (name, ref, link and link.target, want))
            for ref in ((case.get("noLinks") or {}).get(name) or []):
                if ws[ref].hyperlink is not None:
                    errors.append("%s!%s has a hyperlink %r" % (name, ref, ws[ref].hyperlink.target))
            if name in (case.get("tables") or {}):
                got = sorted([t.name, t.ref, t.tableStyleInfo.name, [c.name for c in t.tableColumns]] for t in ws.tables.values())
                if got != sorted(case["tables"][name]):
                    errors.append("%s: tables %r, want %r" % (name, got, case["tables"][name]))
                for t in ws.tables.values():
                    if t.displayName != t.name or t.autoFilter is None or t.autoFilter.ref != t.ref or t.headerRowCount not in (None, 1) or t.totalsRowCount:
                        errors.append("%s: table %s: display name %r, filter %r, header rows %r, totals rows %r" % (
                            name, t.name, t.displayName, t.autoFilter and t.autoFilter.ref, t.headerRowCount, t.totalsRowCount))
            if case.get("print"):
                ps = ws.page_setup
                fit = ws.sheet_properties.pageSetUpPr
                if fit is None or not fit.fitToPage or str(ps.fitToWidth) != "1" or str(ps.fitToHeight) != "0":
                    errors.append("%s: not fitted to the page width (fitToPage %r, %r wide, %r tall)" % (
                        name, fit and fit.fitToPage, ps.fitToWidth, ps.fitToHeight))
                if name in case["print"]:
                    got = [ps.orientation, str(ps.paperSize), ws.print_title_rows]
                    if got != case["print"][name]:
                        errors.append("%s: print set-up %r, want %r" % (name, got, case["print"][name]))
            for ref in ((case.get("footer") or {}).get(name) or []):
                c = ws[ref]
                if not c.font.b or c.border.top is None or c.border.top.style is None:
                    errors.append("%s!%s is not a footer cell (bold %r, top border %r)" % (name, ref, c.font.b, c.border.top and c.border.top.style))
        if not case["readOnly"] and name in (case.get("rows") or {}):
            if ws.max_row != case["rows"][name]:
                errors.append("%s: max_row %d, want %d" % (name, ws.max_row, case["rows"][name]))
            if ws.freeze_panes is None and case.get("frozen"):
                errors.append("%s: no frozen panes" % name)
            if ws.auto_filter.ref is None and case.get("filtered"):
                errors.append("%s: no autofilter" % name)
    wb.close()
    return errors


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        cases = json.load(f)
    failed = 0
    for case in cases:
        errors = check(case)
        print("%s: %s" % (case["file"], "ok" if not errors else "FAIL"))
        for e in errors[:20]:
            print("  " + e)
        failed += bool(errors)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
