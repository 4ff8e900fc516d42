/* enrol.c — putting a subject on a watch list from photos: every photo
 * through the quality gate, embedded, re-encoded, checked against the rest
 * of the list for duplicates, then stored with all its templates in one
 * transaction. The photos that pass are kept and the others reported
 * (vg_enrol_report: what the gate found, every factor, the face crop);
 * nothing is stored unless one passes. A supervisor may accept a face below
 * the quality limits, never a photo without a face. The photos come from
 * files (vg_enrol_files, the CLI) or memory (vg_enrol_mem, HTTP uploads). */
#include "vigil/watchlist.h"

#include <sodium.h>
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
static vg_status keep_as_jpeg(const vg_image *img, uint8_t **jpeg, size_t *len, float *scale, vg_err *err)
{
    int w = img->width, h = img->height, side = w > h ? w : h;
    *scale = 1.0f;
    if (side <= ENROL_PHOTO_MAX_SIDE)
        return vg_image_encode_jpeg(img, ENROL_JPEG_QUALITY, jpeg, len, err);
    vg_image *small = NULL;
    int nw = (int)((long long)w * ENROL_PHOTO_MAX_SIDE / side), nh = (int)((long long)h * ENROL_PHOTO_MAX_SIDE / side);
    vg_status st = vg_image_resize(img, nw > 0 ? nw : 1, nh > 0 ? nh : 1, &small, err);
    *scale = (float)(nw > 0 ? nw : 1) / (float)w;
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
    /* uploads: JPEG and PNG only, never whatever else FFmpeg could open */
    return vg_image_decode_photo(p->mem[i].data, p->mem[i].len, p->max_pixels, img, err);
}

struct vg_enrol_prepared {
    int n, dim;           /* the photos kept */
    float *vecs;          /* n x dim */
    vg_enrolment *rec;    /* pointing into vecs, jpegs and the supervisor's texts */
    uint8_t **jpegs;
    char **labels;
    char *supervisor, *justification;
};

void vg_enrol_prepared_free(vg_enrol_prepared *p)
{
    if (!p)
        return;
    for (int i = 0; i < p->n; i++) {
        if (p->jpegs)
            free(p->jpegs[i]);
        if (p->labels)
            free(p->labels[i]);
    }
    if (p->vecs)
        sodium_memzero(p->vecs, (size_t)p->n * (size_t)p->dim * sizeof(float));
    free(p->vecs);
    free(p->rec);
    free(p->jpegs);
    free(p->labels);
    free(p->supervisor);
    free(p->justification);
    free(p);
}

void vg_enrol_report_free(vg_enrol_report *r)
{
    if (!r)
        return;
    for (int i = 0; r->photo && i < r->n; i++) {
        if (r->photo[i].crop)
            sodium_memzero(r->photo[i].crop, r->photo[i].crop_len);
        free(r->photo[i].crop);
    }
    free(r->photo);
    free(r);
}

static void why_reset(vg_enrol_refusal *why)
{
    memset(why, 0, sizeof *why);
    why->stage = VG_ENROL_OTHER;
}

/* The face as the embedder sees it (aligned 112x112), as JPEG. */
static vg_status face_crop(const vg_image *img, const vg_face *face, uint8_t **jpeg, size_t *len, vg_err *err)
{
    vg_image *aligned = NULL;
    vg_status st = vg_face_align(img, face->lm, &aligned, err);
    if (!st)
        st = vg_image_encode_jpeg(aligned, ENROL_JPEG_QUALITY, jpeg, len, err);
    vg_image_free(aligned);
    return st;
}

/* Where the face is in the photo as kept (scaled like it): the card's
 * aligned crop is made from it. */
static void face_place(const vg_face *f, float scale, vg_photo_face *out)
{
    out->known = 1;
    out->box[0] = f->x1 * scale;
    out->box[1] = f->y1 * scale;
    out->box[2] = f->x2 * scale;
    out->box[3] = f->y2 * scale;
    for (int i = 0; i < VG_LM_COUNT; i++) {
        out->lm[2 * i] = f->lm[i].x * scale;
        out->lm[2 * i + 1] = f->lm[i].y * scale;
    }
}

