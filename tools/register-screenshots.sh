#!/usr/bin/env bash
# Screenshots of the application register pages of `nianbao serve` (docs/screenshots/web-register*.png):
# the Chromium test of the register (crates/web/tests/register_browser.rs) saves the pages it
# goes through when NIANBAO_SCREENSHOTS names a folder. Needs chromium chromium-driver fonts-noto-cjk.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/screenshots
if ! out=$(NIANBAO_REQUIRE_BROWSER=1 NIANBAO_SCREENSHOTS="$PWD/docs/screenshots" \
    cargo test --quiet -p nianbao-web --test register_browser -- --nocapture 2>&1); then
  echo "$out" | tail -40 >&2
  echo "the register browser test failed; screenshots may be incomplete" >&2
  exit 1
fi
echo "$out" | grep 'web-register'
