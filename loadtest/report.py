"""Print the load test's figures from locust's CSV: throughput, errors, p50/p95/p99 per page type.

Usage: python loadtest/report.py PREFIX (the --csv prefix given to locust).
Exits 1 when any request failed, so `make loadtest` fails on errors.
"""

import csv
import sys

prefix = sys.argv[1]
with open(f"{prefix}_stats.csv", encoding="utf-8") as handle:
    rows = list(csv.DictReader(handle))

print(f"{'page':34} {'requests':>8} {'failed':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}")
for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
    name = "ALL PAGES" if row["Name"] == "Aggregated" else row["Name"]
    print(
        f"{name[:34]:34} {row['Request Count']:>8} {row['Failure Count']:>6} {float(row['Requests/s']):>7.1f} "
        f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7} {float(row['Max Response Time']):>7.0f}"
    )

try:
    with open(f"{prefix}_failures.csv", encoding="utf-8") as handle:
        failures = list(csv.DictReader(handle))
except FileNotFoundError:
    failures = []
for failure in failures:
    print(f"FAILED {failure['Occurrences']}x {failure['Method']} {failure['Name']}: {failure['Error']}")

total = next(row for row in rows if row["Name"] == "Aggregated")
sys.exit(1 if int(total["Failure Count"]) else 0)
