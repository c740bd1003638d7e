"""``kiban conformance``: run the kit against a live implementation (no database or settings needed)."""

from __future__ import annotations

import argparse
from pathlib import Path

from .checks import Target
from .report import html_report, junit_xml, run


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="kiban conformance", description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--tenant", required=True, help="local government code of a municipality that chose the client")
    parser.add_argument("--other-tenant", default="", help="a code the client may not act for (default: derived)")
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--junit", type=Path, default=Path("conformance-junit.xml"))
    parser.add_argument("--html", type=Path, default=Path("conformance-report.html"))
    args = parser.parse_args(argv)
    other = args.other_tenant or ("131041" if args.tenant != "131041" else "131016")
    target = Target(args.base_url, args.tenant, args.client_id, args.client_secret, other)
    results = run(target)
    junit_xml(results, args.junit)
    html_report(results, target, args.html)
    for r in results:
        print(f"{'PASS' if r.passed else 'FAIL'}  {r.name:<28} {r.description}")
        if not r.passed:
            print("      " + r.message.replace("\n", "\n      "))
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed}/{len(results)} checks passed; reports: {args.junit} {args.html}")
    return 1 if failed else 0
