"""`meson install` puts the binary, the man page and the example systemd
units where they belong, and the units are ones systemd accepts and whose
command line the installed gazette runs."""

import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from conftest import BIN, assert_no_sanitizer_report

BUILD = Path(BIN).resolve().parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    if not (BUILD / "build.ninja").exists():
        pytest.skip(f"{BIN} is not in a meson build folder")
    dest = tmp_path_factory.mktemp("destdir")
    r = subprocess.run(["meson", "install", "-C", str(BUILD), "--destdir", str(dest),
                        "--no-rebuild", "--quiet"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    files = {str(p.relative_to(dest)): p for p in dest.rglob("*") if p.is_file()}
    return dest, files


def one(files, pattern):
    found = [p for name, p in files.items() if re.fullmatch(pattern, name)]
    assert len(found) == 1, (pattern, sorted(files))
    return found[0]


def test_binary_man_page_and_units_are_installed(installed):
    _, files = installed
    binary = one(files, r"usr(/local)?/bin/gazette")
    assert os.access(binary, os.X_OK)
    r = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith("gazette "), r.stdout + r.stderr
    man = one(files, r"usr(/local)?/share/man/man1/gazette\.1").read_text()
    assert re.search(r'^\.TH "gazette" "1"', man, re.M), man[:300]
    for command in ("serve", "import", "export", "token"):
        assert re.search(rf"gazette.{{0,12}}{command}", man), command
    one(files, r"(usr/)?lib/systemd/system/gazette\.socket")
    service = one(files, r"(usr/)?lib/systemd/system/gazette\.service").read_text()
    exec_start = re.search(r"^ExecStart=(\S+)", service, re.M).group(1)
    assert "@" not in service, "a placeholder was left in the installed unit"
    assert exec_start == "/" + str(binary.relative_to(installed[0])), exec_start
    one(files, r"usr(/local)?/share/doc/gazette/examples/nginx\.conf")


def units_pointing_at(dest, files, folder):
    """The installed units, their ExecStart pointed into the destdir."""
    for name in ("gazette.service", "gazette.socket"):
        text = one(files, rf"(usr/)?lib/systemd/system/{re.escape(name)}").read_text()
        text = re.sub(r"^ExecStart=(\S+)", lambda m: f"ExecStart={dest}{m.group(1)}",
                      text, flags=re.M)
        (folder / name).write_text(text)
    return [folder / "gazette.socket", folder / "gazette.service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze missing")
def test_systemd_accepts_the_units(installed, tmp_path):
    dest, files = installed
    units = units_pointing_at(dest, files, tmp_path)
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", *map(str, units)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stdout + r.stderr


def test_systemd_analyze_would_catch_a_broken_unit(installed, tmp_path):
    """The check above can fail: a unit with an unknown key and a command
    that is not there is reported."""
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze missing")
    bad = tmp_path / "gazette.service"
    bad.write_text("[Service]\nExecStart=/nonexistent/gazette serve\nBogusKey=1\n")
    r = subprocess.run(["systemd-analyze", "verify", "--man=no", str(bad)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "BogusKey" in r.stderr, r.stdout + r.stderr


def test_the_units_command_line_runs(installed, tmp_path):
    """gazette.service's ExecStart, with its state and log folders moved into
    a temporary one and a free port, starts the installed gazette, which
    answers and stops cleanly on SIGTERM (the unit's KillSignal)."""
    dest, files = installed
    service = one(files, r"(usr/)?lib/systemd/system/gazette\.service").read_text()
    argv = shlex.split(re.search(r"^ExecStart=(.*)$", service, re.M).group(1))
    argv[0] = str(dest) + argv[0]
    argv = [a.replace("/var/lib/gazette", str(tmp_path)).replace("/var/log/gazette", str(tmp_path))
            for a in argv]
    assert "--listen" not in argv  # the socket comes from gazette.socket
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        p = subprocess.Popen(argv + ["--listen", "127.0.0.1:0"], stdout=out,
                             stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while "listening on" not in log.read_text():
                assert p.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.05)
            url = re.search(r"listening on (http://\S+?)/? ", log.read_text()).group(1)
            r = requests.get(url + "/healthz", timeout=10)
            assert r.status_code == 200
        finally:
            p.send_signal(signal.SIGTERM)
            rc = p.wait(timeout=60)
    assert_no_sanitizer_report(log.read_text())
    assert rc == 0, log.read_text()
    assert (tmp_path / "site.db").exists() and (tmp_path / "access.log").exists()
