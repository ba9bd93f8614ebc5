#!/usr/bin/env bash
# Screenshots of every page of `nianbao serve` at 1366×768, into docs/screenshots/web-*.png.
# Builds nianbao, makes a database of the sample reports in a temporary folder, starts the
# server on loopback, drives Debian's chromium through chromium-driver (WebDriver over curl),
# and stops everything it started. Needs: chromium chromium-driver fonts-noto-cjk curl python3.
#   apt-get install -y chromium chromium-driver fonts-noto-cjk
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=$ROOT/docs/screenshots
PORT=${PORT:-18731}
DRIVER_PORT=${DRIVER_PORT:-18732}
mkdir -p "$OUT"

cargo build --quiet -p nianbao-cli --bin nianbao
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/debug/nianbao
WORK=$(mktemp -d)
SERVER_PID=""
DRIVER_PID=""
SESSION=""
cleanup() {
  [ -n "$SESSION" ] && curl -fs -X DELETE "http://127.0.0.1:$DRIVER_PORT/session/$SESSION" >/dev/null 2>&1 || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  [ -n "$DRIVER_PID" ] && kill "$DRIVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

DB=$WORK/demo.db
"$BIN" ingest tests/fixtures/seeds --db "$DB" >/dev/null
printf 'name,parent\n东阿县人民政府办公室,东阿县人民政府\n' > "$WORK/tree.csv"
"$BIN" agency import "$WORK/tree.csv" --db "$DB" >/dev/null
echo 'screenshot-pass' | "$BIN" user add admin --role admin --db "$DB" >/dev/null
# A version of one report with a wrong total (the review cycle's screenshots return it, and a
# corrected version comes in while the server runs).
mkdir -p "$WORK/v1" "$WORK/v2"
sed 's/^(七)总计 | 49 | 3 |/(七)总计 | 48 | 3 |/' tests/fixtures/seeds/003_5726aaf970dd957d.txt > "$WORK/v1/年报.txt"
"$BIN" ingest "$WORK/v1/年报.txt" --db "$DB" >/dev/null
"$BIN" serve --db "$DB" --addr "127.0.0.1:$PORT" --uploads "$WORK/uploads" 2>"$WORK/serve.log" &
SERVER_PID=$!
chromedriver --port="$DRIVER_PORT" >"$WORK/driver.log" 2>&1 &
DRIVER_PID=$!
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$PORT/login" >/dev/null 2>&1 && curl -fs "http://127.0.0.1:$DRIVER_PORT/status" >/dev/null 2>&1 && break
  sleep 0.2
done

WD=http://127.0.0.1:$DRIVER_PORT
BASE=http://127.0.0.1:$PORT
json() { python3 -c "import json,sys; v=json.load(sys.stdin)['value']; print(v$1)"; }
SESSION=$(curl -fs -X POST "$WD/session" -H 'Content-Type: application/json' -d '{"capabilities":{"alwaysMatch":{"goog:chromeOptions":{"args":["--headless=new","--no-sandbox","--disable-gpu","--disable-quic","--no-first-run","--disable-background-networking","--disable-component-update","--disable-sync","--window-size=1366,768","--lang=zh-CN","--user-data-dir='"$WORK/profile"'"]}}}}' | json "['sessionId']")
S=$WD/session/$SESSION
go() { curl -fs -X POST "$S/url" -H 'Content-Type: application/json' -d "{\"url\":\"$BASE$1\"}" >/dev/null; }
run() { curl -fs -X POST "$S/execute/sync" -H 'Content-Type: application/json' -d "{\"script\":$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"),\"args\":[]}" | json ""; }
shot() { curl -fs "$S/screenshot" | json "" | base64 -d > "$OUT/web-$1.png"; echo "docs/screenshots/web-$1.png"; }

go /login
shot login
run "document.querySelector('[name=name]').value='admin'; document.querySelector('[name=password]').value='screenshot-pass'; document.querySelector('form').submit(); return 1" >/dev/null
sleep 1
go /reports
shot reports
REPORT=$(run "var a=[].slice.call(document.querySelectorAll('#reports a')).filter(function(x){return x.textContent.indexOf('东阿')>=0;}); return a.length ? a[a.length-1].getAttribute('href') : '/reports'")
go "$REPORT"
run "var f=document.querySelector('li.finding.error'); if(f){f.click();} window.scrollTo(0,0); return 1" >/dev/null
shot report
run "var s=document.getElementById('findings'); if(s){s.scrollIntoView();} return 1" >/dev/null
shot report-findings
AGENCY=$(run "var a=document.querySelector('.actions a'); return a ? a.getAttribute('href') : '/reports'")
go "$AGENCY"
shot agency
go /dashboard
sleep 1
shot dashboard
go /users
shot users
go /upload
shot upload
# The review cycle: the faulty version's errors confirmed at once and the report returned; the
# corrected version arrives; its page shows what was fixed; the region's status board.
go "/reports?year=2023&rule=A302"
V1=$(run "var a=document.querySelector('#reports tbody a'); return a ? a.getAttribute('href') : '/reports'")
go "$V1"
run "var b=document.querySelectorAll('li.finding.error input.pick'); for(var i=0;i<b.length;i++){b[i].checked=true;} document.getElementById('batch-confirm').click(); return 1" >/dev/null
sleep 1
go "$V1"
run "document.querySelector('#verdict input[name=comment]').value='表三“（七）总计”行有误，请于十五个工作日内整改'; document.getElementById('return').click(); return 1" >/dev/null
sleep 1
{ cat tests/fixtures/seeds/003_5726aaf970dd957d.txt; echo; } > "$WORK/v2/年报.txt"
"$BIN" ingest "$WORK/v2/年报.txt" --db "$DB" >/dev/null
go "/reports?year=2023&case=resubmitted"
V2=$(run "var a=document.querySelector('#reports tbody a'); return a ? a.getAttribute('href') : '/reports'")
go "$V2"
run "document.getElementById('case').scrollIntoView(); return 1" >/dev/null
shot report-case
go "/board?year=2023"
shot board
go /settings
shot settings
go /agencies
shot agencies
curl -fs -X DELETE "$S" >/dev/null || true
SESSION=""
