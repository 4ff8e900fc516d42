/* detect_regions.c — detection in regions of a frame around known faces
 * (vg_face_detect_regions): each region, a square around a tracked face's
 * box, is scaled into a tile of a small canvas (six tiles to a canvas the
 * size of the default detector's small input, grey between tiles), the
 * detector runs once per canvas, and the boxes come back to frame pixels.
 * A face the size of the tracked one lands at about a third of the tile:
 * well above the smallest the detectors find, with context around it. */
#include "vigil/face.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "face/pack_internal.h"

#define REG_TILE 96        /* tile side, canvas pixels */
#define REG_GAP 8          /* grey between tiles */
#define REG_COLS 3         /* 3 x 2 tiles of 104 fit 320 x 240 */
#define REG_ROWS 2
#define REG_CANVAS_W 320
#define REG_CANVAS_H 240
#define REG_GREY 127
#define REG_MAX_UPSCALE 2.0f

typedef struct region {
    int x, y, w, h;       /* in the frame, clipped */
    float s;              /* frame pixels -> canvas pixels */
    int tx, ty, tw, th;   /* where it lies on the canvas */
} region;

/* The square around box grown by margin of its longer side on each side,
 * moved inside the frame where it can be, clipped where it cannot. 0 when
 * nothing of it is inside the frame. */
static int region_of(const vg_image *img, const float *b, float margin, region *r)
{
    if (!(b[2] > b[0] && b[3] > b[1]))
        return 0;
    float side = fmaxf(b[2] - b[0], b[3] - b[1]) * (1 + 2 * margin);
    float cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
    float x1 = cx - side / 2, y1 = cy - side / 2;
    if (x1 + side > (float)img->width)
        x1 = (float)img->width - side;
    if (y1 + side > (float)img->height)
        y1 = (float)img->height - side;
    x1 = fmaxf(0, x1);
    y1 = fmaxf(0, y1);
    float x2 = fminf((float)img->width, x1 + side), y2 = fminf((float)img->height, y1 + side);
    r->x = (int)floorf(x1);
    r->y = (int)floorf(y1);
    r->w = (int)ceilf(x2) - r->x;
    r->h = (int)ceilf(y2) - r->y;
    if (r->x + r->w > img->width)
        r->w = img->width - r->x;
    if (r->y + r->h > img->height)
        r->h = img->height - r->y;
    if (r->w < 2 || r->h < 2)
        return 0;
    r->s = fminf(REG_MAX_UPSCALE, (float)REG_TILE / (float)(r->w > r->h ? r->w : r->h));
    r->tw = (int)lroundf((float)r->w * r->s);
    r->th = (int)lroundf((float)r->h * r->s);
    r->tw = r->tw < 1 ? 1 : r->tw > REG_TILE ? REG_TILE : r->tw;
    r->th = r->th < 1 ? 1 : r->th > REG_TILE ? REG_TILE : r->th;
    return 1;
}

/* One canvas of up to REG_COLS x REG_ROWS regions: detected, the faces
 * mapped back and appended to *all (grown as needed). */
