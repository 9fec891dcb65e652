#!/usr/bin/env bash
# Set up collab-vision on a fresh machine (idempotent; safe to re-run):
#   1. node packages (npm ci from the lockfile, npm install without one)
#   2. Jupyter (nbconvert + ipykernel) when missing: Debian packages where apt-get works, else pip --user
#   3. build (npm run build -> dist/)
#   4. the tslab kernel spec from this project's node_modules, with absolute paths, in
#      .cv-cache/jupyter (run-notebooks uses it; pass --user-kernel to also install it for `jupyter lab`)
#   5. data/ only if incomplete (it ships in git): scripts/fetch-data.sh
# Usage: bash scripts/setup.sh [--user-kernel] [--skip-npm] [--skip-jupyter]
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT="$(pwd)"
USER_KERNEL=0; SKIP_NPM=0; SKIP_JUPYTER=0
for a in "$@"; do
  case "$a" in
    --user-kernel) USER_KERNEL=1 ;;
    --skip-npm) SKIP_NPM=1 ;;
    --skip-jupyter) SKIP_JUPYTER=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "setup: unknown option $a (see --help)" >&2; exit 2 ;;
  esac
done

say() { echo "[setup] $*"; }

command -v node >/dev/null || { echo "setup: node is not installed (need node >= 18)" >&2; exit 1; }
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
[ "$NODE_MAJOR" -ge 18 ] || { echo "setup: node >= 18 required, found $(node --version)" >&2; exit 1; }

# 1. node packages. npm ci wipes node_modules, so skip it when the installed tree matches the lockfile.
if [ "$SKIP_NPM" = 0 ]; then
  if [ -f package-lock.json ]; then
    if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ] \
       && [ -x node_modules/.bin/tslab ] && [ -x node_modules/.bin/tsc ]; then
      say "node_modules is up to date with package-lock.json"
    else
      say "npm ci"
      npm ci --no-audit --no-fund
    fi
  else
    say "npm install (no package-lock.json)"
    npm install --no-audit --no-fund
  fi
fi

# 2. Jupyter: any python3 that imports nbclient + nbconvert + ipykernel will do.
have_jupyter() {
  for py in "${CV_PYTHON:-}" python3 /usr/bin/python3; do
    [ -n "$py" ] || continue
    if "$py" -c 'import nbclient, nbconvert, nbformat, ipykernel' >/dev/null 2>&1; then
      JUPYTER_PY="$py"; return 0
    fi
  done
  return 1
}
if [ "$SKIP_JUPYTER" = 0 ]; then
  if have_jupyter; then
    say "Jupyter found ($JUPYTER_PY)"
  else
    SUDO=""
    if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi
    if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; }; then
      say "installing Jupyter from Debian packages"
      $SUDO apt-get update -q
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
        jupyter-notebook jupyter-nbconvert python3-ipykernel
    else
      say "installing Jupyter with pip --user"
      python3 -m pip install --user --quiet notebook nbconvert nbclient ipykernel \
        || python3 -m pip install --user --quiet --break-system-packages notebook nbconvert nbclient ipykernel
    fi
    have_jupyter || { echo "setup: Jupyter still not importable after installing it" >&2; exit 1; }
    say "Jupyter installed ($JUPYTER_PY)"
  fi
fi

# 3. build
say "npm run build"
npm run build --silent

# 4. kernel spec (absolute node + absolute node_modules/tslab)
if [ "$USER_KERNEL" = 1 ]; then
  node dist/scripts/register-kernel.js --user
else
  node dist/scripts/register-kernel.js
fi

# 5. data ships in git; rebuild it only if something is missing.
if [ -f scripts/fetch-data.sh ]; then
  if ! bash scripts/fetch-data.sh --verify-only >/dev/null 2>&1; then
    say "data/ incomplete: running scripts/fetch-data.sh"
    bash scripts/fetch-data.sh
  else
    say "data/ complete"
  fi
fi

say "done. Run the notebooks: npm run notebooks   Run the tests: npm test"
