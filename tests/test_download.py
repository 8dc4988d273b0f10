"""The downloader end to end against a local HTTP server on 127.0.0.1.

The server serves a fixture zip laid out like the RAVDESS speech archive and
can cut the first response(s) short (headers announce the full length, the
body stops half way, the connection closes), ignore ``Range`` requests, or
answer them properly; it records every request's ``Range`` header.
"""
from __future__ import annotations

import hashlib
import io
import http.server
import json
import threading
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from serlib.audio import save_audio
from serlib.data import CORPORA, CorpusError, load_corpus
from serlib.data import download
from serlib.data.download import (SOURCES, ChecksumError, DownloadError, NotDownloadableError,
                                  UnverifiedDownloadWarning, download_corpus, extract_zip, fetch, file_hash,
                                  parse_known_hash)

RAVDESS_FIXTURE = ["Actor_01/03-01-01-01-01-01-01.wav", "Actor_01/03-01-05-02-01-01-01.wav",
                   "Actor_02/03-01-03-01-02-02-02.wav", "Actor_02/03-01-04-02-01-01-02.wav"]
TIMEOUT = 5.0


class FixtureHandler(http.server.BaseHTTPRequestHandler):
    """Serves ``server.payload`` at any path; behaviour set on the server object."""

    def log_message(self, *args):  # keep pytest output clean
        pass

    def do_GET(self):
        server = self.server
        with server.lock:
            server.ranges.append(self.headers.get("Range"))
            request_number = len(server.ranges)
        if self.path.endswith("/missing.zip"):
            self.send_error(404, "Not Found")
            return
        body = server.payload
        start = 0
        if self.headers.get("Range") and server.honour_range:
            start = int(self.headers["Range"].removeprefix("bytes=").rstrip("-"))
            if start >= len(body):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        remaining = body[start:]
        self.send_header("Content-Length", str(len(remaining)))
        self.send_header("Content-Type", "application/zip")
        self.end_headers()
        if request_number <= server.truncate_requests:
            self.wfile.write(remaining[: len(remaining) // 2])
            self.wfile.flush()
            return  # HTTP/1.0: the connection closes with the body half sent
        self.wfile.write(remaining)


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FixtureHandler)
    httpd.daemon_threads = True
    httpd.lock = threading.Lock()
    httpd.ranges = []
    httpd.payload = b""
    httpd.honour_range = True
    httpd.truncate_requests = 0
    httpd.url = f"http://127.0.0.1:{httpd.server_address[1]}/Audio_Speech_Actors_01-24.zip"
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=TIMEOUT)


