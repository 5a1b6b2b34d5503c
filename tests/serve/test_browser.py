"""A headless Chromium (Debian), driven by Playwright, uses the served site, query editor and search.

The server runs with `--assets` (YASGUI from npm, as `.ci/setup.d/serve.sh` installs it): the
browser then loads nothing from elsewhere, which the tests check. `IGOKG_UPDATE_SCREENSHOT=1`
also writes the editor's screenshot to docs/img/query-editor.png.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
from support.serve import ROOT, build_test_release, embedded_select, start_server, stop_server

NODE_MODULES = ROOT / ".cache" / "npm" / "node_modules"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
YASGUI = NODE_MODULES / "@zazuko" / "yasgui"

_missing = [what for what, ok in (("playwright-core", (NODE_MODULES / "playwright-core").is_dir()),
                                  ("@zazuko/yasgui", (YASGUI / "build").is_dir()),
                                  ("chromium", os.path.exists(CHROMIUM)),
                                  ("node", shutil.which("node") is not None)) if not ok]
if _missing:
    if os.environ.get("CI"):
        raise RuntimeError(f"missing {', '.join(_missing)}: .ci/setup.d/serve.sh installs them")
    pytest.skip(f"missing {', '.join(_missing)}: run bash .ci/setup.d/serve.sh", allow_module_level=True)

TYPED_QUERY = ("PREFIX igo: <https://w3id.org/igokg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
               "SELECT ?state ?name WHERE { ?m igo:organization <https://w3id.org/igokg/id/csto> ; igo:member ?state ;"
               " igo:role igo:Member . ?state rdfs:label ?name } ORDER BY ?name")

SCRIPT = r"""
const { chromium } = require('playwright-core');
(async () => {
  const [base, executable, typed, shot] = process.argv.slice(2);
  const browser = await chromium.launch({
    executablePath: executable, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync'],
  });
  const out = { external: [], console: [] };
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.on('request', (r) => { if (!r.url().startsWith(base) && !r.url().startsWith('data:') && !r.url().startsWith('file:')) out.external.push(r.url()); });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') out.console.push(m.text()); });
  page.on('pageerror', (e) => out.console.push('pageerror: ' + e.message));

  let r = await page.goto(base + '/');
  out.landing = { status: r.status(), text: await page.textContent('body') };
  r = await page.goto(base + '/id/csto');
  out.entity = { status: r.status(), url: page.url(), text: await page.textContent('body') };

  // The editor: type a query, run it with Ctrl+Enter.
  r = await page.goto(base + '/sparql');
  await page.waitForSelector('#editor[data-state="ready"]', { timeout: 30000 });
  out.editor = { status: r.status(), header: await page.$$eval('header.site a', (as) => as.map((a) => a.textContent)),
                 examples: await page.$$eval('#examples option', (os) => os.map((o) => o.textContent)) };
  await page.click('.CodeMirror');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(typed);
  await page.keyboard.press('Control+Enter');
  await page.waitForSelector('.yasr table tbody tr', { timeout: 30000 });
  out.rows = await page.$$eval('.yasr table tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(1).map((td) => td.innerText.trim())));
  out.links = await page.$$eval('.yasr table tbody a.iri', (as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
  out.langTags = await page.$$eval('.yasr table tbody sup', (ss) => ss.map((s) => s.textContent));
  out.download = await page.$$eval('.yasr .yasr_downloadIcon, .yasr [title*="ownload"]', (es) => es.length);
  if (shot) await page.screenshot({ path: shot, fullPage: false });

  // A link to a result opens the entity's page on this server.
  await Promise.all([page.waitForNavigation(), page.click('.yasr table tbody a.iri >> nth=0')]);
  out.followed = page.url();

  // A share link (#query=) opens the query in a tab and runs it.
  const shared = 'SELECT ?org WHERE { ?org a <https://w3id.org/igokg/ontology#IntergovernmentalOrganization> } ORDER BY ?org';
  const fresh = await context.newPage();
  await fresh.goto(base + '/sparql#query=' + encodeURIComponent(shared));
  await fresh.waitForSelector('.yasr table tbody tr', { timeout: 30000 });
  out.shared = { rows: await fresh.$$eval('.yasr table tbody tr', (trs) => trs.length),
                 text: await fresh.evaluate(() => window.igokgEditor.getTab().getQuery()) };

  // An example from the menu opens in its own tab.
  const idx = await fresh.$$eval('#examples option', (os) => os.findIndex((o) => o.textContent.includes('zz-test-members-of-csto')));
  await fresh.selectOption('#examples', String(idx - 1));
  await fresh.waitForFunction(() => window.igokgEditor.getTab().getName() === 'zz-test-members-of-csto');
  out.example = await fresh.evaluate(() => window.igokgEditor.getTab().getQuery());

  // Prefixes are known (typing igo: declares it) and classes of this graph complete.
  const typing = await context.newPage();
  await typing.goto(base + '/sparql');
  await typing.waitForSelector('#editor[data-state="ready"]', { timeout: 30000 });
  await typing.click('.CodeMirror');
  await typing.keyboard.press('Control+A');
  await typing.keyboard.press('Delete');
  await typing.keyboard.type('SELECT * WHERE { ?s a igo:Inter');
  await typing.waitForSelector('.CodeMirror-hints li', { timeout: 10000 });
  out.completion = { query: await typing.evaluate(() => window.igokgEditor.getTab().getQuery()),
                     hints: await typing.$$eval('.CodeMirror-hints li', (ls) => ls.map((l) => l.textContent)) };

  // A browser opening /sparql?query= gets the results as a page.
  r = await page.goto(base + '/sparql?query=' + encodeURIComponent(typed));
  out.resultsPage = { status: r.status(), type: r.headers()['content-type'],
                      rows: await page.$$eval('table.results tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()))) };

  // The search box of the header: type, submit, follow the first hit.
  await page.goto(base + '/id/csto.html');
  out.searchBoxOnEntityPage = await page.$$eval('header.site form.search input', (is) => is.length);
  await page.goto(base + '/sparql');
  await page.fill('header.site form.search input', 'collective security');
  await Promise.all([page.waitForNavigation(), page.press('header.site form.search input', 'Enter')]);
  out.search = { url: page.url(), hits: await page.$$eval('ol.hits > li > a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')])) };
  await Promise.all([page.waitForNavigation(), page.click('ol.hits > li > a >> nth=0')]);
  out.searchFollowed = page.url();

  // The static site's search, opened from disk: no server at all.
  const disk = await context.newPage();
  await disk.goto('file://' + process.argv[6] + '/search.html?q=' + encodeURIComponent('Collective Security'));
  await disk.waitForSelector('#hits li a', { timeout: 10000 });
  out.offlineSearch = await disk.$$eval('#hits li a', (as) => as.map((a) => [a.textContent, a.getAttribute('href')]));

  // Layout: no sideways scrolling at a desktop and a phone width.
  out.layout = {};
  for (const width of [1280, 375]) {
    const p = await browser.newPage({ viewport: { width, height: 800 } });
    for (const path of ['/sparql', '/search?q=csto', '/sparql?query=' + encodeURIComponent(typed), '/id/csto.html', '/']) {
      await p.goto(base + path);
      if (path === '/sparql') await p.waitForSelector('#editor[data-state="ready"]', { timeout: 30000 });
      out.layout[width + ' ' + path.slice(0, 16)] = await p.evaluate(() => ({
        overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        header: !!document.querySelector('header.site') && document.querySelector('header.site').getBoundingClientRect().right <= document.documentElement.clientWidth + 1,
      }));
    }
    await p.close();
  }
  console.log(JSON.stringify(out));
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    release = build_test_release(tmp_path_factory.mktemp("browser") / "dist")
    s = start_server(release, "--assets", str(YASGUI))
    yield s
    stop_server(s)


@pytest.fixture(scope="module")
def visit(served, tmp_path_factory):
    folder = tmp_path_factory.mktemp("js")
    script = folder / "visit.js"
    script.write_text(SCRIPT, encoding="utf-8")
    shot = folder / "query-editor.png"
    proc = subprocess.run(["node", str(script), served.url, CHROMIUM, TYPED_QUERY, str(shot), str(served.release)],
                          capture_output=True,
                          text=True, timeout=300, env=dict(os.environ, NODE_PATH=str(NODE_MODULES)))
    assert proc.returncode == 0, proc.stderr[-3000:]
    if os.environ.get("IGOKG_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, ROOT / "docs" / "img" / "query-editor.png")
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["screenshot"] = shot
    return out


def test_browser_opens_the_landing_page(visit):
    assert visit["landing"]["status"] == 200
    assert "intergovernmental" in visit["landing"]["text"].lower()


def test_browser_follows_an_entity_iri_to_its_page(visit):
    assert visit["entity"]["status"] == 200
    assert visit["entity"]["url"].endswith("/id/csto.html")
    assert "Collective Security Treaty Organization" in visit["entity"]["text"]


def test_a_query_typed_and_run_with_ctrl_enter_shows_the_right_rows(visit, served):
    expected = embedded_select(served.release, TYPED_QUERY)
    assert len(expected) == 6
    # compact names (id:armenia) and the language tag shown as such (@en)
    assert visit["rows"] == [[f"id:{r['state'].rsplit('/', 1)[1]}", f'"{r["name"]}"@en'] for r in expected]
    assert visit["langTags"] == ["@en"] * 6


def test_result_iris_link_to_entity_pages_on_this_server(visit, served):
    assert visit["links"][0] == ["/id/armenia", "id:armenia"]
    assert visit["followed"] == served.url + "/id/armenia.html"


def test_the_editor_has_the_site_header_the_examples_and_a_download(visit):
    assert visit["editor"]["status"] == 200
    assert {"Entities", "Ontology", "Queries", "SPARQL"} <= set(visit["editor"]["header"])
    assert any("cq01-csto-members-2018-06" in o for o in visit["editor"]["examples"])
    assert visit["download"] >= 1


def test_a_share_link_with_query_in_the_fragment_opens_and_runs_it(visit):
    assert "IntergovernmentalOrganization" in visit["shared"]["text"]
    assert visit["shared"]["rows"] >= 3


def test_an_example_from_the_menu_opens_in_its_own_tab(visit):
    assert "igo:organization id:csto" in visit["example"]


def test_the_editor_knows_the_prefixes_and_completes_this_graphs_classes(visit):
    assert visit["completion"]["query"].startswith("PREFIX igo: <https://w3id.org/igokg/ontology#>\n")
    assert "igo:IntergovernmentalOrganization" in visit["completion"]["hints"]


def test_a_browser_opening_sparql_with_a_query_gets_a_results_page(visit):
    page = visit["resultsPage"]
    assert page["status"] == 200 and page["type"].startswith("text/html")
    assert page["rows"][0] == ["id:armenia", "Armenia@en"]
    assert len(page["rows"]) == 6


def test_the_search_box_finds_the_csto_by_its_words(visit, served):
    assert visit["searchBoxOnEntityPage"] == 1  # the static site's pages have the box too
    assert visit["search"]["url"].startswith(served.url + "/search?q=collective+security")
    assert visit["search"]["hits"][0] == ["Collective Security Treaty Organization", "/id/csto"]
    assert visit["searchFollowed"] == served.url + "/id/csto.html"


def test_the_static_sites_search_works_from_disk_without_a_server(visit):
    assert visit["offlineSearch"][0] == ["Collective Security Treaty Organization", "id/csto.html"]


def test_pages_fit_a_desktop_and_a_phone_width(visit):
    assert len(visit["layout"]) == 10
    for name, box in visit["layout"].items():
        assert box["overflow"] <= 0, name
        assert box["header"], name


def test_nothing_is_loaded_from_elsewhere_and_nothing_is_refused(visit):
    assert visit["external"] == []
    assert not [m for m in visit["console"] if "Content Security Policy" in m or "pageerror" in m], visit["console"]


def test_the_screenshot_shows_the_editor_with_results(visit):
    data = visit["screenshot"].read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
