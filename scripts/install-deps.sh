#!/usr/bin/env bash
# Installs mediaworker's build and test dependencies from Debian 12's packages.
# Idempotent: when every package is already installed it touches nothing (no apt-get update).
set -euo pipefail

packages=(
  # toolchain
  g++ cmake ninja-build pkg-config make git python3 curl
  # the libav engine (FFmpeg 5.1) and x264; ffmpeg/ffprobe for benchmarks and checks
  libavformat-dev libavcodec-dev libavfilter-dev libswscale-dev libswresample-dev libavutil-dev
  libx264-dev ffmpeg
  # libraries
  libpugixml-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libboost-dev libsqlite3-dev libpqxx-dev libcurl4-openssl-dev libssl-dev libsystemd-dev
  # tests
  googletest libgtest-dev libgmock-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
if [[ $(id -u) != 0 ]]; then
  echo "install-deps: missing packages (${missing[*]}); run as root or install them with apt-get" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
