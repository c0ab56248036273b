#!/usr/bin/env bash
# Makes sure the independent media tools the tests check Lantern's files with
# are there: ffprobe and ffmpeg (Debian's ffmpeg: every MP4 the CLI writes
# must read cleanly, frame by frame; the watermark must survive a re-encode)
# and exiftool (Debian's libimage-exiftool-perl: the clips' XMP labels must
# read in the tool photo and video desks use). Installs what is missing when
# this runs as root with apt-get; otherwise stops with the command to run.
set -euo pipefail
missing=()
command -v ffprobe >/dev/null && command -v ffmpeg >/dev/null || missing+=(ffmpeg)
command -v exiftool >/dev/null || missing+=(libimage-exiftool-perl)
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's ${missing[*]} for the media tests (about a minute)..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
fi
for tool in ffprobe ffmpeg exiftool; do
  if ! command -v "$tool" >/dev/null; then
    echo "$tool not found: the media tests check Lantern's files with it. Install it with: sudo apt-get install ffmpeg libimage-exiftool-perl" >&2
    exit 69
  fi
done
