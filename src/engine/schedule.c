/* schedule.c — when a camera searches a whole frame under detect and track
 * ([engine] full_detect_hz): the stream's time is cut into intervals of
 * 1 / hz, each camera's shifted by index / cameras of one, so that cameras
 * started together do not search whole frames at the same moment; the
 * first frame of each interval gets a full pass, as do a camera's first
 * frame and a frame whose time went back (a loop, a reconnection). */
#include "engine/engine_internal.h"

#include <math.h>

int vg_schedule_full_due(vg_schedule *s, double pts, double hz, int index, int n_cams)
{
    double phase = (double)index / (double)(n_cams > 0 ? n_cams : 1);
    int64_t slot = (int64_t)floor(pts * hz + phase + 1e-9); /* 1e-9: k / 30 * 5 lands on k / 6, not under it */
    if (s->any && slot == s->slot)
        return 0;
    s->any = 1;
    s->slot = slot;
    return 1;
}
