# SPDX-License-Identifier: GPL-2.0
"""Shared by the bench summaries: raw rows in, every run out as a CSV."""
import csv
import os
import sys


def load_runs(raw, fields, out, name):
    """Rows of RAW as dicts over FIELDS, also written to OUT/NAME with a
    header; exits if RAW has none."""
    with open(raw) as f:
        rows = [dict(zip(fields, r)) for r in csv.reader(f) if r]
    if not rows:
        sys.exit("bench: no measurements in " + raw)
    with open(os.path.join(out, name), "w", newline="") as f:
        w = csv.DictWriter(f, fields)
        w.writeheader()
        w.writerows(rows)
    return rows
