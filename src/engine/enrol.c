/* enrol.c — putting a subject on a watch list from photos: every photo
 * through the quality gate, embedded, re-encoded, checked against the rest
 * of the list for duplicates, then stored with all its templates in one
 * transaction. Nothing is stored unless every photo passes. The photos come
 * from files (vg_enrol, the CLI) or memory (vg_enrol_mem, HTTP uploads). */
#include "vigil/watchlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENROL_MAX_PHOTOS 32
#define ENROL_PHOTO_MAX_SIDE 1024
#define ENROL_JPEG_QUALITY 90

void vg_enrol_defaults(vg_enrol_options *o)
{
    memset(o, 0, sizeof *o);
    o->face_index = -1;
    vg_gate_defaults(&o->gate);
    o->duplicate_threshold = VG_WATCHLIST_THRESHOLD_DEFAULT;
}

/* The photo as it is kept: JPEG, at most ENROL_PHOTO_MAX_SIDE on its longer
 * side; re-encoding drops whatever metadata the original carried. */
static vg_status keep_as_jpeg(const vg_image *img, uint8_t **jpeg, size_t *len, vg_err *err)
{
    int w = img->width, h = img->height, side = w > h ? w : h;
    if (side <= ENROL_PHOTO_MAX_SIDE)
        return vg_image_encode_jpeg(img, ENROL_JPEG_QUALITY, jpeg, len, err);
    vg_image *small = NULL;
    int nw = (int)((long long)w * ENROL_PHOTO_MAX_SIDE / side), nh = (int)((long long)h * ENROL_PHOTO_MAX_SIDE / side);
    vg_status st = vg_image_resize(img, nw > 0 ? nw : 1, nh > 0 ? nh : 1, &small, err);
    if (!st)
        st = vg_image_encode_jpeg(small, ENROL_JPEG_QUALITY, jpeg, len, err);
    vg_image_free(small);
    return st;
}

/* Refuses a template that matches another subject of the list. */
static vg_status check_duplicates(vg_store *store, const char *actor, const vg_face_pack *pack,
                                  const vg_subject *subject, const float *vecs, int n,
                                  const char *const *labels, const vg_enrol_options *opt, int *which,
                                  vg_err *err)
{
    vg_watch_gallery *g = NULL;
    vg_status st = vg_watch_gallery_load(store, actor, "duplicate check at enrolment", subject->watchlist_id,
                                         vg_face_pack_model_id(pack), 0, &g, err);
    if (st)
        return st;
    int dim = vg_face_pack_dim(pack);
    for (int i = 0; i < n && !st; i++) {
        vg_candidate c;
        if (vg_watch_gallery_search(g, vecs + (size_t)i * (size_t)dim, 1, &c) == 1 &&
            c.score >= opt->duplicate_threshold) {
            vg_subject other;
            if (vg_store_subject_get(store, c.subject_id, &other, NULL) != VG_OK)
                snprintf(other.name, sizeof other.name, "?");
            st = vg_err_set(err, VG_ERR_INVALID,
                            "photo %s matches subject %lld (%s) on this watch list, similarity %.3f >= %.3f: "
                            "a duplicate? --allow-duplicate enrols it anyway",
                            labels[i], (long long)c.subject_id, other.name, c.score, opt->duplicate_threshold);
            *which = i;
        }
    }
    vg_watch_gallery_free(g);
    return st;
}

/* Where the photos come from: files or memory. */
typedef struct photo_src {
    const char *const *files;
    const vg_enrol_photo *mem;
    long long max_pixels;
} photo_src;

static vg_status decode_photo(const photo_src *p, int i, vg_image **img, vg_err *err)
{
    if (p->files)
        return vg_image_decode_file(p->files[i], p->max_pixels, img, err);
    return vg_image_decode_mem(p->mem[i].data, p->mem[i].len, p->max_pixels, img, err);
}

