"""`make audit`: known vulnerabilities in the Python packages (pip-audit) and the vendored
browser packages (npm audit), and a plain statement of what could NOT be audited.

An advisory database that cannot be reached is not "no vulnerabilities": each part says whether
it was audited. Exit status 1 when a vulnerability was found, else 0.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(command: list[str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def python_packages() -> int:
    print("== Python packages (pip-audit) ==")
    if run([sys.executable, "-m", "pip_audit", "--version"]).returncode != 0:
        installed = run([sys.executable, "-m", "pip", "install", "--quiet", "pip-audit"])
        if installed.returncode != 0:
            print("NOT AUDITED: pip-audit could not be installed (is PyPI reachable?).")
            return 0
    done = run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--skip-editable",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ]
    )
    try:
        report = json.loads(done.stdout)
    except ValueError:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"NOT AUDITED: pip-audit could not reach its advisory database ({reason}).")
        return 0
    packages = report.get("dependencies", [])
    skipped = [p for p in packages if "skip_reason" in p]
    vulnerable = [p for p in packages if p.get("vulns")]
    audited = len(packages) - len(skipped)
    for package in vulnerable:
        ids = ", ".join(v["id"] for v in package["vulns"])
        print(f"VULNERABLE: {package['name']} {package['version']}: {ids}")
    if audited == 0:
        print(
            f"NOT AUDITED: none of {len(packages)} packages could be checked; the advisory "
            "database (PyPI/OSV) is not reachable from here."
        )
    elif skipped:
        names = ", ".join(p["name"] for p in skipped[:10])
        print(f"PARTLY AUDITED: {audited} checked, {len(skipped)} not ({names}, ...).")
    else:
        print(f"Audited {audited} packages: {len(vulnerable)} with known vulnerabilities.")
    return len(vulnerable)


def browser_packages() -> int:
    print("== Browser packages, vendored into web/vendor/ (npm audit) ==")
    if shutil.which("npm") is None:
        print("NOT AUDITED: npm is not installed.")
        return 0
    done = run(["npm", "audit", "--package-lock-only", "--json"], timeout=120)
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = {}
    counts = report.get("metadata", {}).get("vulnerabilities")
    if counts is None:
        lines = [line for line in done.stderr.splitlines() if "audit" in line] or ["no answer"]
        detail = report.get("error", {}).get("summary") or lines[0].removeprefix("npm warn ")
        print(f"NOT AUDITED: npm's advisory database is not reachable from here ({detail}).")
        return 0
    found = int(counts.get("total", 0))
    for name, entry in report.get("vulnerabilities", {}).items():
        print(f"VULNERABLE: {name} ({entry.get('severity')})")
    print(f"Audited package-lock.json: {found} known vulnerabilities.")
    return found


def main() -> int:
    found = python_packages() + browser_packages()
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
