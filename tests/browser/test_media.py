"""Audio served by gazette plays in Debian's Chromium: the browser asks for
it in byte ranges (it seeks, and a large file is streamed), and gazette
answers them (206, Content-Range, Accept-Ranges), under the Content-
Security-Policy of the site's pages."""

import io
import json
import math
import struct
import subprocess
import sys
import wave
from pathlib import Path

import pytest
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "http"))
from conftest import ROOT, Server, add_token, stop_checked  # noqa: E402


def tone(seconds, rate=22050):
    """A 16-bit mono WAV of a 440 Hz tone: 30 s make 1.3 MB, more than gazette
    answers from memory, so it is streamed."""
    b = io.BytesIO()
    with wave.open(b, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                               for i in range(int(seconds * rate))))
    return b.getvalue()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    d = tmp_path_factory.mktemp("media")
    s = Server(d / "site.db")  # the built-in sample site
    token = add_token(d / "site.db", "media")
    r = requests.post(s.url + "/api/v1/files", params={"path": "media/tone.wav"}, data=tone(30),
                      headers={"Authorization": f"Bearer {token}"}, timeout=30)
    assert r.status_code == 201, r.text
    assert r.json()["file"]["type"] == "audio/wav"
    yield s
    stop_checked(s)


def test_chromium_plays_audio_with_ranges(site):
    r = subprocess.run(["node", str(ROOT / "tests" / "browser" / "media.mjs"), site.url,
                        "/media/tone.wav"], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, r.stderr[-2000:]
    result = json.loads(r.stdout)
    assert result["errors"] == [], result
    el = result["element"]
    assert el["error"] is None and el["ended"], el
    assert 29.5 < el["duration"] < 30.5, el
    assert el["seeked_to"] > 25, el
    reqs = result["requests"]
    # The browser asked in ranges, and gazette answered each with its part.
    assert reqs and all(q["range"] for q in reqs), reqs
    assert all(q["status"] == 206 for q in reqs), reqs
    assert all(q["accept_ranges"] == "bytes" for q in reqs), reqs
    # ... one of them from the middle of the file, after the seek.
    starts = [int(q["content_range"].split()[1].split("-")[0]) for q in reqs]
    assert any(s > 1_000_000 for s in starts), reqs
