"""Running the checks, and the JUnit XML and HTML reports."""

from __future__ import annotations

import html
import time
import traceback
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from .checks import CHECKS, Target


@dataclass
class Result:
    name: str
    description: str
    passed: bool
    seconds: float
    message: str = ""


def run(target: Target) -> list[Result]:
    results = []
    for name, description, fn in CHECKS:
        started = time.perf_counter()
        try:
            fn(target)
            results.append(Result(name, description, True, time.perf_counter() - started))
        except AssertionError as exc:
            results.append(Result(name, description, False, time.perf_counter() - started, str(exc)))
        except Exception as exc:  # an error in the implementation under test is a failed check, with its trace
            message = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
            results.append(Result(name, description, False, time.perf_counter() - started, message))
    return results


def junit_xml(results: list[Result], path: Path) -> None:
    failures = sum(not r.passed for r in results)
    suite = ET.Element("testsuite", name="kiban-conformance", tests=str(len(results)), failures=str(failures))
    for r in results:
        case = ET.SubElement(suite, "testcase", classname="conformance", name=r.name, time=f"{r.seconds:.3f}")
        if not r.passed:
            ET.SubElement(
                case, "failure", message=r.message.splitlines()[0] if r.message else "failed"
            ).text = r.message
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def html_report(results: list[Result], target: Target, path: Path) -> None:
    rows = "\n".join(
        f"<tr><td>{'合格 PASS' if r.passed else '不合格 FAIL'}</td><td><code>{html.escape(r.name)}</code></td>"
        f"<td>{html.escape(r.description)}</td><td><pre>{html.escape(r.message)}</pre></td></tr>"
        for r in results
    )
    passed = sum(r.passed for r in results)
    path.write_text(
        f"""<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>標準準拠の確認 conformance report</title>
<style>body{{font-family:sans-serif}} td,th{{border:1px solid #767676;padding:.25rem .5rem}}
table{{border-collapse:collapse}}</style></head><body>
<h1>標準準拠の確認 (conformance report)</h1>
<p>{html.escape(target.base_url)} — tenant {html.escape(target.tenant)} — {passed}/{len(results)} passed</p>
<table><thead><tr><th>結果</th><th>check</th><th>what the standard expects</th><th>detail</th></tr></thead>
<tbody>{rows}</tbody></table></body></html>
""",
        encoding="utf-8",
    )
