#!/usr/bin/env python3
"""Vendor the JavaScript and CSS of the GraphiQL page into csdesk/static/graphiql/vendor/.

csdesk serves GraphiQL from its own origin (``csdesk/graphiql.py``) so that it works without
the internet and under a Content-Security-Policy of ``'self'``. This script fetches exactly the
files that Strawberry's own GraphiQL page loads from a public CDN (the pins below), from the
npm packages themselves with the ``npm`` client (whatever registry ``npm config get registry``
names), and checks each twice before writing it:

1. the tarball's SHA-512 equals the ``dist.integrity`` the registry publishes for that version;
2. each file's SHA-384 equals the Subresource Integrity hash Strawberry's page pins for it.

It then writes the files as ``<package>@<version>/<file>``, each package's licence, and
``manifest.json`` (package, version, file, sha384, sha512). Commit the result: the app and its
tests never touch the network. Standard library only; needs ``npm`` on PATH (or ``--npm``).

    python scripts/vendor_graphiql.py            # fetch, verify, (re)write the vendor folder
    python scripts/vendor_graphiql.py --check    # verify the committed files, offline
    python scripts/vendor_graphiql.py --compare-strawberry   # pins vs the installed Strawberry

To move to new versions: change PINS (from the new Strawberry's ``static/graphiql.html``:
its ``src``/``href`` versions and ``integrity`` hashes), run the script, and commit.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEST = ROOT / "csdesk" / "static" / "graphiql" / "vendor"
MANIFEST = "manifest.json"
LICENCE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.txt", "LICENCE", "license")


@dataclass(frozen=True)
class Pin:
    package: str
    version: str
    file: str
    sri: str  # sha384-…, as in Strawberry's page

    @property
    def path(self) -> str:
        return f"{self.package}@{self.version}/{self.file}"


# The <script>/<link> tags of strawberry-graphql 0.341's strawberry/static/graphiql.html.
PINS = (
    Pin(
        "react",
        "18.2.0",
        "umd/react.production.min.js",
        "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
    ),
    Pin(
        "react-dom",
        "18.2.0",
        "umd/react-dom.production.min.js",
        "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
    ),
    Pin(
        "js-cookie",
        "3.0.5",
        "dist/js.cookie.min.js",
        "sha384-/vxhYfM1LENRhdpZ8dwEsQn/X4VhpbEZSiU4m/FwR+PVpzar4fkEOw8FP9Y+OfQN",
    ),
    Pin(
        "graphiql",
        "3.8.3",
        "graphiql.min.css",
        "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
    ),
    Pin(
        "graphiql",
        "3.8.3",
        "graphiql.min.js",
        "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
    ),
    Pin(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/style.css",
        "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
    ),
    Pin(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "dist/index.umd.js",
        "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
    ),
)


class VendorError(Exception):
    """Something fetched or found does not match what it must be."""


def sri(algorithm: str, data: bytes) -> str:
    """A Subresource Integrity string: ``sha384-<base64 digest>``."""
    digest = hashlib.new(algorithm, data).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode()}"


def _npm(npm: str, *args: str, cwd: Path) -> str:
    try:
        done = subprocess.run(
            [npm, *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
        )
    except FileNotFoundError:
        raise VendorError(f"{npm!r} not found: install Node.js's npm or pass --npm") from None
    if done.returncode != 0:
        raise VendorError(f"npm {' '.join(args)} failed:\n{done.stderr.strip()}")
    return done.stdout


def _published_integrity(npm: str, spec: str, work: Path) -> str:
    out = _npm(npm, "view", spec, "dist.integrity", "--json", cwd=work)
    value = json.loads(out)
    if not isinstance(value, str) or not value.startswith("sha512-"):
        raise VendorError(f"{spec}: the registry publishes no sha512 integrity ({value!r})")
    return value


def _pack(npm: str, spec: str, work: Path) -> Path:
    out = _npm(npm, "pack", spec, "--json", "--pack-destination", str(work), cwd=work)
    packed = json.loads(out)
    return work / str(packed[0]["filename"])


def _read_member(archive: tarfile.TarFile, name: str) -> bytes | None:
    try:
        member = archive.getmember(f"package/{name}")
    except KeyError:
        return None
    handle = archive.extractfile(member)
    return None if handle is None else handle.read()


def vendor(dest: Path, npm: str) -> dict[str, object]:
    """Fetch, verify and write every pinned file; return the manifest written."""
    packages: dict[tuple[str, str], list[Pin]] = {}
    for pin in PINS:
        packages.setdefault((pin.package, pin.version), []).append(pin)

    staged = Path(tempfile.mkdtemp(prefix="graphiql-vendor-"))
    try:
        out = staged / "out"
        manifest_packages: list[dict[str, object]] = []
        manifest_files: list[dict[str, object]] = []
        for (name, version), pins in packages.items():
            spec = f"{name}@{version}"
            work = staged / "npm" / spec.replace("/", "__")
            work.mkdir(parents=True)
            published = _published_integrity(npm, spec, work)
            tarball = _pack(npm, spec, work)
            actual = sri("sha512", tarball.read_bytes())
            if actual != published:
                raise VendorError(f"{spec}: tarball is {actual}, the registry says {published}")
            print(f"{spec}: tarball {published[:24]}… verified", file=sys.stderr)
            with tarfile.open(tarball, "r:gz") as archive:
                meta = json.loads(_read_member(archive, "package.json") or b"{}")
                licence_file = None
                for candidate in LICENCE_NAMES:
                    text = _read_member(archive, candidate)
                    if text is not None:
                        licence_file = f"{spec}/{candidate}"
                        target = out / licence_file
                        target.parent.mkdir(parents=True, exist_ok=True)
                        target.write_bytes(text)
                        break
                for pin in pins:
                    data = _read_member(archive, pin.file)
                    if data is None:
                        raise VendorError(f"{spec}: the package has no {pin.file}")
                    got = sri("sha384", data)
                    if got != pin.sri:
                        raise VendorError(f"{pin.path}: {got}, Strawberry's page pins {pin.sri}")
                    target = out / pin.path
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_bytes(data)
                    manifest_files.append(
                        {
                            "package": name,
                            "version": version,
                            "file": pin.file,
                            "path": pin.path,
                            "size": len(data),
                            "sha384": got,
                            "sha512": sri("sha512", data),
                        }
                    )
                    print(f"  {pin.path}: {got[:24]}… verified", file=sys.stderr)
            manifest_packages.append(
                {
                    "package": name,
                    "version": version,
                    "license": meta.get("license"),
                    "license_file": licence_file,
                    "tarball_integrity": published,
                }
            )
        manifest: dict[str, object] = {
            "generated_by": "scripts/vendor_graphiql.py",
            "source": "npm packages; the files and SRI pins of strawberry-graphql 0.341's "
            "GraphiQL page",
            "packages": manifest_packages,
            "files": manifest_files,
        }
        (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        # Swap in only once everything verified, so a failure leaves the old copy intact.
        if dest.exists():
            shutil.rmtree(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(out, dest)
        return manifest
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def check(dest: Path) -> list[str]:
    """Problems with the committed files: missing, altered or not matching the pins."""
    path = dest / MANIFEST
    if not path.is_file():
        return [f"{path} is missing: run scripts/vendor_graphiql.py"]
    manifest = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    listed = {(f["package"], f["version"], f["file"], f["sha384"]) for f in manifest["files"]}
    wanted = {(p.package, p.version, p.file, p.sri) for p in PINS}
    if listed != wanted:
        problems.append("manifest.json does not list exactly the pins: re-run the script")
    for entry in manifest["files"]:
        file = dest / entry["path"]
        if not file.is_file():
            problems.append(f"{entry['path']} is missing")
            continue
        data = file.read_bytes()
        if sri("sha384", data) != entry["sha384"] or sri("sha512", data) != entry["sha512"]:
            problems.append(f"{entry['path']} differs from its manifest hashes")
    return problems


def strawberry_pins() -> set[tuple[str, str, str, str]]:
    """(package, version, file, sri) for each CDN asset of the installed Strawberry's page."""
    from strawberry.http.ides import get_graphql_ide_html

    html = get_graphql_ide_html("graphiql")
    found = set()
    for tag in re.findall(r"<(?:script|link)\b[^>]*>", html):
        url = re.search(r'(?:src|href)="https://[^/"]+/([^"]+)"', tag)
        integrity = re.search(r'integrity="([^"]+)"', tag)
        if not url or not integrity:
            continue
        spec = re.match(r"((?:@[^/]+/)?[^@/]+)@([^/]+)/(.+)", url.group(1))
        if spec:
            found.add((spec.group(1), spec.group(2), spec.group(3), integrity.group(1)))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Vendor GraphiQL's JavaScript and CSS (pinned as in Strawberry's page) "
        "from the npm packages, verifying the registry's sha512 and the page's sha384 hashes.",
    )
    parser.add_argument(
        "--dest",
        type=Path,
        default=DEST,
        help=f"folder to write (default {DEST.relative_to(ROOT)})",
    )
    parser.add_argument("--npm", default="npm", help="the npm executable (default: npm)")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument(
        "--check",
        action="store_true",
        help="verify the vendored files against manifest.json and the pins; no network",
    )
    mode.add_argument(
        "--compare-strawberry",
        action="store_true",
        help="report whether the installed Strawberry's GraphiQL page asks for other files",
    )
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = check(args.dest)
            for problem in problems:
                print(f"vendor_graphiql: {problem}", file=sys.stderr)
            if not problems:
                print(f"vendor_graphiql: {len(PINS)} files match their pins", file=sys.stderr)
            return 1 if problems else 0
        if args.compare_strawberry:
            theirs = strawberry_pins()
            ours = {(p.package, p.version, p.file, p.sri) for p in PINS}
            for item in sorted(theirs - ours):
                print(f"Strawberry's page wants {item[0]}@{item[1]}/{item[2]} ({item[3]})")
            for item in sorted(ours - theirs):
                print(f"pinned here but not in Strawberry's page: {item[0]}@{item[1]}/{item[2]}")
            return 1 if theirs != ours else 0
        manifest = vendor(args.dest, args.npm)
    except VendorError as exc:
        print(f"vendor_graphiql: {exc}", file=sys.stderr)
        return 1
    files = manifest["files"]
    assert isinstance(files, list)
    print(f"vendor_graphiql: wrote {len(files)} files and {MANIFEST} to {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
