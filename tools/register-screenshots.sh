#!/usr/bin/env bash
# Screenshots of the application register pages of `nianbao serve` (docs/screenshots/web-register*.png):
# the Chromium test of the register (crates/web/tests/register_browser.rs) saves the pages it
# goes through when NIANBAO_SCREENSHOTS names a folder. Needs chromium chromium-driver fonts-noto-cjk.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/screenshots
NIANBAO_REQUIRE_BROWSER=1 NIANBAO_SCREENSHOTS="$PWD/docs/screenshots" \
  cargo test --quiet -p nianbao-web --test register_browser -- --nocapture 2>&1 | grep 'web-register' || true
ls docs/screenshots/web-register*.png