@pytest.fixture(autouse=True)
def isolated(monkeypatch, tmp_path):
    """Downloads go to tmp_path, and loopback requests never go through a proxy."""
    monkeypatch.setenv("SERLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def ravdess_zip(tmp_path: Path, names=RAVDESS_FIXTURE) -> bytes:
    tree = tmp_path / "zip-source"
    rng = np.random.default_rng(0)
    for name in names:
        save_audio(tree / name, 0.01 * rng.standard_normal(800), 16000)
    archive = tmp_path / "fixture.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        for name in names:
            bundle.write(tree / name, name)
    return archive.read_bytes()


def md5(data: bytes) -> str:
    return "md5:" + hashlib.md5(data).hexdigest()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- hashes
def test_parse_known_hash_forms():
    digest = hashlib.md5(b"x").hexdigest()
    assert parse_known_hash(f"md5:{digest}") == ("md5", digest)
    assert parse_known_hash(f"MD5:{digest.upper()}") == ("md5", digest)
    assert parse_known_hash(hashlib.sha256(b"x").hexdigest()) == ("sha256", hashlib.sha256(b"x").hexdigest())
    assert parse_known_hash(digest) == ("md5", digest)
    with pytest.raises(ValueError, match="unsupported algorithm"):
        parse_known_hash("sha1:" + hashlib.sha1(b"x").hexdigest())
    with pytest.raises(ValueError, match="64 hex digits"):
        parse_known_hash("sha256:abc")
    with pytest.raises(ValueError, match="known_hash must be"):
        parse_known_hash("")


def test_file_hash_matches_hashlib(tmp_path):
    data = np.random.default_rng(1).bytes(3 << 20)  # spans several read blocks
    path = tmp_path / "blob"
    path.write_bytes(data)
    assert file_hash(path, "md5") == hashlib.md5(data).hexdigest()
    assert file_hash(path) == hashlib.sha256(data).hexdigest()


def test_registry_sources():
    ravdess = SOURCES["ravdess"]
    assert parse_known_hash(ravdess.known_hash) == ("md5", "bc696df654c87fed845eb13823edef8a")
    assert ravdess.url.startswith("https://zenodo.org/") and ravdess.expected_files == 1440
    emodb = SOURCES["emodb"]
    assert emodb.known_hash is None and "no checksum is published" in emodb.hash_source
    for name, spec in CORPORA.items():
        assert spec.downloadable == (name in SOURCES), name


# --------------------------------------------------------------------------- fetch
def test_fetch_downloads_verifies_and_caches(server, tmp_path):
    server.payload = ravdess_zip(tmp_path)
    for known_hash in (md5(server.payload), sha256(server.payload)):
        path = fetch(server.url, tmp_path / "dl", known_hash, progress=True, timeout=TIMEOUT)
        assert path.read_bytes() == server.payload
    assert len(server.ranges) == 1, "the second call must use the cached, verified file"
    assert not list((tmp_path / "dl").glob("*.part"))


def test_checksum_mismatch_keeps_nothing(server, tmp_path):
    server.payload = ravdess_zip(tmp_path)
    wrong = md5(b"something else")
    with pytest.raises(ChecksumError) as caught:
        fetch(server.url, tmp_path / "dl", wrong, progress=False, timeout=TIMEOUT)
    message = str(caught.value)
    assert server.url in message and wrong in message and md5(server.payload) in message
    assert not any((tmp_path / "dl").iterdir()), "no file may survive a failed checksum"
    path = fetch(server.url, tmp_path / "dl", md5(server.payload), progress=False, timeout=TIMEOUT)
    assert path.read_bytes() == server.payload
    assert len(server.ranges) == 2 and server.ranges[1] is None  # a fresh transfer, not a resume


def test_interrupted_transfer_resumes_with_range(server, tmp_path):
    server.payload = ravdess_zip(tmp_path)
    server.truncate_requests = 1
    dest = tmp_path / "dl"
    with pytest.raises(DownloadError, match="next call resumes"):
        fetch(server.url, dest, md5(server.payload), progress=False, attempts=1, timeout=TIMEOUT)
    part = dest / "Audio_Speech_Actors_01-24.zip.part"
    kept = part.stat().st_size
    assert kept == len(server.payload) // 2
    path = fetch(server.url, dest, md5(server.payload), progress=False, attempts=1, timeout=TIMEOUT)
    assert server.ranges == [None, f"bytes={kept}-"]
    assert path.read_bytes() == server.payload and not part.exists()


def test_retries_resume_within_one_call(server, tmp_path):
    server.payload = ravdess_zip(tmp_path)
    server.truncate_requests = 2  # the first request and the first resume are both cut
    path = fetch(server.url, tmp_path / "dl", sha256(server.payload), progress=False, attempts=3, timeout=TIMEOUT)
    assert path.read_bytes() == server.payload
    first = len(server.payload) // 2
    second = first + (len(server.payload) - first) // 2
    assert server.ranges == [None, f"bytes={first}-", f"bytes={second}-"]


def test_server_ignoring_range_restarts_cleanly(server, tmp_path):
    server.payload = ravdess_zip(tmp_path)
    server.truncate_requests = 1
    server.honour_range = False
    path = fetch(server.url, tmp_path / "dl", md5(server.payload), progress=False, attempts=2, timeout=TIMEOUT)
    assert server.ranges[1] is not None, "the client asked for a range"
    assert path.read_bytes() == server.payload  # the full 200 body replaced the partial file


def test_complete_part_file_is_accepted_after_416(server, tmp_path):
    server.payload = ravdess_zip(tmp_path)
    dest = tmp_path / "dl"
    dest.mkdir()
    (dest / "Audio_Speech_Actors_01-24.zip.part").write_bytes(server.payload)  # crashed before the rename
    path = fetch(server.url, dest, md5(server.payload), progress=False, timeout=TIMEOUT)
    assert server.ranges == [f"bytes={len(server.payload)}-"]
    assert path.read_bytes() == server.payload


def test_first_download_without_checksum_is_recorded_then_enforced(server, tmp_path):
    server.payload = ravdess_zip(tmp_path)
    dest = tmp_path / "dl"
    with pytest.warns(UnverifiedDownloadWarning, match="could not be verified"):
        path = fetch(server.url, dest, None, progress=False, timeout=TIMEOUT)
    recorded = json.loads((dest / "known_hashes.json").read_text())
    assert recorded == {server.url: sha256(server.payload)}
    path.unlink()
    server.payload = server.payload + b"changed upstream"
    with pytest.raises(ChecksumError, match="first download"):
        fetch(server.url, dest, None, progress=False, timeout=TIMEOUT)
    assert not path.exists() and not list(dest.glob("*.part"))


def test_bad_urls_and_http_errors(tmp_path, server):
    with pytest.raises(ValueError, match="http:// or https://"):
        fetch("ftp://127.0.0.1/x.zip", tmp_path, None)
    with pytest.raises(ValueError, match="no file name"):
        fetch(server.url.rsplit("/", 1)[0] + "/", tmp_path, None)
    missing = server.url.rsplit("/", 1)[0] + "/missing.zip"
    with pytest.raises(DownloadError, match=f"{missing}: HTTP 404"):
        fetch(missing, tmp_path / "dl", None, progress=False, timeout=TIMEOUT)
    assert not list((tmp_path / "dl").iterdir())


def test_licensed_corpus_from_your_own_mirror(server, tmp_path):
    source = tmp_path / "cremad-source"
    save_audio(source / "AudioWAV/1001_DFA_ANG_XX.wav", 0.01 * np.random.default_rng(3).standard_normal(800), 16000)
    with zipfile.ZipFile(tmp_path / "cremad.zip", "w") as bundle:
        bundle.write(source / "AudioWAV/1001_DFA_ANG_XX.wav", "AudioWAV/1001_DFA_ANG_XX.wav")
    server.payload = (tmp_path / "cremad.zip").read_bytes()
    root = download_corpus("cremad", tmp_path / "cremad", progress=False, url=server.url,
                           known_hash=sha256(server.payload), timeout=TIMEOUT)
    assert [r.label for r in load_corpus("cremad", root)] == ["angry"]


# --------------------------------------------------------------------------- download_corpus
def test_download_corpus_end_to_end(server, tmp_path):
    server.payload = ravdess_zip(tmp_path)
    root = tmp_path / "ravdess"
    result = download_corpus("ravdess", root, progress=False, url=server.url, known_hash=md5(server.payload),
                             timeout=TIMEOUT)
    assert result == root
    records = load_corpus("ravdess", root)
    assert len(records) == len(RAVDESS_FIXTURE)
    assert {r.speaker: r.gender for r in records} == {"01": "male", "02": "female"}
    archive = tmp_path / "cache" / "downloads" / "ravdess-Audio_Speech_Actors_01-24.zip"
    assert archive.read_bytes() == server.payload
    download_corpus("ravdess", root, progress=False, url=server.url, known_hash=md5(server.payload),
                    timeout=TIMEOUT)
    assert len(server.ranges) == 1, "a second call reuses the verified archive"


def test_download_corpus_checksum_mismatch_extracts_nothing(server, tmp_path):
    server.payload = ravdess_zip(tmp_path)
    root = tmp_path / "ravdess"
    with pytest.raises(ChecksumError):
        download_corpus("ravdess", root, progress=False, url=server.url, known_hash=md5(b"other"), timeout=TIMEOUT)
    assert not root.exists()
    assert not any((tmp_path / "cache" / "downloads").iterdir())


def test_official_source_checks_the_file_count(server, tmp_path, monkeypatch):
    server.payload = ravdess_zip(tmp_path)
    monkeypatch.setitem(SOURCES, "ravdess", replace(SOURCES["ravdess"], url=server.url,
                                                    known_hash=md5(server.payload)))
    with pytest.raises(CorpusError, match=f"parses {len(RAVDESS_FIXTURE)} files where the release has 1440"):
        download_corpus("ravdess", tmp_path / "ravdess", progress=False, timeout=TIMEOUT)


def test_emodb_without_checksum_warns_honestly(server, tmp_path, monkeypatch):
    names = ["wav/03a01Fa.wav", "wav/08b02Wc.wav"]
    tree = tmp_path / "emodb-source"
    for seed, name in enumerate(names):  # distinct audio: load_corpus refuses byte-identical files
        save_audio(tree / name, 0.01 * np.random.default_rng(2 + seed).standard_normal(800), 16000)
    with zipfile.ZipFile(tmp_path / "emodb.zip", "w") as bundle:
        for name in names:
            bundle.write(tree / name, name)
        bundle.writestr("erkennung.txt", "perception test\n")
    server.payload = (tmp_path / "emodb.zip").read_bytes()
    monkeypatch.setitem(SOURCES, "emodb", replace(SOURCES["emodb"], url=server.url, expected_files=len(names)))
    with pytest.warns(UnverifiedDownloadWarning, match="no published checksum"):
        root = download_corpus("emodb", tmp_path / "emodb", progress=False, timeout=TIMEOUT)
    assert len(load_corpus("emodb", root)) == 2
    known = json.loads((tmp_path / "cache" / "downloads" / "known_hashes.json").read_text())
    assert known == {server.url: sha256(server.payload)}


def test_not_a_zip_is_rejected_and_not_recorded(server, tmp_path):
    server.payload = b"<html>Service unavailable</html>"
    with pytest.raises(DownloadError, match="not a zip archive"):
        download_corpus("ravdess", tmp_path / "ravdess", progress=False, url=server.url, timeout=TIMEOUT)
    downloads = tmp_path / "cache" / "downloads"
    assert not (downloads / "known_hashes.json").exists()
    assert not list(downloads.glob("ravdess-*"))


def test_zip_members_outside_root_are_refused(tmp_path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("Actor_01/03-01-01-01-01-01-01.wav", b"ok")
        bundle.writestr("../escaped.wav", b"bad")
    with pytest.raises(DownloadError, match="outside"):
        extract_zip(archive, tmp_path / "root")
    assert not (tmp_path / "escaped.wav").exists()
    assert not (tmp_path / "root" / "Actor_01").exists()


@pytest.mark.parametrize("name", ["iemocap", "cremad", "tess", "savee", "casia", "esd", "emovo"])
def test_licensed_corpora_explain_how_to_obtain_them(name, tmp_path):
    with pytest.raises(NotDownloadableError) as caught:
        download_corpus(name, tmp_path / name, progress=False)
    message = str(caught.value)
    spec = CORPORA[name]
    assert spec.instructions in message and spec.layout in message and spec.licence in message
    assert not (tmp_path / name).exists()


def test_unknown_corpus_is_named(tmp_path):
    with pytest.raises(CorpusError, match="unknown corpus 'nope'"):
        download_corpus("nope", tmp_path)


def test_download_module_imports_only_earlier_steps():
    source = Path(download.__file__).read_text()
    for later in ("features", "augment", "models", "train", "evaluate", "report", "experiments"):
        assert f"from ..{later}" not in source and f"serlib.{later}" not in source


def esc50_zip(tmp_path: Path, n_clips: int = 3) -> bytes:
    """A miniature ESC-50 repository archive: ESC-50-master/meta/esc50.csv and audio/*.wav."""
    import soundfile as sf

    tree = tmp_path / "esc-source" / "ESC-50-master"
    (tree / "meta").mkdir(parents=True)
    (tree / "audio").mkdir()
    rng = np.random.default_rng(1)
    lines = ["filename,fold,target,category,esc10,src_file,take"]
    for i in range(n_clips):
        name = f"1-{100 + i}-A-{i}.wav"
        sf.write(tree / "audio" / name, 0.1 * rng.standard_normal(8000).astype(np.float32), 16000)
        lines.append(f"{name},1,{i},rain,False,{100 + i},A")
    (tree / "meta" / "esc50.csv").write_text("\n".join(lines) + "\n")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for path in sorted(tree.rglob("*")):
            bundle.write(path, path.relative_to(tree.parent))
    return buffer.getvalue()


def test_esc50_noise_download_unpacks_and_parses(server, tmp_path):
    from serlib.augment import esc50_noise_pool, load_esc50
    from serlib.data.download import download_noise

    server.payload = esc50_zip(tmp_path)
    folder = download_noise("esc50", tmp_path / "esc", progress=False, url=server.url,
                            known_hash=sha256(server.payload), timeout=TIMEOUT)
    clips = load_esc50(folder)
    assert len(clips) == 3 and {c.category for c in clips} == {"rain"}
    assert len(esc50_noise_pool(clips, sr=16000)) == 3
    download_noise("esc50", tmp_path / "esc", progress=False, url=server.url, known_hash=sha256(server.payload),
                   timeout=TIMEOUT)
    assert len(server.ranges) == 1, "a second call reuses the verified archive"


def test_esc50_download_with_wrong_layout_is_refused(server, tmp_path):
    from serlib.data.download import download_noise

    server.payload = ravdess_zip(tmp_path)
    with pytest.raises(CorpusError, match="esc50.csv"):
        download_noise("esc50", tmp_path / "esc", progress=False, url=server.url, timeout=TIMEOUT)
    with pytest.raises(CorpusError, match="unknown noise collection"):
        download_noise("noisex", tmp_path / "x", progress=False)
