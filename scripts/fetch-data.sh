#!/usr/bin/env bash
# Rebuild data/ (Fashion-MNIST, OpenCV digits, scikit-learn 8x8 digits) and verify it against
# data/SHA256SUMS. Sources, in order of preference:
#   1. the Debian packages dataset-fashion-mnist, opencv-doc, python3-sklearn: already installed
#      (found with dpkg -L), or fetched with `apt-get download` and unpacked with dpkg-deb -x
#      (no install, no root needed; `apt-get update` first when root);
#   2. the official URLs with curl (machines with internet but no Debian archive).
# Usage: scripts/fetch-data.sh [--source debian|url] [--verify-only] [--out DIR]
# (builds the project first when dist/scripts/build-data.js is missing; CV_DIST=dir uses another build dir)
# Upstream's Fashion-MNIST .gz files are compressed differently from Debian's, so for them the
# check is on the decompressed bytes (data/SHA256SUMS.content); everything else must match
# data/SHA256SUMS byte for byte.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/data"
SOURCE=auto
VERIFY_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    --source) SOURCE="$2"; shift 2 ;;
    --out) OUT="$(mkdir -p "$2" && cd "$2" && pwd)"; shift 2 ;;
    --verify-only) VERIFY_ONLY=1; shift ;;
    -h|--help) sed -n 2,12p "$0"; exit 0 ;;
    *) echo "fetch-data: unknown option $1" >&2; exit 2 ;;
  esac
done

SUMS="$ROOT/data/SHA256SUMS"
CONTENT_SUMS="$ROOT/data/SHA256SUMS.content"

verify() { # $1 = strict (file bytes) | content (decompressed .gz bytes, file bytes for the rest)
  local mode="$1" bad=0 hash file actual
  while read -r hash file; do
    [ -z "$hash" ] && continue
    if [ ! -f "$OUT/$file" ]; then echo "MISSING $file" >&2; bad=1; continue; fi
    if [ "$mode" = content ] && [[ "$file" == *.gz ]]; then
      local want
      want="$(awk -v f="$file" '$2 == f {print $1}' "$CONTENT_SUMS")"
      actual="$(gzip -dc "$OUT/$file" | sha256sum | cut -d' ' -f1)"
      hash="$want"
    else
      actual="$(sha256sum "$OUT/$file" | cut -d' ' -f1)"
    fi
    if [ "$actual" != "$hash" ]; then echo "CHECKSUM MISMATCH $file" >&2; bad=1; else echo "ok $file"; fi
  done < "$SUMS"
  return $bad
}

if [ "$VERIFY_ONLY" = 1 ]; then verify strict; exit $?; fi

WORK="$(mktemp -d)"
chmod 755 "$WORK" # so apt's _apt user can write the downloads
trap 'rm -rf "$WORK"' EXIT
FASHION_DIR="" OPENCV_PNG="" SKLEARN_CSV=""

from_debian() {
  command -v dpkg-deb >/dev/null && command -v apt-get >/dev/null || return 1
  local pkg path
  for pkg in dataset-fashion-mnist opencv-doc python3-sklearn; do
    if dpkg -L "$pkg" >/dev/null 2>&1; then continue; fi
    if [ "$(id -u)" = 0 ] && [ ! -f "$WORK/.updated" ]; then apt-get update -qq || true; touch "$WORK/.updated"; fi
    (cd "$WORK" && apt-get download -qq "$pkg") || return 1
  done
  for deb in "$WORK"/*.deb; do [ -f "$deb" ] && dpkg-deb -x "$deb" "$WORK/root"; done
  find_file() { # installed path (dpkg -L) first, else the unpacked .deb
    local p
    p="$(dpkg -L "$1" 2>/dev/null | grep -E "$2\$" | head -1 || true)"
    [ -n "$p" ] && [ -f "$p" ] && { echo "$p"; return; }
    find "$WORK/root" -path "*$2" -type f 2>/dev/null | head -1
  }
  path="$(find_file dataset-fashion-mnist /fashion-mnist/train-images-idx3-ubyte.gz)"
  [ -n "$path" ] && FASHION_DIR="$(dirname "$path")"
  OPENCV_PNG="$(find_file opencv-doc /examples/data/digits.png)"
  SKLEARN_CSV="$(find_file python3-sklearn /sklearn/datasets/data/digits.csv.gz)"
  [ -n "$FASHION_DIR" ] && [ -n "$OPENCV_PNG" ] && [ -n "$SKLEARN_CSV" ]
}

from_urls() {
  command -v curl >/dev/null || { echo "fetch-data: curl not found" >&2; return 1; }
  local base=http://fashion-mnist.s3-website.eu-central-1.amazonaws.com f
  mkdir -p "$WORK/fm"
  for f in train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz; do
    curl -fsSL --connect-timeout 20 --retry 2 -o "$WORK/fm/$f" "$base/$f" || return 1
  done
  FASHION_DIR="$WORK/fm"
  OPENCV_PNG="$WORK/digits.png"
  curl -fsSL --connect-timeout 20 --retry 2 -o "$OPENCV_PNG" https://raw.githubusercontent.com/opencv/opencv/4.6.0/samples/data/digits.png || return 1
  SKLEARN_CSV="$WORK/digits.csv.gz"
  curl -fsSL --connect-timeout 20 --retry 2 -o "$SKLEARN_CSV" https://raw.githubusercontent.com/scikit-learn/scikit-learn/1.2.1/sklearn/datasets/data/digits.csv.gz || return 1
}

MODE=strict
case "$SOURCE" in
  debian) from_debian || { echo "fetch-data: the Debian packages are not available" >&2; exit 1; } ;;
  url) from_urls || { echo "fetch-data: download failed" >&2; exit 1; }; MODE=content ;;
  auto) if ! from_debian; then echo "fetch-data: Debian packages unavailable, trying the official URLs" >&2; from_urls; MODE=content; fi ;;
  *) echo "fetch-data: --source must be debian or url" >&2; exit 2 ;;
esac
echo "sources: $FASHION_DIR | $OPENCV_PNG | $SKLEARN_CSV"

BUILD="${CV_DIST:-$ROOT/dist}/scripts/build-data.js" # CV_DIST: use another build output dir
if [ ! -f "$BUILD" ]; then (cd "$ROOT" && npx tsc -p tsconfig.json >/dev/null || true); fi
[ -f "$BUILD" ] || { echo "fetch-data: $BUILD missing; run npm run build" >&2; exit 1; }
node "$BUILD" --fashion "$FASHION_DIR" --opencv-png "$OPENCV_PNG" --sklearn-csv "$SKLEARN_CSV" --out "$OUT"
verify "$MODE"
echo "data/ verified ($MODE)"