/* One photo: decoded, through the gate, cropped when asked, and (kept)
 * embedded and re-encoded into slot k of p. A refusal (decode or gate)
 * is VG_OK with pr->kept 0 and its reasons; anything else is an error. */
static vg_status one_photo(const vg_face_pack *pack, const photo_src *ps, int i, const vg_enrol_options *opt,
                           int accept_low, vg_enrol_prepared *p, vg_enrol_photo_report *pr, vg_err *err)
{
    vg_image *img = NULL;
    vg_err perr = {{0}};
    vg_status st = decode_photo(ps, i, &img, &perr);
    if (st == VG_ERR_INVALID || st == VG_ERR_LIMIT) {
        pr->stage = VG_ENROL_DECODE;
        pr->status = st;
        pr->reasons.n = 1;
        snprintf(pr->reasons.reason[0], sizeof pr->reasons.reason[0], "%s", perr.msg);
        return VG_OK;
    }
    if (st) {
        if (err)
            *err = perr;
        return st;
    }
    st = vg_gate_examine(pack, img, opt->face_index, &opt->gate, &pr->gate, &pr->reasons, &perr);
    if (st == VG_OK) {
        pr->stage = VG_ENROL_OK;
    } else if (st == VG_ERR_INVALID && pr->reasons.n) {
        pr->stage = VG_ENROL_GATE;
        /* below the quality limits only, a face for sure, and a supervisor's word */
        if (accept_low && pr->gate.chosen >= 0 && pr->gate.is_face && !pr->gate.quality_ok) {
            pr->stage = VG_ENROL_OK;
            pr->low_quality = 1;
        }
        st = VG_OK;
    } else if (st) {
        vg_image_free(img);
        if (err)
            *err = perr;
        return st;
    }
    if (opt->want_crops && pr->gate.chosen >= 0)
        st = face_crop(img, &pr->gate.face, &pr->crop, &pr->crop_len, err);
    if (!st && pr->stage == VG_ENROL_OK) {
        int k = p->n, dim = p->dim;
        float *vec = p->vecs + (size_t)k * (size_t)dim;
        if (!(p->labels[k] = strdup(pr->label)))
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        if (!st)
            st = vg_face_embed_face(pack, img, &pr->gate.face, vec, err);
        float scale = 1.0f;
        if (!st)
            st = keep_as_jpeg(img, &p->jpegs[k], &p->rec[k].jpeg_len, &scale, err);
        p->n++; /* whatever was allocated is freed with p */
        if (!st) {
            p->rec[k].vec = vec;
            p->rec[k].dim = dim;
            p->rec[k].quality = pr->gate.face.quality.score;
            p->rec[k].jpeg = p->jpegs[k];
            face_place(&pr->gate.face, scale, &p->rec[k].face);
            if (pr->low_quality) {
                p->rec[k].low_quality = 1;
                p->rec[k].low_quality_supervisor = p->supervisor;
                p->rec[k].low_quality_justification = p->justification;
            }
            pr->kept = 1;
        }
    }
    vg_image_free(img);
    return st;
}

static int one_line(const char *s)
{
    return s && s[0] && !strpbrk(s, "\r\n");
}

/* Every photo through the gate; the ones that pass embedded and
 * re-encoded: no store needed. */
