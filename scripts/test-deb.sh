#!/usr/bin/env bash
# Installs the mediaworker .deb on a clean Debian 12 (bookworm, debootstrap --variant=minbase)
# chroot and checks what an operator relies on: the files in their FHS places, the service
# account and state folder made by the maintainer scripts, the installed binary finding its
# installed presets, the sample config passing --check-config, and remove + purge leaving nothing.
#
#   scripts/test-deb.sh [path/to/mediaworker_<version>_<arch>.deb]   (make test-package)
#
# Without an argument: the newest $BUILD/packages/mediaworker_*.deb (make package). Runs as root
# (debootstrap, chroot, mount). Needs debootstrap (scripts/install-deps.sh) and the Debian archive
# ($DEBIAN_MIRROR, default deb.debian.org). The bootstrapped system is kept as
# $BUILD/deb-test/bookworm-minbase.tar.gz and the packages apt downloads in
# $BUILD/deb-test/apt-archives, so a rerun downloads only the archive's index (delete them to
# start cold). Each run unpacks a fresh chroot in $BUILD/deb-test/root, removed on success and kept
# for inspection on failure; /proc and the archive cache are mounted in it and unmounted on any
# exit. Prints PASS/FAIL per check, then "N passed, M failed"; exits 1 if any check failed, 2 if
# the set-up (bootstrap, apt) failed.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
work=$BUILD/deb-test
cache=$work/$SUITE-minbase.tar.gz
archives=$work/apt-archives
root=$work/root

if [[ $(id -u) != 0 ]]; then
  echo "test-deb: must run as root (debootstrap, chroot, mount)" >&2
  exit 2
fi
if ! command -v debootstrap >/dev/null; then
  echo "test-deb: debootstrap is not installed (scripts/install-deps.sh installs it)" >&2
  exit 2
fi
deb=${1:-}
if [[ -z $deb ]]; then
  deb=$(ls -t "$BUILD"/packages/mediaworker_*.deb 2>/dev/null | head -1 || true)
fi
if [[ -z $deb || ! -f $deb ]]; then
  echo "test-deb: no .deb given or found in $BUILD/packages (make package)" >&2
  exit 2
fi
version=$(dpkg-deb -f "$deb" Version)
mkdir -p "$work" "$archives/partial"
work=$(realpath "$work")
archives=$(realpath "$archives")
root=$work/root

