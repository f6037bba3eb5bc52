#!/usr/bin/env bash
# Installs mediaworker's build and test dependencies from Debian 12's packages, then the playback
# tests' players (hls.js, dash.js) from the npm registry into tests/playback/node_modules.
# Idempotent: when every package is already installed it touches nothing (no apt-get update), and
# npm runs only when node_modules is missing or older than package-lock.json.
# --no-players: only the Debian packages (make demo and make package need no npm registry).
set -euo pipefail
cd "$(dirname "$0")/.."
players=1
[[ ${1:-} == --no-players ]] && players=0

packages=(
  # toolchain; clang and its compiler-rt (libFuzzer) build the fuzz targets (make fuzz)
  g++ cmake ninja-build pkg-config make git python3 curl clang libclang-rt-14-dev
  # the libav engine (FFmpeg 5.1) and x264; ffmpeg/ffprobe for benchmarks and checks
  libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev libswresample-dev libavutil-dev
  libx264-dev ffmpeg
  # libraries
  libpugixml-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libboost-dev libsqlite3-dev libpqxx-dev libcurl4-openssl-dev libssl-dev libsystemd-dev
  # Prometheus metric types and text format (/metrics; only its core library is linked)
  prometheus-cpp-dev
  # tests; chromium plays the HLS and DASH outputs headless (tests/support/browser_playback.*);
  # the PostgreSQL server (initdb, pg_ctl) for the PostgreSQL store's tests: CI's one throwaway
  # server (scripts/test-postgres.sh) or a cluster per test process (tests/support/pg_server.*),
  # never the package's own cluster
  googletest libgtest-dev libgmock-dev chromium postgresql
  # systemd-analyze, systemd-sysusers and systemd-tmpfiles check the unit files (systemd_units_test)
  systemd
  # the .deb (make package: CPack runs dpkg-shlibdeps for Depends) and its install test on a
  # clean Debian 12 chroot (make test-package: scripts/test-deb.sh)
  dpkg-dev debootstrap
)
# Node 20 and npm come with the machines; Debian's npm (and its nodejs) only where they do not.
if ((players)) && ! command -v npm >/dev/null; then
  packages+=(npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) != 0 ]]; then
    echo "install-deps: missing packages (${missing[*]}); run as root or install them with apt-get" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The exact versions in tests/playback/package-lock.json (npm keeps its own copy of the lock in
# node_modules/.package-lock.json after an install).
playback=tests/playback
if ((players)) && [[ ! -e $playback/node_modules/.package-lock.json ||
      $playback/package-lock.json -nt $playback/node_modules/.package-lock.json ]]; then
  echo "install-deps: npm ci in $playback"
  (cd "$playback" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