static vg_status detect_canvas(const vg_face_pack *pack, const vg_image *img, region *rs, int n, vg_face **all,
                               int *n_all, int *cap, vg_err *err)
{
    vg_image *canvas = NULL;
    vg_status st = vg_image_new(REG_CANVAS_W, REG_CANVAS_H, &canvas, err);
    if (st)
        return st;
    for (int y = 0; y < canvas->height; y++)
        memset(canvas->data + (size_t)y * (size_t)canvas->stride, REG_GREY, (size_t)canvas->width * 3);
    for (int i = 0; i < n && !st; i++) {
        region *r = &rs[i];
        r->tx = REG_GAP / 2 + (i % REG_COLS) * (REG_TILE + REG_GAP);
        r->ty = REG_GAP / 2 + (i / REG_COLS) * (REG_TILE + REG_GAP);
        vg_image *crop = NULL, *tile = NULL;
        st = vg_image_crop(img, r->x, r->y, r->w, r->h, &crop, err);
        if (!st)
            st = vg_image_resize(crop, r->tw, r->th, &tile, err);
        for (int y = 0; !st && y < r->th; y++)
            memcpy(canvas->data + (size_t)(r->ty + y) * (size_t)canvas->stride + (size_t)r->tx * 3,
                   tile->data + (size_t)y * (size_t)tile->stride, (size_t)r->tw * 3);
        vg_image_free(crop);
        vg_image_free(tile);
    }
    vg_face *f = NULL;
    int count = 0;
    if (!st)
        st = pack->det->detect(pack->det_state, canvas, 1.0f, &f, &count, err);
    vg_image_free(canvas);
    if (st)
        return st;
    for (int i = 0; i < count; i++) {
        float cx = (f[i].x1 + f[i].x2) / 2, cy = (f[i].y1 + f[i].y2) / 2;
        const region *r = NULL;
        for (int k = 0; k < n && !r; k++)
            if (cx >= (float)rs[k].tx && cx < (float)(rs[k].tx + rs[k].tw) && cy >= (float)rs[k].ty &&
                cy < (float)(rs[k].ty + rs[k].th))
                r = &rs[k];
        if (!r) /* on the grey between tiles: nothing of the frame */
            continue;
        /* canvas -> frame, kept inside the region */
        float sx = (float)r->w / (float)r->tw, sy = (float)r->h / (float)r->th;
        vg_face g = f[i];
        g.x1 = (float)r->x + fmaxf(0, (g.x1 - (float)r->tx) * sx);
        g.y1 = (float)r->y + fmaxf(0, (g.y1 - (float)r->ty) * sy);
        g.x2 = (float)r->x + fminf((float)r->w, (g.x2 - (float)r->tx) * sx);
        g.y2 = (float)r->y + fminf((float)r->h, (g.y2 - (float)r->ty) * sy);
        for (int p = 0; p < VG_LM_COUNT; p++) {
            g.lm[p].x = (float)r->x + (g.lm[p].x - (float)r->tx) * sx;
            g.lm[p].y = (float)r->y + (g.lm[p].y - (float)r->ty) * sy;
        }
        if (g.x2 - g.x1 < 2 || g.y2 - g.y1 < 2)
            continue;
        if (*n_all == *cap) {
            int nc = *cap ? 2 * *cap : 16;
            vg_face *grown = realloc(*all, (size_t)nc * sizeof *grown);
            if (!grown) {
                free(f);
                return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
            }
            *all = grown;
            *cap = nc;
        }
        (*all)[(*n_all)++] = g;
    }
    free(f);
    return VG_OK;
}

vg_status vg_face_detect_regions(const vg_face_pack *pack, const vg_image *img, const float *boxes, int n_boxes,
                                 float margin, vg_face **faces, int *n, vg_err *err)
{
    *faces = NULL;
    *n = 0;
    if (!img || img->width <= 0 || img->height <= 0 || !img->data)
        return vg_err_set(err, VG_ERR_INVALID, "no image");
    if (n_boxes < 0 || (n_boxes > 0 && !boxes) || !(margin >= 0 && margin <= 4))
        return vg_err_set(err, VG_ERR_INVALID, "regions: bad boxes or a margin outside 0 to 4");
    const int per = REG_COLS * REG_ROWS;
    region rs[REG_COLS * REG_ROWS];
    vg_face *all = NULL;
    int n_all = 0, cap = 0, k = 0;
    vg_status st = VG_OK;
    for (int i = 0; i < n_boxes && !st; i++) {
        if (region_of(img, &boxes[4 * i], margin, &rs[k]))
            k++;
        if (k == per || (i == n_boxes - 1 && k > 0)) {
            st = detect_canvas(pack, img, rs, k, &all, &n_all, &cap, err);
            k = 0;
        }
    }
    int kept = 0;
    for (int i = 0; !st && i < n_all; i++)
        if (all[i].y2 - all[i].y1 >= (float)pack->min_face)
            all[kept++] = all[i];
    if (!st)
        kept = vg_face_merge_frame(pack, all, kept);
    if (!st)
        st = vg_face_describe_frame(pack, img, all, kept, err);
    if (st) {
        free(all);
        return st;
    }
    *faces = all;
    *n = kept;
    return VG_OK;
}
