#!/usr/bin/env bash
# make_walkby.sh OUT.mp4 BACKGROUND_SECONDS PHOTO... — a synthetic walk-by:
# a 1920x1080, 25 fps clip in which each photo in turn crosses a grey,
# noisy background from left to right, growing from 110 to 230 pixels as if
# walking towards the camera. Photo i enters at 2.5*i s and takes 3 s.
set -eu
out=$1 secs=$2; shift 2
inputs=() filter="[0]noise=alls=12:allf=t[bg0];" prev=bg0 k=0
for p in "$@"; do
  k=$((k + 1))
  t0=$(awk -v i=$((k - 1)) 'BEGIN { print 2.5 * i }')
  inputs+=(-loop 1 -framerate 25 -t "$secs" -i "$p")
  filter+="[$k]scale=w='110+40*(t-$t0)':h=-1:eval=frame[p$k];"
  filter+="[$prev][p$k]overlay=x='-250+700*(t-$t0)':y='380+20*(t-$t0)':enable='between(t,$t0,$t0+3)':eval=frame[bg$k];"
  prev=bg$k
done
filter+="[$prev]format=yuv420p[v]"
ffmpeg -nostdin -v error -y -f lavfi -i "color=c=0x707070:s=1920x1080:r=25:d=$secs" "${inputs[@]}" \
  -filter_complex "$filter" -map '[v]' -c:v libx264 -preset veryfast -crf 20 -t "$secs" "$out"
