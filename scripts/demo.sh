#!/usr/bin/env bash
# `make demo`: the product's main job, end to end on this host.
#  1. starts `mediaworker serve` with an embedded SQLite store under ./var/demo
#  2. uploads the sample clip as an asset (POST Assets, POST Files, PUT $value)
#  3. submits the AMS v2 Job page's "Create a Job" request body, unchanged but for the asset id
#     ("H.264 HD 720p VBR" on the 2012 encoder id)
#  4. waits for it with a progress bar, prints the output asset's files
#  5. stops the daemon
set -euo pipefail
cd "$(dirname "$0")/.."
MW=${MW:-build/mediaworker}
VAR=${VAR:-var/demo}
CLIP=samples/bbb-1080p24-mpeg2-mp2.ts

rm -rf "$VAR"
mkdir -p "$VAR/assets"
TOKEN=demo-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "$TOKEN" > "$VAR/tokens"
cat > "$VAR/mediaworker.yaml" <<YAML
api:
  listen: 127.0.0.1:0
  tokens_file: tokens
store:
  url: sqlite://jobs.db
storage:
  root: assets
worker:
  slots: 1
YAML

"$MW" serve --config "$VAR/mediaworker.yaml" 2> "$VAR/daemon.log" &
DAEMON=$!
trap 'kill $DAEMON 2>/dev/null; wait $DAEMON 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  PORT=$(sed -n 's#.*listening on http://127.0.0.1:\([0-9]*\)/api/.*#\1#p' "$VAR/daemon.log" | head -1)
  [[ -n $PORT ]] && break
  kill -0 $DAEMON 2>/dev/null || { echo "the daemon did not start:"; cat "$VAR/daemon.log"; exit 1; }
  sleep 0.1
done
[[ -n ${PORT:-} ]] || { echo "the daemon did not start listening"; cat "$VAR/daemon.log"; exit 1; }
export MEDIAWORKER_URL=http://127.0.0.1:$PORT MEDIAWORKER_TOKEN=$TOKEN
echo "daemon: $MEDIAWORKER_URL/api/ (log: $VAR/daemon.log)"

ASSET=$("$MW" asset upload "$CLIP")
echo "uploaded $CLIP as asset $ASSET"
ENCODED=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$ASSET")

# The Job page's request, as printed there.
BODY='{"Name" : "NewTestJob", "InputMediaAssets" : [{"__metadata" : {"uri" : "https://myaccount.restv2.westus.media.azure.net/api/Assets('"'$ENCODED'"')"}}], "Tasks" : [{"Configuration" : "H.264 HD 720p VBR", "MediaProcessorId" : "nb:mpid:UUID:2f381738-c504-4e4a-a38e-d199e207fcd5", "TaskBody" : "<?xml version=\"1.0\" encoding=\"utf-8\"?><taskBody><inputAsset>JobInputAsset(0)</inputAsset><outputAsset>JobOutputAsset(0)</outputAsset></taskBody>"}]}'
RESPONSE=$(curl -sS -X POST "$MEDIAWORKER_URL/api/Jobs" \
  -H "Content-Type: application/json;odata=verbose" -H "Accept: application/json;odata=verbose" \
  -H "DataServiceVersion: 3.0" -H "MaxDataServiceVersion: 3.0" -H "x-ms-version: 2.11" \
  -H "Authorization: Bearer $TOKEN" --data-binary "$BODY")
JOB=$(python3 -c 'import json,sys;print(json.load(sys.stdin)["d"]["Id"])' <<<"$RESPONSE") \
  || { echo "POST /api/Jobs failed: $RESPONSE"; exit 1; }
echo "created job $JOB"

"$MW" job wait "$JOB"
echo
"$MW" job show "$JOB"