static vg_status prepare(const vg_face_pack *pack, const photo_src *src, const char *const *labels, int n,
                         const vg_enrol_options *opt, vg_enrol_prepared **out, vg_enrol_report **report_out,
                         vg_enrol_refusal *why, vg_err *err)
{
    *out = NULL;
    if (report_out)
        *report_out = NULL;
    if (n < 1)
        return vg_err_set(err, VG_ERR_INVALID, "at least one photo is needed (--photo FILE)");
    if (n > ENROL_MAX_PHOTOS)
        return vg_err_set(err, VG_ERR_INVALID, "%d photos: at most %d per subject", n, ENROL_MAX_PHOTOS);
    int accept_low = opt->low_quality_supervisor || opt->low_quality_justification;
    if (accept_low && !one_line(opt->low_quality_supervisor))
        return vg_err_set(err, VG_ERR_INVALID, "accepting a photo below the quality limits needs the supervisor's "
                          "name (one line)");
    if (accept_low && !one_line(opt->low_quality_justification))
        return vg_err_set(err, VG_ERR_INVALID, "accepting a photo below the quality limits needs a written "
                          "justification (one line)");
    photo_src ps = *src;
    ps.max_pixels = opt->max_pixels;
    int dim = vg_face_pack_dim(pack);
    vg_enrol_prepared *p = calloc(1, sizeof *p);
    vg_enrol_report *rep = calloc(1, sizeof *rep);
    if (!p || !rep) {
        free(p);
        free(rep);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    p->dim = dim;
    p->vecs = calloc((size_t)n * (size_t)dim, sizeof(float));
    p->rec = calloc((size_t)n, sizeof *p->rec);
    p->jpegs = calloc((size_t)n, sizeof *p->jpegs);
    p->labels = calloc((size_t)n, sizeof *p->labels);
    rep->photo = calloc((size_t)n, sizeof *rep->photo);
    rep->n = rep->photo ? n : 0;
    vg_status st = p->vecs && p->rec && p->jpegs && p->labels && rep->photo
                       ? VG_OK
                       : vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    if (!st && accept_low && (!(p->supervisor = strdup(opt->low_quality_supervisor)) ||
                              !(p->justification = strdup(opt->low_quality_justification))))
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (int i = 0; i < n && !st; i++) {
        vg_enrol_photo_report *pr = &rep->photo[i];
        snprintf(pr->label, sizeof pr->label, "%s", labels[i]);
        pr->stage = VG_ENROL_OTHER;
        pr->gate.chosen = -1;
        st = one_photo(pack, &ps, i, opt, accept_low, p, pr, err);
        if (st) {
            why->photo = i;
            vg_err_prefix(err, st, "photo %s", labels[i]);
            break;
        }
        rep->kept += pr->kept;
        rep->low_quality += pr->kept && pr->low_quality;
    }
    if (!st && rep->kept == 0) {
        /* nothing passed: refused as the first photo was, naming it */
        const vg_enrol_photo_report *first = &rep->photo[0];
        why->photo = 0;
        why->stage = first->stage;
        why->reasons = first->reasons;
        if (n == 1)
            st = vg_err_set(err, VG_ERR_INVALID, "photo %s: %s", labels[0],
                            first->reasons.n ? first->reasons.reason[0] : "refused");
        else
            st = vg_err_set(err, VG_ERR_INVALID, "none of the %d photos passed (photo %s: %s)", n, labels[0],
                            first->reasons.n ? first->reasons.reason[0] : "refused");
        /* a photo that could not be decoded keeps its status (400, not 422) */
        if (n == 1 && first->stage == VG_ENROL_DECODE)
            st = first->status;
    }
    if (report_out)
        *report_out = rep;
    else
        vg_enrol_report_free(rep);
    if (st) {
        vg_enrol_prepared_free(p);
        return st;
    }
    *out = p;
    return VG_OK;
}

vg_status vg_enrol_prepare_report(const vg_face_pack *pack, const vg_enrol_photo *photos, int n,
                                  const vg_enrol_options *opt, vg_enrol_prepared **out, vg_enrol_report **report,
                                  vg_enrol_refusal *why, vg_err *err)
{
    vg_enrol_options defaults;
    vg_enrol_refusal dummy;
    if (report)
        *report = NULL;
    if (!opt) {
        vg_enrol_defaults(&defaults);
        opt = &defaults;
    }
    if (!why)
        why = &dummy;
    why_reset(why);
    if (!out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_enrol_prepare: NULL argument");
    *out = NULL;
    if (n < 0 || n > ENROL_MAX_PHOTOS || (n > 0 && !photos))
        return vg_err_set(err, VG_ERR_INVALID, "%d photos: 1 to %d per subject", n, ENROL_MAX_PHOTOS);
    const char *labels[ENROL_MAX_PHOTOS];
    for (int i = 0; i < n; i++)
        labels[i] = photos[i].label ? photos[i].label : "photo";
    photo_src src = {.mem = photos};
    return prepare(pack, &src, labels, n, opt, out, report, why, err);
}

vg_status vg_enrol_prepare(const vg_face_pack *pack, const vg_enrol_photo *photos, int n, const vg_enrol_options *opt,
                           vg_enrol_prepared **out, vg_enrol_refusal *why, vg_err *err)
{
    return vg_enrol_prepare_report(pack, photos, n, opt, out, NULL, why, err);
}

vg_status vg_enrol_commit(const vg_face_pack *pack, vg_store *store, const char *actor, const vg_subject *subject,
                          const vg_enrol_prepared *p, const vg_enrol_options *opt, int64_t *subject_id,
                          vg_enrol_refusal *why, vg_err *err)
{
    vg_enrol_options defaults;
    vg_enrol_refusal dummy;
    if (!opt) {
        vg_enrol_defaults(&defaults);
        opt = &defaults;
    }
    if (!why)
        why = &dummy;
    why_reset(why);
    if (!p || !subject)
        return vg_err_set(err, VG_ERR_INVALID, "vg_enrol_commit: NULL argument");
    if (p->dim != vg_face_pack_dim(pack))
        return vg_err_set(err, VG_ERR_INVALID, "vg_enrol_commit: photos prepared with another model pack");
    vg_status st = VG_OK;
    if (!opt->allow_duplicate) {
        int which = -1;
        st = check_duplicates(store, actor, pack, subject, p->vecs, p->n, (const char *const *)p->labels, opt, &which,
                              err);
        if (st && which >= 0) {
            why->stage = VG_ENROL_DUPLICATE;
            why->photo = which;
            why->reasons.n = 1;
            snprintf(why->reasons.reason[0], sizeof why->reasons.reason[0], "%s", err->msg);
        }
    }
    if (!st)
        st = vg_store_subject_add(store, actor, subject, vg_face_pack_model_id(pack), p->rec, p->n, subject_id, err);
    if (!st)
        why->stage = VG_ENROL_OK;
    return st;
}

vg_status vg_enrol_files(const vg_face_pack *pack, vg_store *store, const char *actor, const vg_subject *subject,
                         const char *const *photos, int n, const vg_enrol_options *opt, int64_t *subject_id,
                         vg_enrol_report **report, vg_err *err)
{
    vg_enrol_options defaults;
    if (report)
        *report = NULL;
    if (!opt) {
        vg_enrol_defaults(&defaults);
        opt = &defaults;
    }
    vg_enrol_refusal why;
    why_reset(&why);
    photo_src src = {.files = photos};
    vg_enrol_prepared *p = NULL;
    vg_status st = prepare(pack, &src, photos, n, opt, &p, report, &why, err);
    if (!st)
        st = vg_enrol_commit(pack, store, actor, subject, p, opt, subject_id, NULL, err);
    vg_enrol_prepared_free(p);
    return st;
}

vg_status vg_enrol(const vg_face_pack *pack, vg_store *store, const char *actor,
                   const vg_subject *subject, const char *const *photos, int n,
                   const vg_enrol_options *opt, int64_t *subject_id, vg_err *err)
{
    return vg_enrol_files(pack, store, actor, subject, photos, n, opt, subject_id, NULL, err);
}

vg_status vg_enrol_mem(const vg_face_pack *pack, vg_store *store, const char *actor,
                       const vg_subject *subject, const vg_enrol_photo *photos, int n,
                       const vg_enrol_options *opt, int64_t *subject_id, vg_enrol_refusal *why,
                       vg_err *err)
{
    vg_enrol_prepared *p = NULL;
    vg_status st = vg_enrol_prepare(pack, photos, n, opt, &p, why, err);
    if (!st)
        st = vg_enrol_commit(pack, store, actor, subject, p, opt, subject_id, why, err);
    vg_enrol_prepared_free(p);
    return st;
}
