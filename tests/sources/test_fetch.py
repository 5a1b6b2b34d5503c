"""`igokg fetch` against a real HTTP server on 127.0.0.1: a good file, a wrong checksum, a 404, a
cut connection; and the missing-source message of validate/build."""

from __future__ import annotations

import hashlib
import http.server
import threading
from pathlib import Path

import pytest

from igokg.cli import main
from igokg.errors import MissingSource, RemoteError
from igokg.project import Project
from igokg.sources.fetch import fetch_sources
from igokg.sources.pinned import locate_files, read_pinned

GOOD = b"igo_year_format3 bytes\n" * 100
CUT = b"x" * 5000


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server's name
        if self.path == "/good.rda" or self.path == "/other.rda":
            body = GOOD if self.path == "/good.rda" else b"not the pinned bytes"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/cut.rda":
            self.send_response(200)
            self.send_header("Content-Length", str(len(CUT)))
            self.end_headers()
            self.wfile.write(CUT[:1000])  # then the connection closes
            self.wfile.flush()
            self.close_connection = True
        else:
            self.send_error(404, "Not Found")

    def log_message(self, *args):  # quiet
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def make_project(root: Path, url: str, sha: str = hashlib.sha256(GOOD).hexdigest()) -> Project:
    for d in ("ontology", "data", "seeds"):
        (root / d).mkdir(parents=True, exist_ok=True)
    (root / "seeds" / "datasets.ttl").write_text(f"""
@prefix igo: <https://w3id.org/igokg/ontology#> . @prefix id: <https://w3id.org/igokg/id/> .
@prefix dcat: <http://www.w3.org/ns/dcat#> .
id:toy a igo:Dataset ; igo:sourceName "toy" ;
  dcat:distribution [ igo:path "toy/data.rda" ; dcat:downloadURL <{url}> ; igo:sha256 "{sha}" ] .
""", encoding="utf-8")
    return Project.discover(root, env={"SOURCE_DATE_EPOCH": "0"}, interactive=False)


def test_fetch_downloads_a_good_file_into_the_cache_and_verifies_it(tmp_path, server):
    project = make_project(tmp_path, f"{server}/good.rda")
    report = fetch_sources(project)
    assert [(f.source, f.path, f.status) for f in report.files] == [("toy", "toy/data.rda", "downloaded")]
    assert (project.source_cache_dir / "toy" / "data.rda").read_bytes() == GOOD
    # a second fetch finds it in the cache and downloads nothing
    assert [f.status for f in fetch_sources(project).files] == ["cached"]
    (source,) = read_pinned(project)
    assert locate_files(project, source)["toy/data.rda"] == project.source_cache_dir / "toy" / "data.rda"


def test_fetch_refuses_a_file_with_the_wrong_checksum_and_keeps_nothing(tmp_path, server):
    project = make_project(tmp_path, f"{server}/other.rda")
    with pytest.raises(RemoteError, match="not the pinned"):
        fetch_sources(project)
    assert not any(project.source_cache_dir.rglob("*")) or not any(p.is_file() for p in project.source_cache_dir.rglob("*"))


def test_fetch_reports_a_404_with_its_url(tmp_path, server):
    project = make_project(tmp_path, f"{server}/missing.rda")
    with pytest.raises(RemoteError) as err:
        fetch_sources(project)
    assert err.value.status == 404 and err.value.endpoint.endswith("/missing.rda")
    assert not any(p.is_file() for p in project.cache_dir.rglob("*"))


def test_fetch_reports_a_cut_connection_and_leaves_no_partial_file(tmp_path, server):
    project = make_project(tmp_path, f"{server}/cut.rda", sha=hashlib.sha256(CUT).hexdigest())
    with pytest.raises(RemoteError, match="fetch again"):
        fetch_sources(project, timeout=10)
    assert not any(p.is_file() for p in project.cache_dir.rglob("*"))


def test_the_mirror_serves_the_files_without_a_download(tmp_path, server):
    mirror = tmp_path / "mirror"
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "data.rda").write_bytes(GOOD)
    project = make_project(tmp_path / "p", f"{server}/missing.rda").with_sources(mirror=mirror)
    assert [f.status for f in fetch_sources(project).files] == ["mirror"]


def test_a_mirror_file_with_other_bytes_is_refused(tmp_path, server):
    mirror = tmp_path / "mirror"
    (mirror / "toy").mkdir(parents=True)
    (mirror / "toy" / "data.rda").write_bytes(b"changed")
    project = make_project(tmp_path / "p", f"{server}/good.rda").with_sources(mirror=mirror)
    (source,) = read_pinned(project)
    with pytest.raises(MissingSource, match="not the pinned"):
        locate_files(project, source)


def test_fetch_of_an_unknown_source_names_the_known_ones(tmp_path, server, capsys):
    make_project(tmp_path, f"{server}/good.rda")
    assert main(["--root", str(tmp_path), "fetch", "nope"]) == 2
    assert "no pinned source named 'nope' (known: toy)" in capsys.readouterr().err


def test_validate_without_the_dataset_names_it_its_location_and_both_ways_to_supply_it(tmp_path, capsys, monkeypatch):
    from conftest import copy_project

    monkeypatch.delenv("IGOKG_SOURCE_MIRROR", raising=False)
    monkeypatch.delenv("IGOKG_SKIP_SOURCES", raising=False)
    root = copy_project(tmp_path / "p")
    code = main(["--root", str(root), "validate"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[0].startswith("igokg: source cow-igo-v3: ") and "the cache .cache/sources" in err
    assert "location: https://raw.githubusercontent.com/dieghernan/igoR/" in err
    assert "igokg fetch cow-igo-v3" in err and "IGOKG_SOURCE_MIRROR" in err and "--skip-source cow-igo-v3" in err
    assert "Traceback" not in err


def test_cli_fetch_of_a_404_is_one_line_naming_the_url_and_exits_non_zero(tmp_path, server, capsys):
    make_project(tmp_path, f"{server}/missing.rda")
    code = main(["--root", str(tmp_path), "fetch"])
    out, err = capsys.readouterr()
    assert code != 0 and out == ""
    assert err.startswith("igokg: ") and f"{server}/missing.rda" in err and "404" in err
    assert "Traceback" not in err
    assert not any(p.is_file() for p in (tmp_path / ".cache").rglob("*"))


def test_cli_fetch_reports_each_file_it_downloaded(tmp_path, server, capsys):
    make_project(tmp_path, f"{server}/good.rda")
    assert main(["--root", str(tmp_path), "fetch", "toy"]) == 0
    out = capsys.readouterr().out
    assert "toy/data.rda" in out and "downloaded" in out and "1 file(s), 1 downloaded, every sha256 verified" in out
