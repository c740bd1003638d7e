"""The conformance kit's own behaviour: reports, and a failing implementation is reported as failing."""

import xml.etree.ElementTree as ET
from pathlib import Path

from kiban.conformance.checks import Target
from kiban.conformance.report import html_report, junit_xml, run


def test_an_unreachable_implementation_fails_every_check_and_reports_say_so(tmp_path: Path) -> None:
    target = Target("http://127.0.0.1:9", "131016", "id", "secret", "131041")  # port 9: nothing listens
    results = run(target)
    assert results and not any(r.passed for r in results)
    junit_xml(results, tmp_path / "j.xml")
    suite = ET.parse(tmp_path / "j.xml").getroot()
    assert suite.get("failures") == str(len(results)) == suite.get("tests")
    html_report(results, target, tmp_path / "r.html")
    assert "不合格 FAIL" in (tmp_path / "r.html").read_text(encoding="utf-8")
