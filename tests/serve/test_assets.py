"""The query editor's files: pinned by version and sha384, from the CDN or `igokg serve --assets DIR`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import urllib.request

import pytest
from support.serve import ROOT, build_test_release, start_server, stop_server

from igokg.serve.assets import CDN_BASE, YASGUI_FILES, YASGUI_VERSION, editor_assets, sri

YASGUI = ROOT / ".cache" / "npm" / "node_modules" / "@zazuko" / "yasgui"
if not (YASGUI / "build" / "yasgui.min.js").is_file():
    if os.environ.get("CI"):
        raise RuntimeError("missing @zazuko/yasgui: .ci/setup.d/serve.sh installs it")
    pytest.skip("missing @zazuko/yasgui: run bash .ci/setup.d/serve.sh", allow_module_level=True)


def test_the_pinned_hashes_are_those_of_the_npm_package():
    assert f'"version": "{YASGUI_VERSION}"' in (YASGUI / "package.json").read_text()
    for name, digest in YASGUI_FILES.items():
        assert sri(YASGUI / "build" / name) == digest, name
    assert CDN_BASE == f"https://cdn.jsdelivr.net/npm/@zazuko/yasgui@{YASGUI_VERSION}/build/"


def test_assets_accepts_the_package_or_its_build_folder():
    assert editor_assets(YASGUI).folder == (YASGUI / "build").resolve()
    assert editor_assets(YASGUI / "build").script == "/assets/yasgui.min.js"
    assert editor_assets(ROOT / ".cache" / "npm").folder == (YASGUI / "build").resolve()
    assert editor_assets(None).origin == "https://cdn.jsdelivr.net"


def _serve(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, "-m", "igokg", "--root", str(ROOT), "serve", "--port", "1", *args],
                          capture_output=True, text=True, timeout=60, env=env)


def test_a_folder_without_yasgui_is_a_one_line_error_exit_2(tmp_path):
    proc = _serve("--assets", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "no yasgui.min.js" in proc.stderr and "npm install @zazuko/yasgui@" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_another_version_of_yasgui_is_refused(tmp_path):
    shutil.copytree(YASGUI / "build", tmp_path / "build", ignore=shutil.ignore_patterns("*.map", "ts"))
    with (tmp_path / "build" / "yasgui.min.js").open("a") as fh:
        fh.write("\n// changed\n")
    proc = _serve("--assets", str(tmp_path))
    assert proc.returncode == 2 and f"is not @zazuko/yasgui {YASGUI_VERSION}" in proc.stderr


@pytest.fixture(scope="module")
def local(tmp_path_factory):
    served = start_server(build_test_release(tmp_path_factory.mktemp("assets") / "dist"), "--assets", str(YASGUI))
    yield served
    stop_server(served)


def test_the_editor_loads_the_local_copy_and_nothing_from_elsewhere(local):
    req = urllib.request.Request(local.url + "/sparql", headers={"Accept": "text/html"})
    with urllib.request.urlopen(req, timeout=30) as r:
        page, csp = r.read().decode(), r.headers["content-security-policy"]
    assert 'src="/assets/yasgui.min.js" integrity="' + YASGUI_FILES["yasgui.min.js"] + '"' in page
    assert "cdn.jsdelivr.net" not in csp and "https://" not in csp
    with urllib.request.urlopen(local.url + "/assets/yasgui.min.js", timeout=30) as r:
        assert r.read() == (YASGUI / "build" / "yasgui.min.js").read_bytes()
        assert r.headers["content-type"].startswith(("text/javascript", "application/javascript"))
