#!/usr/bin/env bash
# Installs Helm's engine (PyPI helm-python-sdk: Helm v4 as a library, no binary) into a
# virtualenv once, and prints the interpreter to run tests/helm/helm.py with. Quick when
# present. Override the place with PUSDATA_HELM_VENV.
set -euo pipefail
venv="${PUSDATA_HELM_VENV:-$HOME/.cache/pusdata/helm-venv}"
if ! "$venv/bin/python" -c 'import helm_python' >/dev/null 2>&1; then
  echo "tests/helm/setup.sh: installing helm-python-sdk 0.2.x into $venv" >&2
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install -q --disable-pip-version-check "helm-python-sdk>=0.2.2,<0.3" >&2
fi
echo "$venv/bin/python"