# ---- Mounts, and their removal on every exit ----------------------------------------------------
mounts=()
unmount_all() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    if mountpoint -q "${mounts[i]}"; then
      umount "${mounts[i]}" 2>/dev/null || umount -l "${mounts[i]}"
    fi
  done
  mounts=()
}
# The chroot is removed only when nothing is mounted in it any more (never through a bind mount).
remove_root() {
  if [[ -d $root ]]; then
    if findmnt -rn -o TARGET | grep -q "^$root"; then
      echo "test-deb: something is still mounted under $root; not removing it" >&2
      return 1
    fi
    rm -rf --one-file-system "$root"
  fi
}
# The script's own stderr: a trap can run inside a command whose output goes to a log.
exec {stderr}>&2
on_exit() {
  local rc=$?
  unmount_all
  if [[ $rc == 0 ]]; then
    remove_root
  else
    echo "test-deb: failed ($rc); the chroot is kept for inspection: $root" >&"$stderr"
  fi
  exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT TERM
mount_in_root() {  # mount_in_root <mount args...> <target under root>
  local target=${*: -1}
  mkdir -p "$target"
  mount "${@:1:$#-1}" "$target"
  mounts+=("$target")
}

# Stray mounts of an interrupted run (an earlier kill -9 can bypass its trap).
while read -r target; do umount -l "$target"; done < <(findmnt -rn -o TARGET | grep "^$root" | sort -r || true)
remove_root

now() { date +%s%N; }
elapsed() { local ns=$(($(now) - $1)); printf '%d.%d' $((ns / 1000000000)) $((ns / 100000000 % 10)); }
t_start=$(now)

# ---- A clean bookworm: from the cached tarball, else debootstrap (and cache it) -----------------
if [[ ! -f $cache ]]; then
  echo "test-deb: debootstrap --variant=minbase $SUITE (cold; cached as $cache afterwards)"
  t=$(now)
  bootstrap=$work/bootstrap
  rm -rf --one-file-system "$bootstrap"
  if ! debootstrap --variant=minbase "$SUITE" "$bootstrap" "$MIRROR" >"$work/debootstrap.log" 2>&1; then
    tail -30 "$work/debootstrap.log" >&2
    echo "test-deb: debootstrap failed (log: $work/debootstrap.log)" >&2
    exit 2
  fi
  tar -C "$bootstrap" --numeric-owner -czf "$cache.tmp" .
  mv "$cache.tmp" "$cache"
  rm -rf --one-file-system "$bootstrap"
  echo "test-deb: debootstrap and cache: $(elapsed "$t") s"
fi
t=$(now)
mkdir -p "$root"
tar -C "$root" --numeric-owner -xzf "$cache"
echo "test-deb: chroot unpacked from $cache: $(elapsed "$t") s"

cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service starts inside the chroot (invoke-rc.d(8)); mediaworker's scripts start none anyway.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
mount_in_root -t proc proc "$root/proc"
if [[ ! -c $root/dev/null ]]; then mount_in_root --bind /dev "$root/dev"; fi
mount_in_root --bind "$archives" "$root/var/cache/apt/archives"

in_root() {
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"
}

# ---- apt-get install ./mediaworker_*.deb --------------------------------------------------------
t=$(now)
cp "$deb" "$root/tmp/"
debname=$(basename "$deb")
# Only what Depends names (no Recommends): the package must work with exactly that.
if ! in_root apt-get -q update >"$work/apt.log" 2>&1 ||
   ! in_root apt-get install -y -q --no-install-recommends "/tmp/$debname" >>"$work/apt.log" 2>&1; then
  tail -40 "$work/apt.log" >&2
  echo "test-deb: apt-get install /tmp/$debname failed in the chroot (log: $work/apt.log)" >&2
  exit 2
fi
echo "test-deb: apt-get install $debname (with its $(grep -c '^Setting up' "$work/apt.log") packages): $(elapsed "$t") s"
grep -E '^mediaworker:|^Setting up (mediaworker|systemd)' "$work/apt.log" || true

# ---- The checks ---------------------------------------------------------------------------------
passed=0
failed=0
check() {  # check "what" command...: PASS if the command succeeds
  local what=$1
  shift
  local out
  if out=$("$@" 2>&1); then
    echo "PASS: $what"
    passed=$((passed + 1))
  else
    echo "FAIL: $what"
    [[ -n $out ]] && sed 's/^/      /' <<<"$out" | tail -20
    failed=$((failed + 1))
  fi
}
file_is() { [[ -f $root$1 ]] || { echo "$1: no such file"; return 1; }; }
owner_is() {  # owner_is PATH USER:GROUP MODE
  local got
  got=$(in_root stat -c '%U:%G %a' "$1") || return 1
  [[ $got == "$2 $3" ]] || { echo "$1: $got, expected $2 $3"; return 1; }
}
preset_files() { find "$1" -maxdepth 1 -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.xml' \) | wc -l; }
preset_count() {
  local files listed shipped
  files=$(preset_files "$root/usr/share/mediaworker/presets")
  shipped=$(preset_files presets/library)
  listed=$(in_root mediaworker presets list | grep -c .) || true
  echo "presets: $files files installed, $listed listed by the installed binary; source tree: $shipped"
  [[ $files -gt 0 && $files == "$listed" && $files == "$shipped" ]]
}
version_is() {
  local got
  got=$(in_root mediaworker --version)
  [[ $got == "mediaworker $version" ]] || { echo "got '$got', expected 'mediaworker $version'"; return 1; }
}
is_conffile() { in_root dpkg-query -W -f='${Conffiles}\n' mediaworker | grep -q "^ /etc/mediaworker/mediaworker.yaml "; }
system_account() {
  local entry uid
  entry=$(in_root getent passwd mediaworker) || { echo "no user mediaworker"; return 1; }
  uid=$(cut -d: -f3 <<<"$entry")
  echo "$entry"
  [[ $uid -gt 0 && $uid -lt 1000 ]] && in_root getent group mediaworker >/dev/null
}
check_config() {  # as the unit's ExecStartPre does: the service user, the installed config
  in_root setpriv --reuid=mediaworker --regid=mediaworker --init-groups \
    mediaworker serve --config /etc/mediaworker/mediaworker.yaml --check-config
}
only_the_service() {
  local programs
  programs=$(dpkg-deb -c "$deb" | awk '$1 ~ /x/ && $1 !~ /^d/ {print $NF}')
  echo "executables: $programs"
  [[ $programs == ./usr/bin/mediaworker ]]
}
absent() { [[ ! -e $root$1 ]] || { echo "$1 is still there"; return 1; }; }
show_log() { cat "$1"; return 1; }
no_dev_depends() {
  local depends
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "Depends: $depends"
  ! grep -qE -- '-dev([ ,(]|$)' <<<"$depends" && grep -q 'libavcodec' <<<"$depends"
}

check "Depends names runtime libraries, no -dev package" no_dev_depends
check "unit file /usr/lib/systemd/system/mediaworker.service" file_is /usr/lib/systemd/system/mediaworker.service
check "sysusers.d /usr/lib/sysusers.d/mediaworker.conf" file_is /usr/lib/sysusers.d/mediaworker.conf
check "tmpfiles.d /usr/lib/tmpfiles.d/mediaworker.conf" file_is /usr/lib/tmpfiles.d/mediaworker.conf
check "config /etc/mediaworker/mediaworker.yaml" file_is /etc/mediaworker/mediaworker.yaml
check "config is a conffile" is_conffile
check "docs in /usr/share/doc/mediaworker" file_is /usr/share/doc/mediaworker/README.md
check "no test, bench or fuzz program in the package" only_the_service
check "system account mediaworker exists (sysusers ran)" system_account
check "/var/lib/mediaworker owned by mediaworker, 0750 (tmpfiles ran)" owner_is /var/lib/mediaworker mediaworker:mediaworker 750
check "mediaworker --version prints $version" version_is
check "mediaworker presets list lists the installed library" preset_count
check "serve --check-config passes on the installed config (as user mediaworker)" check_config

# The installed daemon, as the service user, on the installed config (its listener moved to a free
# port, so it cannot meet another server on this host): it must create and migrate the SQLite store
# in /var/lib/mediaworker and listen; then SIGTERM stops it with status 0. Its output is read
# through a FIFO with a deadline (read -t), not slept on.
serve_runs() {
  local fifo=$work/serve.fifo log=$work/serve.log pid fd line listening='' rc=0
  sed 's/^\(  listen: \)127\.0\.0\.1:8080/\1127.0.0.1:0/' "$root/etc/mediaworker/mediaworker.yaml" \
    >"$root/tmp/serve.yaml"
  grep -q '^  listen: 127.0.0.1:0 ' "$root/tmp/serve.yaml" || { echo "api.listen not found in the config"; return 1; }
  rm -f "$fifo" && mkfifo "$fifo" && : >"$log"
  # A simple command, not in_root: $! is then the daemon itself (chroot, env and setpriv exec).
  chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
    setpriv --reuid=mediaworker --regid=mediaworker --init-groups \
    mediaworker serve --config /tmp/serve.yaml >"$fifo" 2>&1 &
  pid=$!
  exec {fd}<"$fifo"
  while IFS= read -r -t 60 -u "$fd" line; do
    echo "$line" >>"$log"
    if [[ $line == *"listening on http://"* ]]; then listening=$line; break; fi
  done
  if [[ -n $listening ]]; then
    kill -TERM "$pid"
  else
    kill -KILL "$pid" 2>/dev/null || true
  fi
  cat <&"$fd" >>"$log"
  exec {fd}<&-
  wait "$pid" || rc=$?
  cat "$log"
  [[ -n $listening ]] || { echo "no 'listening on' line within 60 s"; return 1; }
  [[ $rc == 0 ]] || { echo "exit status $rc after SIGTERM"; return 1; }
  # Its mode follows the umask (0027 under the unit's UMask=): only the owner is checked.
  local owner
  owner=$(in_root stat -c '%U:%G' /var/lib/mediaworker/jobs.db) || return 1
  [[ $owner == mediaworker:mediaworker ]] || { echo "jobs.db owned by $owner"; return 1; }
}
check "serve starts as user mediaworker: jobs.db created in /var/lib/mediaworker, stops on SIGTERM" serve_runs

# An upgrade (here the same version again: postinst configure with the old version in $2) keeps
# an edited conffile and the store.
echo "# edited by the operator" >>"$root/etc/mediaworker/mediaworker.yaml"
upgrade_keeps_config() {
  in_root dpkg -i "/tmp/$debname" || return 1
  grep -q '^# edited by the operator' "$root/etc/mediaworker/mediaworker.yaml" ||
    { echo "the edited config was replaced"; return 1; }
  [[ -f $root/var/lib/mediaworker/jobs.db ]] || { echo "jobs.db is gone"; return 1; }
}
check "reinstall/upgrade keeps the edited config and the store" upgrade_keeps_config

# ---- dpkg -r keeps config and state; dpkg --purge leaves nothing --------------------------------
in_root install -d -o mediaworker -g mediaworker /var/lib/mediaworker/assets/some-asset
if in_root dpkg -r mediaworker >"$work/remove.log" 2>&1; then
  check "dpkg -r: binary removed" absent /usr/bin/mediaworker
  check "dpkg -r: unit file removed" absent /usr/lib/systemd/system/mediaworker.service
  check "dpkg -r: config kept" file_is /etc/mediaworker/mediaworker.yaml
  check "dpkg -r: job store kept" file_is /var/lib/mediaworker/jobs.db
else
  check "dpkg -r mediaworker" show_log "$work/remove.log"
fi
forgotten() { ! in_root dpkg-query -W mediaworker; }
leftovers() {
  # Paths named for mediaworker, less apt's cache (a bind mount) and the .deb copied in.
  local left
  left=$(cd "$root" && find . -xdev \( -path ./proc -o -path ./var/cache/apt/archives \) -prune -o \
    -path "*mediaworker*" ! -path "./tmp/$debname" -print)
  [[ -z $left ]] || { echo "left behind: $left"; return 1; }
}
if in_root dpkg --purge mediaworker >"$work/purge.log" 2>&1; then
  check "dpkg --purge: no file or folder named mediaworker left" leftovers
  check "dpkg --purge: package unknown to dpkg" forgotten
else
  check "dpkg --purge mediaworker" show_log "$work/purge.log"
fi

echo "test-deb: total $(elapsed "$t_start") s"
echo "$passed passed, $failed failed"
[[ $failed == 0 ]]
