/* watch_gallery.c — a watch list in memory: its templates in a vg_gallery,
 * each tagged with its subject, and a search that ranks subjects (a subject
 * with several templates appears once, with its best score). */
#include "vigil/watchlist.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct vg_watch_gallery {
    vg_gallery *gallery;     /* ids are indices into subject_of */
    int64_t *subject_of;
    int64_t *template_of;    /* the template row of each index */
    int n_templates;
    int n_subjects;
    int max_per_subject;     /* most templates any one subject has */
    int n_quarantined;       /* subjects left out, quarantined */
    char version[65];        /* SHA-256 hex of what was loaded */
};

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

void vg_watch_gallery_free(vg_watch_gallery *g)
{
    if (!g)
        return;
    vg_gallery_free(g->gallery);
    free(g->subject_of);
    free(g->template_of);
    free(g);
}

vg_status vg_watch_gallery_load(vg_store *store, const char *actor, const char *purpose,
                                int64_t watchlist_id, const char *model_id, int64_t now,
                                vg_watch_gallery **out, vg_err *err)
{
    *out = NULL;
    vg_template_set t = {0};
    vg_status st = vg_store_templates_load(store, actor, purpose, watchlist_id, model_id, now, &t, err);
    if (st)
        return st;
    vg_watch_gallery *g = calloc(1, sizeof *g);
    if (!g) {
        vg_store_templates_free(&t);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    g->n_quarantined = t.quarantined;
    g->subject_of = malloc((size_t)(t.n ? t.n : 1) * sizeof *g->subject_of);
    g->template_of = malloc((size_t)(t.n ? t.n : 1) * sizeof *g->template_of);
    st = g->subject_of && g->template_of ? vg_gallery_new(t.dim > 0 ? t.dim : 512, VG_MATCH_KERNEL_AUTO, &g->gallery, err)
                       : vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (int i = 0; !st && i < t.n; i++) {
        g->subject_of[i] = t.subject_id[i];
        g->template_of[i] = t.template_id[i];
        st = vg_gallery_add(g->gallery, i, t.vecs + (size_t)i * (size_t)t.dim, err);
    }
    if (!st) {
        crypto_hash_sha256_state h;
        crypto_hash_sha256_init(&h);
        for (int i = 0; i < t.n; i++) {
            int64_t ids[2] = {t.template_id[i], t.subject_id[i]};
            crypto_hash_sha256_update(&h, (const unsigned char *)ids, sizeof ids);
            crypto_hash_sha256_update(&h, (const unsigned char *)(t.vecs + (size_t)i * (size_t)t.dim),
                                      (size_t)t.dim * sizeof(float));
        }
        unsigned char digest[crypto_hash_sha256_BYTES];
        crypto_hash_sha256_final(&h, digest);
        sodium_bin2hex(g->version, sizeof g->version, digest, sizeof digest);
        g->n_templates = t.n;
        /* distinct subjects, and the most templates any one has */
        int64_t *ids = malloc((size_t)(t.n ? t.n : 1) * sizeof *ids);
        if (!ids) {
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        } else {
            memcpy(ids, t.subject_id, (size_t)t.n * sizeof *ids);
            qsort(ids, (size_t)t.n, sizeof *ids, cmp_id);
            for (int i = 0, run = 0; i < t.n; i++) {
                run = i > 0 && ids[i] == ids[i - 1] ? run + 1 : 1;
                g->n_subjects += run == 1;
                if (run > g->max_per_subject)
                    g->max_per_subject = run;
            }
            free(ids);
        }
    }
    vg_store_templates_free(&t);
    if (st) {
        vg_watch_gallery_free(g);
        return st;
    }
    *out = g;
    return VG_OK;
}

int vg_watch_gallery_quarantined(const vg_watch_gallery *g)
{
    return g ? g->n_quarantined : 0;
}

int vg_watch_gallery_subjects(const vg_watch_gallery *g)
{
    return g->n_subjects;
}

int vg_watch_gallery_templates(const vg_watch_gallery *g)
{
    return g->n_templates;
}

const char *vg_watch_gallery_version(const vg_watch_gallery *g)
{
    return g->version;
}

int vg_watch_gallery_search(const vg_watch_gallery *g, const float *probe, int k, vg_candidate *out)
{
    if (k <= 0 || g->n_templates == 0)
        return 0;
    /* the best k * max_per_subject templates always hold the best k subjects */
    long long cover = (long long)k * g->max_per_subject;
    int want = cover < g->n_templates ? (int)cover : g->n_templates;
    vg_match stack[256];
    vg_match *m = want <= 256 ? stack : malloc((size_t)want * sizeof *m);
    if (!m)
        return 0;
    int found = vg_gallery_search(g->gallery, probe, want, m);
    int n = 0;
    for (int i = 0; i < found && n < k; i++) {
        int64_t subject = g->subject_of[m[i].id];
        int seen = 0;
        for (int j = 0; j < n && !seen; j++)
            seen = out[j].subject_id == subject;
        if (!seen)
            out[n++] = (vg_candidate){subject, m[i].score, g->template_of[m[i].id]};
    }
    if (m != stack)
        free(m);
    return n;
}