static vg_status enrol(const vg_face_pack *pack, vg_store *store, const char *actor, const vg_subject *subject,
                       const photo_src *src, const char *const *labels, int n, const vg_enrol_options *opt,
                       int64_t *subject_id, vg_enrol_refusal *why, vg_err *err)
{
    vg_enrol_options defaults;
    if (!opt) {
        vg_enrol_defaults(&defaults);
        opt = &defaults;
    }
    vg_enrol_refusal dummy;
    if (!why)
        why = &dummy;
    memset(why, 0, sizeof *why);
    why->stage = VG_ENROL_OTHER;
    if (n < 1)
        return vg_err_set(err, VG_ERR_INVALID, "at least one photo is needed (--photo FILE)");
    if (n > ENROL_MAX_PHOTOS)
        return vg_err_set(err, VG_ERR_INVALID, "%d photos: at most %d per subject", n, ENROL_MAX_PHOTOS);
    photo_src ps = *src;
    ps.max_pixels = opt->max_pixels;
    int dim = vg_face_pack_dim(pack);
    float *vecs = calloc((size_t)n * (size_t)dim, sizeof(float));
    vg_enrolment *rec = calloc((size_t)n, sizeof *rec);
    uint8_t **jpegs = calloc((size_t)n, sizeof *jpegs);
    vg_status st = vecs && rec && jpegs ? VG_OK : vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n && !st; i++) {
        vg_image *img = NULL;
        vg_face face;
        float *vec = vecs + (size_t)i * (size_t)dim;
        why->photo = i;
        st = decode_photo(&ps, i, &img, err);
        if (st == VG_ERR_INVALID || st == VG_ERR_LIMIT)
            why->stage = VG_ENROL_DECODE;
        if (!st) {
            st = vg_gate_assess(pack, img, opt->face_index, &opt->gate, &face, &why->reasons, err);
            if (st && why->reasons.n)
                why->stage = VG_ENROL_GATE;
        }
        if (!st)
            st = vg_face_embed_face(pack, img, &face, vec, err);
        if (!st)
            st = keep_as_jpeg(img, &jpegs[i], &rec[i].jpeg_len, err);
        vg_image_free(img);
        if (st) {
            vg_err_prefix(err, st, "photo %s", labels[i]);
            break;
        }
        rec[i].vec = vec;
        rec[i].dim = dim;
        rec[i].quality = face.quality.score;
        rec[i].jpeg = jpegs[i];
    }
    if (!st && !opt->allow_duplicate) {
        int which = -1;
        st = check_duplicates(store, actor, pack, subject, vecs, n, labels, opt, &which, err);
        if (st && which >= 0) {
            why->stage = VG_ENROL_DUPLICATE;
            why->photo = which;
            why->reasons.n = 1;
            snprintf(why->reasons.reason[0], sizeof why->reasons.reason[0], "%s", err->msg);
        }
    }
    if (!st)
        st = vg_store_subject_add(store, actor, subject, vg_face_pack_model_id(pack), rec, n, subject_id, err);
    if (!st)
        why->stage = VG_ENROL_OK;
    for (int i = 0; jpegs && i < n; i++)
        free(jpegs[i]);
    free(jpegs);
    free(rec);
    free(vecs);
    return st;
}

vg_status vg_enrol(const vg_face_pack *pack, vg_store *store, const char *actor,
                   const vg_subject *subject, const char *const *photos, int n,
                   const vg_enrol_options *opt, int64_t *subject_id, vg_err *err)
{
    photo_src src = {.files = photos};
    return enrol(pack, store, actor, subject, &src, photos, n, opt, subject_id, NULL, err);
}

vg_status vg_enrol_mem(const vg_face_pack *pack, vg_store *store, const char *actor,
                       const vg_subject *subject, const vg_enrol_photo *photos, int n,
                       const vg_enrol_options *opt, int64_t *subject_id, vg_enrol_refusal *why,
                       vg_err *err)
{
    if (n < 0 || n > ENROL_MAX_PHOTOS || (n > 0 && !photos))
        return vg_err_set(err, VG_ERR_INVALID, "%d photos: 1 to %d per subject", n, ENROL_MAX_PHOTOS);
    const char *labels[ENROL_MAX_PHOTOS];
    for (int i = 0; i < n; i++)
        labels[i] = photos[i].label ? photos[i].label : "photo";
    photo_src src = {.mem = photos};
    return enrol(pack, store, actor, subject, &src, labels, n, opt, subject_id, why, err);
}
