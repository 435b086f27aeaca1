#!/usr/bin/env bash
# The test command: builds (or reuses, by content hash) the offline test images, then runs every test.
# Fails, never skips, when Docker or an image is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
uv run python -m tests.images.build
uv run pytest "$@"
