#!/usr/bin/env bash
# Checks the unit files of systemd/ with systemd's own tools (ctest systemd_units_test):
#   - `systemd-analyze verify` on mediaworker.service, with /usr/bin/mediaworker replaced by the
#     build tree's binary (verify checks that ExecStart's program exists). Any diagnostic fails
#     the test: verify exits 0 on an unknown key or a bad value, printing only a warning.
#   - a copy with a mistake (a bad Type= value) must produce a diagnostic, so a verify that
#     checks nothing cannot pass.
#   - as root: systemd-sysusers and systemd-tmpfiles --create apply the sysusers and tmpfiles
#     files to an empty --root, and the state folders come out owned by the mediaworker user.
# Usage: verify_units.sh SOURCE_DIR MEDIAWORKER_BINARY
set -euo pipefail
src=$1/systemd
binary=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# The installed paths must stay what packaging uses.
grep -q '^ExecStart=/usr/bin/mediaworker serve --config /etc/mediaworker/mediaworker.yaml$' "$src/mediaworker.service" ||
  fail "mediaworker.service: ExecStart= is not /usr/bin/mediaworker serve --config /etc/mediaworker/mediaworker.yaml"

verify() {  # verify UNIT_FILE: prints the diagnostics, returns 1 when there are any
  local out rc=0
  out=$(cd "$(dirname "$1")" && systemd-analyze verify --man=no --generators=no "$(basename "$1")" 2>&1) || rc=$?
  if [[ $rc != 0 || -n $out ]]; then
    printf '%s\n' "$out"
    return 1
  fi
}

mkdir "$work/good" "$work/bad"
sed "s#/usr/bin/mediaworker#$binary#g" "$src/mediaworker.service" > "$work/good/mediaworker.service"
verify "$work/good/mediaworker.service" || fail "systemd-analyze verify mediaworker.service (diagnostics above)"
echo "systemd-analyze verify mediaworker.service: no diagnostics"

sed 's#^Type=notify$#Type=notifyy#' "$work/good/mediaworker.service" > "$work/bad/mediaworker.service"
if verify "$work/bad/mediaworker.service" > "$work/bad.txt"; then
  fail "systemd-analyze verify found nothing wrong with Type=notifyy"
fi
echo "a unit with Type=notifyy is rejected: $(head -1 "$work/bad.txt")"

if [[ $(id -u) != 0 ]]; then
  echo "sysusers/tmpfiles: skipped (creating the user and chown-ing folders in a --root needs root)"
  exit 0
fi
root=$work/root
mkdir -p "$root/etc"
systemd-sysusers --root="$root" "$src/mediaworker.sysusers"
grep -q '^mediaworker:x:[0-9]*:[0-9]*:.*:/var/lib/mediaworker:' "$root/etc/passwd" ||
  fail "sysusers: no mediaworker user with home /var/lib/mediaworker in $(cat "$root/etc/passwd")"
out=$(systemd-tmpfiles --root="$root" --create "$src/mediaworker.tmpfiles" 2>&1) || fail "systemd-tmpfiles: $out"
[[ -z $out ]] || fail "systemd-tmpfiles: $out"
uid=$(awk -F: '$1=="mediaworker"{print $3}' "$root/etc/passwd")
for d in var/lib/mediaworker var/lib/mediaworker/assets; do
  [[ $(stat -c '%u %a' "$root/$d") == "$uid 750" ]] || fail "/$d: $(stat -c 'owner %u mode %a' "$root/$d"), wanted owner $uid mode 750"
done
echo "sysusers and tmpfiles: user mediaworker (uid $uid), /var/lib/mediaworker{,/assets} 0750"
