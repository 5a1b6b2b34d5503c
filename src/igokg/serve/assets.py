"""The query editor's third-party files: YASGUI, pinned, from a public CDN or from a local folder.

Input: `ServeSettings.assets` (None, or a folder holding YASGUI's `build/` files). Output: the
URLs and Subresource Integrity hashes the editor page loads YASGUI with, and the CSP sources
that allow them.

By default the browser fetches `@zazuko/yasgui` from jsDelivr, which serves the npm package's
files byte for byte; the page names each file with its sha384, so a CDN that served anything
else would be refused by the browser. `igokg serve --assets DIR` serves a local copy under
`/assets/` instead (offline use, or a policy against CDNs): the same files, checked against
the same hashes when the server starts, so a different version is a one-line error, not a
page that silently breaks. `.ci/setup.d/serve.sh` installs the same pinned version from npm
for the tests; `tests/serve/test_assets.py` holds the hashes below to the installed files.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from pathlib import Path

from igokg.errors import ServeError

YASGUI_PACKAGE = "@zazuko/yasgui"
YASGUI_VERSION = "4.6.2"
#: The files the editor loads, with their sha384 (Subresource Integrity) in that version.
YASGUI_FILES = {
    "yasgui.min.js": "sha384-PHnh6NwOkxapuqrOSGWoU3gL5yzpM3UyH8b61pBZa2CGVBIx3zaMRua0OjVzxTE5",
    "yasgui.min.css": "sha384-XrXS+j7Q5QPO5/8oDm3teEl9OpxieOPoG+28Qw1GpFjZcEGvZw++uYGBsSy/E3df",
}
CDN_ORIGIN = "https://cdn.jsdelivr.net"
CDN_BASE = f"{CDN_ORIGIN}/npm/{YASGUI_PACKAGE}@{YASGUI_VERSION}/build/"
LOCAL_BASE = "/assets/"


@dataclass(frozen=True)
class EditorAssets:
    """Where the editor page gets YASGUI from."""

    script: str
    script_integrity: str
    style: str
    style_integrity: str
    origin: str | None  # the CSP source to allow, or None for this server ('self')
    folder: Path | None  # the local folder served at /assets/, if any


def sri(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def find_build_folder(folder: Path) -> Path | None:
    """The folder holding `yasgui.min.js`: DIR itself, DIR/build, or DIR/node_modules/@zazuko/yasgui/build."""
    for candidate in (folder, folder / "build", folder / "node_modules" / YASGUI_PACKAGE / "build"):
        if (candidate / "yasgui.min.js").is_file():
            return candidate
    return None


def editor_assets(folder: Path | None) -> EditorAssets:
    """The CDN by default; a checked local copy when `folder` is given (else `ServeError`)."""
    if folder is None:
        return EditorAssets(CDN_BASE + "yasgui.min.js", YASGUI_FILES["yasgui.min.js"],
                            CDN_BASE + "yasgui.min.css", YASGUI_FILES["yasgui.min.css"], CDN_ORIGIN, None)
    build = find_build_folder(Path(folder))
    hint = (f"install it with `npm install {YASGUI_PACKAGE}@{YASGUI_VERSION}` and pass the folder "
            f"node_modules/{YASGUI_PACKAGE}/build (or run without --assets to load it from {CDN_ORIGIN})")
    if build is None:
        raise ServeError(f"--assets {folder}: no yasgui.min.js there; {hint}")
    for name, expected in YASGUI_FILES.items():
        path = build / name
        if not path.is_file():
            raise ServeError(f"--assets {folder}: {name} is missing; {hint}")
        if sri(path) != expected:
            raise ServeError(f"--assets {folder}: {name} is not {YASGUI_PACKAGE} {YASGUI_VERSION} (its sha384 differs); {hint}")
    return EditorAssets(LOCAL_BASE + "yasgui.min.js", YASGUI_FILES["yasgui.min.js"],
                        LOCAL_BASE + "yasgui.min.css", YASGUI_FILES["yasgui.min.css"], None, build.resolve())
