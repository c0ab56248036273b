#!/usr/bin/env bash
# Makes sure ffprobe (Debian's ffmpeg) is there: the CLI's end-to-end tests
# check that every MP4 it writes reads cleanly with an independent demuxer
# and decoder, frame by frame. Installs Debian's ffmpeg when it is missing and
# this runs as root with apt-get; otherwise stops with the command to run.
set -euo pipefail
if command -v ffprobe >/dev/null; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "ffprobe is missing; installing Debian's ffmpeg (about a minute)..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null; }
fi
if ! command -v ffprobe >/dev/null; then
  echo "ffprobe not found: the CLI tests check its MP4s with it. Install it with: sudo apt-get install ffmpeg" >&2
  exit 69
fi
