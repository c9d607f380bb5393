"""What the browser tests share: where their reports go, the tools in
tests/node_modules, Chromium's flags, and the runs of a page script
(check.mjs, world.mjs), the Nu Html Checker and Lighthouse.  Importing it
puts tests/http on the path, for its conftest."""

import json
import os
import subprocess
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from conftest import ROOT  # noqa: E402

ART = ROOT / "tests" / "artifacts" / "browser" / ("asan" if os.environ.get("GAZETTE_SANITIZED") == "1" else "release")
NODE_MODULES = ROOT / "tests" / "node_modules"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage "
                "--disable-background-networking --disable-component-update --disable-sync "
                "--no-first-run --host-resolver-rules='MAP * ~NOTFOUND , EXCLUDE 127.0.0.1'")


def run_node(script, report, *args):
    """Runs tests/browser/<script> with node on args (its first two: the
    site's address and ART, where it writes screenshots): it must exit 0.
    Its JSON answer is kept at ART/report and returned."""
    ART.mkdir(parents=True, exist_ok=True)
    r = subprocess.run(["node", str(ROOT / "tests" / "browser" / script), *args],
                       capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout)
    (ART / report).write_text(json.dumps(result, indent=1))
    return result


def nu_check(urls, folder, report, timeout):
    """The pages at urls (each must answer 200 or 404), saved in folder: the
    Nu Html Checker finds no error in them.  Its JSON is kept at ART/report."""
    files = []
    for url in urls:
        r = requests.get(url, timeout=30)
        assert r.status_code in (200, 404), url
        f = folder / f"page{len(files)}.html"
        f.write_bytes(r.content)
        files.append(str(f))
    r = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--stdout", *files],
                       capture_output=True, text=True, timeout=timeout)
    (ART / report).write_text(r.stdout)
    messages = json.loads(r.stdout)["messages"]
    errors = [m for m in messages if m.get("type") == "error"]
    assert errors == [], json.dumps(errors, indent=1, ensure_ascii=False)
    assert r.returncode == 0


def lighthouse(url, report, timeout):
    """Lighthouse's four categories on url (mobile, its default), the best of up to
    three runs while performance is under 100 (only it depends on the machine's load),
    kept at report.  Returns the scores by category, the audits that fell short (binary
    and numeric ones under 1) and the whole report."""
    env = dict(os.environ, CHROME_PATH="/usr/bin/chromium")
    best = None
    for _ in range(3):
        r = subprocess.run([str(NODE_MODULES / ".bin" / "lighthouse"), url, "--quiet",
                            "--output=json", f"--output-path={report}",
                            f"--chrome-flags={CHROME_FLAGS}",
                            "--only-categories=performance,accessibility,best-practices,seo"],
                           capture_output=True, text=True, env=env, timeout=timeout)
        assert r.returncode == 0, r.stderr[-2000:]
        result = json.loads(report.read_text())
        if best is None or result["categories"]["performance"]["score"] > \
                best["categories"]["performance"]["score"]:
            best = result
        if best["categories"]["performance"]["score"] == 1:
            break
    report.write_text(json.dumps(best))
    scores = {k: c["score"] for k, c in best["categories"].items()}
    failing = {a["id"]: a["score"] for a in best["audits"].values()
               if a.get("score") is not None and a["score"] < 1
               and a.get("scoreDisplayMode") in ("binary", "numeric")}
    return scores, failing, best
