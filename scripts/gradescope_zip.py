"""Build the zip an instructor uploads to Gradescope as the autograder of this kit:
`python scripts/gradescope_zip.py [--out dist/gradescope-autograder.zip]`.

The zip holds, at its root, Gradescope's two entry points and the kit itself:
- `setup.sh` (run once when Gradescope builds the image, as root on its Ubuntu image): installs
  Python with venv and pip, and `pip install /autograder/source` into /autograder/venv.
- `run_autograder` (run for every submission): `grader check --from /autograder/submission
  --report gradescope=/autograder/results/results.json` in /autograder/source, the kit, which
  the grader finds from its working directory. It always leaves a valid results.json: when
  the grader crashed or wrote none, one that scores 0 and says so.
- The kit's files: `git ls-files` (tracked and untracked, not ignored) in a git checkout, else
  every file but caches and build output. Left out: solutions/ (never ship the answers),
  tests/submissions/ (the grader's own corpus), .github/ (GitHub's, the class's grading
  workflow among them), exercises/ (the submission supplies the exercise files) and
  classroom/ (the class's settings, such as a roster).

For a local run, `run_autograder` reads AUTOGRADER_ROOT instead of /autograder and GRADER_BIN
instead of /autograder/venv/bin/grader (the tests use both).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import zipfile
from pathlib import Path

KIT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = Path("dist") / "gradescope-autograder.zip"

# Folders of the kit that never go into the zip (see the docstring), and what is never a file
# of the kit (caches, virtual environments, build output) when there is no git to ask.
EXCLUDED = ("solutions/", "tests/submissions/", ".github/", "exercises/", "classroom/")
NOT_KIT = {".git", "__pycache__", ".pytest_cache", ".grader", ".venv", "venv", "build", "dist",
           ".mypy_cache", ".ruff_cache", ".tox", "node_modules"}
# Every entry gets this date: the same kit gives the same zip.
EPOCH = (1980, 1, 1, 0, 0, 0)

SETUP_SH = r"""#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu): Python with
# venv and pip, then the kit's grader installed into its own virtual environment.
set -euo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip
python3 --version

python3 -m venv "$root/venv"
"$root/venv/bin/python" -m pip install --upgrade pip
# Not editable: the grader is a fixed copy; it finds the kit's tests and catalog from its
# working directory, /autograder/source, where run_autograder starts it.
"$root/venv/bin/python" -m pip install "$root/source"
"$root/venv/bin/grader" --version
"""

RUN_AUTOGRADER = r"""#!/usr/bin/env bash
# Gradescope runs this for every submission. It grades the exercise files found in
# /autograder/submission (a whole checkout with exercises/, or the NN_slug.py files themselves)
# with the kit in /autograder/source, and always leaves a valid results.json.
# AUTOGRADER_ROOT replaces /autograder and GRADER_BIN the grader command, for a local run.
set -uo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
grader="${GRADER_BIN:-$root/venv/bin/grader}"
results="$root/results/results.json"

mkdir -p "$root/results"
rm -f "$results"
code=0
if cd "$root/source"; then
    "$grader" check --from "$root/submission" --report "gradescope=$results"
    code=$?
else
    code=3
fi
echo "run_autograder: grader check exited with $code"

# A results.json that Gradescope can read: a JSON object with a numeric score or a list of tests.
valid() {
    [ -s "$results" ] || return 1
    local python
    python="$(command -v python3 || true)"
    if [ -x "$root/venv/bin/python" ]; then python="$root/venv/bin/python"; fi
    [ -n "$python" ] || return 0    # nothing to check it with: trust a non-empty file
    "$python" - "$results" <<'PY'
import json, sys
try:
    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
except (OSError, ValueError):
    sys.exit(1)
ok = isinstance(data, dict) and (
    isinstance(data.get("tests"), list)
    or (isinstance(data.get("score"), (int, float)) and not isinstance(data.get("score"), bool)))
sys.exit(0 if ok else 1)
PY
}

if ! valid; then
    if [ "$code" -eq 2 ]; then
        what="The autograder could not find your exercise files (grader exit code 2). Upload the files exercises/NN_slug.py (for example 01_worker_args.py), or your whole repository, and submit again."
    else
        what="The autograder failed before it could grade your submission (grader exit code $code), so this score of 0 is not a grade. Submit again; if this message comes back, tell your instructor."
    fi
    echo "run_autograder: no valid results.json from the grader; writing a score of 0"
    cat >"$results" <<JSON
{"score": 0, "output": "$what", "output_format": "text", "tests": []}
JSON
fi
exit 0
"""


def kit_files(kit: Path) -> list[str]:
    """The kit's files, as POSIX paths relative to `kit`, sorted, exclusions applied."""
    names: list[str] | None = None
    if (kit / ".git").exists():
        try:
            done = subprocess.run(["git", "-C", str(kit), "ls-files", "-z", "--cached", "--others",
                                   "--exclude-standard"], capture_output=True, timeout=60, check=True)
            names = [n for n in done.stdout.decode("utf-8").split("\0") if n]
        except (OSError, subprocess.SubprocessError):
            names = None
    if names is None:
        names = []
        for current, dirs, files in os.walk(kit):
            dirs[:] = sorted(d for d in dirs if d not in NOT_KIT and not d.endswith(".egg-info"))
            for name in files:
                if not name.endswith((".pyc", ".pyo")):
                    names.append((Path(current) / name).relative_to(kit).as_posix())
    kept = set()
    for name in names:
        if name.startswith(EXCLUDED) or name in ("setup.sh", "run_autograder"):
            continue
        path = kit / name
        if path.is_file() and not path.is_symlink():    # tracked but deleted: gone
            kept.add(name)
    return sorted(kept)


def _entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.external_attr = (0o100000 | mode) << 16     # a regular file with these permissions
    info.create_system = 3                           # Unix, so that unzip applies them
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def build(out: Path, kit: Path = KIT) -> list[str]:
    """Write the zip to `out`; returns the names it holds."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    files = kit_files(kit)
    if "catalog.toml" not in files:
        raise SystemExit(f"gradescope_zip: {kit} is not the kit (no catalog.toml)")
    skip = {out.resolve()}
    written = []
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w") as archive:
        for name, text in (("setup.sh", SETUP_SH), ("run_autograder", RUN_AUTOGRADER)):
            archive.writestr(_entry(name, 0o755), text.encode("utf-8"))
            written.append(name)
        for name in files:
            path = kit / name
            if path.resolve() in skip:
                continue
            mode = 0o755 if os.access(path, os.X_OK) and sys.platform != "win32" else 0o644
            archive.writestr(_entry(name, mode), path.read_bytes())
            written.append(name)
    os.replace(tmp, out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help=f"where to write the zip (default: {DEFAULT_OUT}, in the kit)")
    parser.add_argument("--kit", type=Path, default=KIT, help="the kit to package (default: this one)")
    args = parser.parse_args(argv)
    kit = args.kit.resolve()
    out = args.out if args.out is not None else kit / DEFAULT_OUT
    names = build(out, kit)
    print(f"gradescope_zip: wrote {out} ({len(names)} files: setup.sh, run_autograder and the kit "
          f"without {', '.join(EXCLUDED)})")
    print("Upload it as the autograder (Configure Autograder > Zip file upload).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
