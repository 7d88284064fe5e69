#!/usr/bin/env python3
"""Regenerate zips.txt from the `zipcodes` PyPI package's sdist.

Usage (needs network access to PyPI only):
    pip download --no-deps --no-binary :all: zipcodes==3.0.0 -d /tmp/z
    tar xzf /tmp/z/zipcodes-3.0.0.tar.gz -C /tmp/z
    python3 crates/zip/data/regenerate.py \
        /tmp/z/zipcodes-3.0.0/crates/zipcodes/src/zips.json.bz2 > crates/zip/data/zips.txt
"""
import bz2
import json
import re
import sys

records = json.loads(bz2.open(sys.argv[1]).read())
rows = {}
for r in records:
    zip_code, state = r.get("zip_code", ""), r.get("state", "")
    if re.fullmatch(r"\d{5}", zip_code) and re.fullmatch(r"[A-Z]{2}", state):
        rows[zip_code] = state
for zip_code in sorted(rows):
    sys.stdout.write(f"{zip_code} {rows[zip_code]}\n")
