"""Checks workbooks written by folio's XLSX renderer with openpyxl, an
independent reader. Run by TestOpenpyxl (xlsx_test.go) as

    python3 check_openpyxl.py expectations.json

where the JSON holds a list of cases:
  {"file": path, "readOnly": bool, "sheets": [names in order],
   "rows": {sheet: number of rows}, "cells": {sheet: {ref: [type, value]}}}
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
