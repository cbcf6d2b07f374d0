#!/usr/bin/env bash
# The oracle environment: a virtual environment over Debian's Python (so that apt's torch 1.13 stays visible) with
# DepictQA's own pins from PyPI, in .venv at the repository root. Tests find it there (or at $UPSTREAM_PYTHON).
set -euo pipefail
cd "$(dirname "$0")/../../.."
[ -x .venv/bin/python ] || /usr/bin/python3 -m venv --system-site-packages .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r tools/oracles/venv/requirements.txt
.venv/bin/python -c 'import torch, transformers, sentencepiece; print("oracle venv: torch", torch.__version__, "transformers", transformers.__version__, "sentencepiece", sentencepiece.__version__)'
