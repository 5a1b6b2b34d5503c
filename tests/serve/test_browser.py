"""A headless Chromium (Debian), driven by Playwright, uses the served site and query editor."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from support.serve import ROOT, build_test_release, start_server, stop_server

NODE_MODULES = ROOT / ".cache" / "npm" / "node_modules"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

_missing = [what for what, ok in (("playwright-core", (NODE_MODULES / "playwright-core").is_dir()),
                                  ("chromium", os.path.exists(CHROMIUM)),
                                  ("node", shutil.which("node") is not None)) if not ok]
if _missing:
    if os.environ.get("CI"):
        raise RuntimeError(f"missing {', '.join(_missing)}: .ci/setup.d/serve.sh installs them")
    pytest.skip(f"missing {', '.join(_missing)}: run bash .ci/setup.d/serve.sh", allow_module_level=True)

SCRIPT = r"""
const { chromium } = require('playwright-core');
(async () => {
  const base = process.argv[2];
  const browser = await chromium.launch({
    executablePath: process.argv[3], headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const out = {};
  const page = await browser.newPage();
  const external = [];
  page.on('request', (r) => { if (!r.url().startsWith(base)) external.push(r.url()); });
  let r = await page.goto(base + '/');
  out.landing = { status: r.status(), text: await page.textContent('body') };
  r = await page.goto(base + '/id/csto');
  out.entity = { status: r.status(), url: page.url(), text: await page.textContent('body') };
  r = await page.goto(base + '/sparql');
  out.editor = { status: r.status(), options: await page.$$eval('#examples option', (os) => os.map((o) => o.textContent)) };
  const index = await page.$$eval('#examples option', (os) => os.findIndex((o) => o.textContent.includes('zz-test-members-of-csto')));
  await page.selectOption('#examples', String(index - 1));
  out.query = await page.inputValue('#query');
  await page.click('#run');
  await page.waitForSelector('#results table tbody tr', { timeout: 15000 });
  out.rows = await page.$$eval('#results table tbody tr', (trs) => trs.map((tr) => tr.textContent));
  out.status = await page.textContent('#status');
  out.external = external;
  console.log(JSON.stringify(out));
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    release = build_test_release(tmp_path_factory.mktemp("browser") / "dist")
    s = start_server(release)
    yield s
    stop_server(s)


@pytest.fixture(scope="module")
def visit(served, tmp_path_factory):
    script = tmp_path_factory.mktemp("js") / "visit.js"
    script.write_text(SCRIPT, encoding="utf-8")
    proc = subprocess.run(["node", str(script), served.url, CHROMIUM], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, NODE_PATH=str(NODE_MODULES)))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_browser_opens_the_landing_page(visit):
    assert visit["landing"]["status"] == 200
    assert "igokg" in visit["landing"]["text"].lower() or "intergovernmental" in visit["landing"]["text"].lower()


def test_browser_follows_an_entity_iri_to_its_page(visit):
    assert visit["entity"]["status"] == 200
    assert visit["entity"]["url"].endswith(("/id/csto.html", "/id/csto.ttl"))
    assert "csto" in visit["entity"]["text"].lower()


def test_browser_runs_an_example_query_in_the_editor_and_sees_results(visit):
    assert visit["editor"]["status"] == 200
    assert any("zz-test-members-of-csto" in o for o in visit["editor"]["options"])
    assert "igo:organization id:csto" in visit["query"]
    assert len(visit["rows"]) >= 3
    assert any("https://w3id.org/igokg/id/" in row for row in visit["rows"])
    assert "results" in visit["status"]


def test_the_editor_works_offline(visit):
    assert visit["external"] == []
