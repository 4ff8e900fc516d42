/* frame_pool.c — a source's reusable frame images: a short list of idle
 * images of the stream's current size under a mutex, and a count of users
 * (the source and every image out) that frees the pool at zero; and the
 * scaler that converts a deferred frame's picture (on the consumer's thread). */
#include "video/frame_pool.h"
#include "image/frame.h"

#include <pthread.h>
#include <stdlib.h>

#include <libavutil/frame.h>

#define POOL_KEEP_MAX 8

struct vg_frame_pool {
    pthread_mutex_t mu;
    int users; /* the source (until released) + images out */
    int keep;
    int width, height; /* of the last take: idle images are all this size */
    vg_image *idle[POOL_KEEP_MAX];
    int n_idle;
    long long made, taken;
    pthread_mutex_t conv_mu; /* the scaler's: held for a conversion, not with mu */
    vg_frame_scaler scaler;
};

vg_status vg_frame_pool_new(int keep, vg_frame_pool **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_frame_pool_new: out is NULL");
    *out = NULL;
    vg_frame_pool *p = calloc(1, sizeof *p);
    if (!p)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory for a frame pool");
    if (pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p);
        return vg_err_set(err, VG_ERR_INTERNAL, "cannot initialise a mutex");
    }
    if (pthread_mutex_init(&p->conv_mu, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        free(p);
        return vg_err_set(err, VG_ERR_INTERNAL, "cannot initialise a mutex");
    }
    p->users = 1;
    p->keep = keep < 1 ? 1 : keep > POOL_KEEP_MAX ? POOL_KEEP_MAX : keep;
    *out = p;
    return VG_OK;
}

static void pool_free(vg_frame_pool *p)
{
    for (int i = 0; i < p->n_idle; i++)
        vg_image_free(p->idle[i]);
    vg_frame_scaler_fini(&p->scaler);
    pthread_mutex_destroy(&p->conv_mu);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

/* Drops one count under the lock; 1 when it was the last. */
static int drop_locked(vg_frame_pool *p)
{
    return --p->users == 0;
}

vg_status vg_frame_pool_take(vg_frame_pool *p, int width, int height, vg_image **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_frame_pool_take: out is NULL");
    *out = NULL;
    if (!p)
        return vg_err_set(err, VG_ERR_INVALID, "vg_frame_pool_take: pool is NULL");
    vg_image *img = NULL, *stale[POOL_KEEP_MAX];
    int n_stale = 0;
    pthread_mutex_lock(&p->mu);
    if (width != p->width || height != p->height) { /* the stream changed size: the idle ones are no use */
        for (int i = 0; i < p->n_idle; i++)
            stale[n_stale++] = p->idle[i];
        p->n_idle = 0;
        p->width = width;
        p->height = height;
    }
    if (p->n_idle > 0)
        img = p->idle[--p->n_idle];
    p->users++; /* counted before the allocation, so a give racing it cannot free the pool */
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < n_stale; i++)
        vg_image_free(stale[i]);

    vg_status s = VG_OK;
    int made = 0;
    if (!img) {
        s = vg_image_new(width, height, &img, err);
        made = s == VG_OK;
    }
    pthread_mutex_lock(&p->mu);
    if (s == VG_OK) {
        p->made += made;
        p->taken++;
    }
    int last = s != VG_OK && drop_locked(p);
    pthread_mutex_unlock(&p->mu);
    if (last) /* cannot happen while the caller holds the source's count, but stay exact */
        pool_free(p);
    *out = img;
    return s;
}

void vg_frame_pool_give(vg_frame_pool *p, vg_image *img)
{
    if (!p) {
        vg_image_free(img);
        return;
    }
    pthread_mutex_lock(&p->mu);
    if (img && img->width == p->width && img->height == p->height && p->n_idle < p->keep && p->users > 1) {
        p->idle[p->n_idle++] = img; /* users > 1: someone (the source) may take it again */
        img = NULL;
    }
    int last = drop_locked(p);
    pthread_mutex_unlock(&p->mu);
    vg_image_free(img);
    if (last)
        pool_free(p);
}

vg_status vg_frame_pool_convert(vg_frame_pool *p, const struct AVFrame *picture, vg_image **out, vg_err *err)
{
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_frame_pool_convert: out is NULL");
    *out = NULL;
    if (!p || !picture)
        return vg_err_set(err, VG_ERR_INVALID, "vg_frame_pool_convert: pool or picture is NULL");
    vg_image *img = NULL;
    vg_status s = vg_frame_pool_take(p, picture->width, picture->height, &img, err);
    if (s != VG_OK)
        return s;
    pthread_mutex_lock(&p->conv_mu);
    s = vg_frame_scaler_convert(&p->scaler, picture, img, err);
    pthread_mutex_unlock(&p->conv_mu);
    if (s != VG_OK) {
        vg_frame_pool_give(p, img);
        return s;
    }
    *out = img;
    return VG_OK;
}

void vg_frame_pool_hold(vg_frame_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->users++;
    pthread_mutex_unlock(&p->mu);
}

void vg_frame_pool_release(vg_frame_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    int last = drop_locked(p);
    pthread_mutex_unlock(&p->mu);
    if (last)
        pool_free(p);
}

void vg_frame_pool_stats_get(vg_frame_pool *p, vg_frame_pool_stats *out)
{
    if (!out)
        return;
    if (!p) {
        *out = (vg_frame_pool_stats){0};
        return;
    }
    pthread_mutex_lock(&p->mu);
    out->made = p->made;
    out->taken = p->taken;
    out->idle = p->n_idle;
    out->out = p->users - 1; /* while the source holds its count */
    pthread_mutex_unlock(&p->mu);
}
