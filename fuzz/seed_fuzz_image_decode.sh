#!/usr/bin/env bash
# seed_fuzz_image_decode.sh DIR — writes small seed inputs for
# fuzz_image_decode into DIR, made with the ffmpeg command: one tiny picture
# per still format, a few pixel layouts and a short video. Without ffmpeg it
# writes nothing (the fuzzer then starts from an empty corpus).
set -u
dir=${1:?usage: seed_fuzz_image_decode.sh DIR}
mkdir -p "$dir"
command -v ffmpeg >/dev/null 2>&1 || { echo "ffmpeg absent: no seeds" >&2; exit 0; }
cd "$dir" || exit 1
one="-frames:v 1"
ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@" || echo "seed failed: $*" >&2; }
ff -f lavfi -i testsrc=size=16x12,format=rgb24 \
  $one seed.png $one seed.bmp $one seed.tif $one seed.gif $one seed.qoi $one seed.ppm \
  $one seed.sun $one -q:v 5 seed.jpg $one seed.webp $one -lossless 1 seed_lossless.webp \
  $one -pix_fmt gray seed_gray.png $one -pix_fmt pal8 seed_pal8.png \
  $one -pix_fmt rgba64be seed_rgba64.png $one -pix_fmt yuvj422p seed_422.jpg
ff -f lavfi -i testsrc=size=7x5 $one seed_odd.jpg
ff -f lavfi -i testsrc=size=32x24:rate=5 -t 0.6 -pix_fmt yuv420p seed.mp4
exit 0
