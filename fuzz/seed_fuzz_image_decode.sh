#!/usr/bin/env bash
# seed_fuzz_image_decode.sh DIR — writes small seed inputs for
# fuzz_image_decode into DIR, made with the ffmpeg command: one tiny picture
# per still format, a few pixel layouts, a short video, and JPEGs carrying an
# EXIF orientation, valid (6) and absurd (0, 9, 65535, an IFD cut short, an
# IFD offset past the block). Without ffmpeg it
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
# exif NAME TIFF: seed.jpg with an APP1 "Exif\0\0" segment holding the TIFF
# block TIFF (printf escapes) right after SOI.
exif() {
  [ -f seed.jpg ] || return 0
  local tiff; tiff=$(printf "$2" | wc -c)
  { head -c 2 seed.jpg
    printf '\xff\xe1'"\\x$(printf %02x $(((tiff + 8) >> 8)))\\x$(printf %02x $(((tiff + 8) & 255)))"'Exif\x00\x00'
    printf "$2"; tail -c +3 seed.jpg; } > "$1"
}
hdr='MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01'
exif seed_exif6.jpg "$hdr"'\x00\x06\x00\x00\x00\x00\x00\x00'
exif seed_exif0.jpg "$hdr"'\x00\x00\x00\x00\x00\x00\x00\x00'
exif seed_exif9.jpg "$hdr"'\x00\x09\x00\x00\x00\x00\x00\x00'
exif seed_exif65535.jpg "$hdr"'\xff\xff\x00\x00\x00\x00\x00\x00'
exif seed_exif_cut.jpg 'MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12'
exif seed_exif_far.jpg 'II\x2a\x00\xf0\xff\xff\x7f\x01\x00\x12\x01\x03\x00\x01\x00\x00\x00\x08\x00'
exit 0
