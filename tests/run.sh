#!/usr/bin/env bash
# Runs Pusdata's whole test suite on a fresh machine (the README's second command).
#
# Tests talk to real components, never mocks: the restic CLI reads what Pusdata writes, and
# an S3 server (Garage; s3s-fs for fast local loops) is started by the tests themselves on a
# free loopback port. This script installs what is missing — quick when already present.
set -euo pipefail
cd "$(dirname "$0")/.."

. tests/toolchain.sh

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v restic >/dev/null 2>&1 || missing+=(restic)
command -v rclone >/dev/null 2>&1 || missing+=(rclone)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests/run.sh: installing ${missing[*]} from Debian" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# The S3 server the tests start: Garage (CI, the default) or s3s-fs (fast local loops). Only
# the chosen one is built: Garage ~17-18 minutes once, s3s-fs ~95 s once.
export PUSDATA_TEST_S3="${PUSDATA_TEST_S3:-garage}"
export PATH="$HOME/.cargo/bin:$PATH"
case "$PUSDATA_TEST_S3" in
  garage)
    # Garage is AGPL: it runs as its own process, never linked.
    if ! command -v garage >/dev/null 2>&1; then
      echo "tests/run.sh: building the Garage S3 server once (cargo install garage 2.5.0, ~17 min)" >&2
      cargo install garage --version 2.5.0 --locked
    fi ;;
  s3s-fs)
    if ! command -v s3s-fs >/dev/null 2>&1; then
      echo "tests/run.sh: building s3s-fs once (~95 s)" >&2
      cargo install s3s-fs --version 0.14.1 --features binary --locked
    fi ;;
  *) echo "tests/run.sh: PUSDATA_TEST_S3 must be garage or s3s-fs, not '$PUSDATA_TEST_S3'" >&2; exit 2 ;;
esac

# Helm's engine for the chart tests (PyPI helm-python-sdk in a virtualenv; skipped when present).
PUSDATA_HELM_PYTHON="${PUSDATA_HELM_PYTHON:-$(bash tests/helm/setup.sh)}"
export PUSDATA_HELM_PYTHON

# The crates have no doc tests (examples live in tests), so nextest runs everything.
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast "$@"
else
  cargo test --workspace --no-fail-fast "$@"
fi
