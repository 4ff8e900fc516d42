/* cache.c — the embeddings of an evaluation run kept in a file of the
 * user's choosing (`vigil eval groups --cache FILE`), so that scoring
 * variants are replayed in seconds instead of re-embedding every image.
 *
 * A cache holds, per image, the face-found flag, the front-end figures that
 * `eval groups` reports (quality, size, sharpness, yaw, pitch, brightness,
 * landmark drift, context pass) and the embedding, keyed by the image's path
 * relative to the data set's folder (PERSON/FILE). The file says which
 * embedder (its model id, which holds the model's SHA-256), detector, flip
 * setting and dimension made it: another is refused, never mixed. It ends
 * with the SHA-256 of everything before, so a truncated or damaged file is
 * refused with a clear error and left as it is. Writes go to FILE.tmp and
 * are renamed over FILE, so an interrupted write leaves the old file.
 *
 * Layout (host byte order; the magic's version number catches another
 * one): "VGEVCAC1", u32 dim, u32 flip, u64 n, u32 length + model id,
 * u32 length + detector name; per entry u16 length + key, u8 ok, u8
 * context pass, 7 floats (the stages), dim floats; then 32 bytes of
 * SHA-256. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eval/eval.h"

static const char magic[8] = {'V', 'G', 'E', 'V', 'C', 'A', 'C', '1'};
#define KEY_MAX 4096

void vg_eval_cache_free(vg_eval_cache *c)
{
    for (size_t i = 0; c->e && i < c->n; i++)
        free(c->e[i].key);
    free(c->e);
    free(c->emb);
    free(c->model);
    free(c->detector);
    memset(c, 0, sizeof *c);
}

/* A reader over the file's bytes: every read is bounds-checked. */
typedef struct rd {
    const unsigned char *p;
    size_t n, at;
    int bad;
} rd;

static void take(rd *r, void *out, size_t len)
{
    if (r->bad || r->n - r->at < len) {
        r->bad = 1;
        memset(out, 0, len);
        return;
    }
    memcpy(out, r->p + r->at, len);
    r->at += len;
}

static char *take_str(rd *r, size_t len)
{
    if (r->bad || len > KEY_MAX || r->n - r->at < len) {
        r->bad = 1;
        return NULL;
    }
    char *s = malloc(len + 1);
    if (!s)
        return NULL;
    memcpy(s, r->p + r->at, len);
    s[len] = '\0';
    r->at += len;
    if (strlen(s) != len) /* a NUL inside */
        r->bad = 1;
    return s;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const vg_eval_cache_entry *)a)->key, ((const vg_eval_cache_entry *)b)->key);
}

vg_status vg_eval_cache_parse(const char *path, const unsigned char *buf, size_t len, vg_eval_cache *c, vg_err *err)
{
    memset(c, 0, sizeof *c);
    unsigned char want[crypto_hash_sha256_BYTES];
    if (len < sizeof magic + crypto_hash_sha256_BYTES || memcmp(buf, magic, sizeof magic) != 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s is not a vigil evaluation cache (or is truncated)", path);
    crypto_hash_sha256(want, buf, len - sizeof want);
    if (sodium_memcmp(want, buf + len - sizeof want, sizeof want) != 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s is damaged or truncated (its checksum does not match): delete it "
                          "or choose another file", path);
    rd r = {buf, len - sizeof want, sizeof magic, 0};
    uint32_t dim = 0, flip = 0, ml = 0, dl = 0;
    uint64_t n = 0;
    take(&r, &dim, 4);
    take(&r, &flip, 4);
    take(&r, &n, 8);
    take(&r, &ml, 4);
    c->model = take_str(&r, ml);
    take(&r, &dl, 4);
    c->detector = take_str(&r, dl);
    if (r.bad || dim < 1 || dim > 4096 || flip > 1 || n > (r.n - r.at) / (4 + 2 + (size_t)dim * 4))
        return vg_err_set(err, VG_ERR_INVALID, "%s: a malformed evaluation cache header", path);
    if (!c->model || !c->detector)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    c->dim = (int)dim;
    c->flip = (int)flip;
    c->e = calloc(n ? n : 1, sizeof *c->e);
    c->emb = malloc((n ? n : 1) * dim * sizeof(float));
    if (!c->e || !c->emb)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        vg_eval_cache_entry *e = &c->e[i];
        uint16_t kl = 0;
        take(&r, &kl, 2);
        if (!(e->key = take_str(&r, kl)) && !r.bad)
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        c->n = i + 1; /* owned keys, freed on error */
        take(&r, &e->ok, 1);
        take(&r, &e->context_pass, 1);
        take(&r, e->stage, sizeof e->stage);
        e->emb = c->emb + i * dim;
        take(&r, e->emb, dim * sizeof(float));
        if (r.bad || !kl || e->ok > 1 || e->context_pass > 1)
            return vg_err_set(err, VG_ERR_INVALID, "%s: entry %zu of the evaluation cache is malformed", path, i + 1);
    }
    if (r.at != r.n)
        return vg_err_set(err, VG_ERR_INVALID, "%s: %zu bytes after the evaluation cache's last entry", path,
                          r.n - r.at);
    qsort(c->e, c->n, sizeof *c->e, cmp_entry);
    for (size_t i = 1; i < c->n; i++)
        if (!strcmp(c->e[i - 1].key, c->e[i].key))
            return vg_err_set(err, VG_ERR_INVALID, "%s: the image %s is in the evaluation cache twice", path,
                              c->e[i].key);
    return VG_OK;
}

vg_status vg_eval_cache_read(const char *path, const char *model_id, const char *detector, int flip, int dim,
                             vg_eval_cache *c, int *found, vg_err *err)
{
    memset(c, 0, sizeof *c);
    *found = 0;
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return VG_OK;
        return vg_err_set(err, VG_ERR_IO, "cannot open the evaluation cache %s: %s", path, strerror(errno));
    }
    vg_status st = VG_OK;
    unsigned char *buf = NULL;
    long len = -1;
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return vg_err_set(err, VG_ERR_INVALID, "the evaluation cache %s is not a file", path);
    }
    if (fseek(f, 0, SEEK_END) == 0)
        len = ftell(f);
    if (len < 0 || fseek(f, 0, SEEK_SET) != 0)
        st = vg_err_set(err, VG_ERR_IO, "cannot read the evaluation cache %s", path);
    else if (!(buf = malloc(len ? (size_t)len : 1)))
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory for the evaluation cache %s", path);
    else if (fread(buf, 1, (size_t)len, f) != (size_t)len)
        st = vg_err_set(err, VG_ERR_IO, "cannot read the evaluation cache %s", path);
    fclose(f);
    if (!st)
        st = vg_eval_cache_parse(path, buf, (size_t)len, c, err);
    free(buf);
    if (!st && strcmp(c->model, model_id) != 0)
        st = vg_err_set(err, VG_ERR_INVALID, "%s holds the embeddings of another model (%s), not of %s: refused; "
                        "choose another file", path, c->model, model_id);
    else if (!st && strcmp(c->detector, detector) != 0)
        st = vg_err_set(err, VG_ERR_INVALID, "%s was made with the detector %s, not %s: refused; choose another "
                        "file", path, c->detector, detector);
    else if (!st && c->flip != flip)
        st = vg_err_set(err, VG_ERR_INVALID, "%s was made %s flip augmentation: refused; choose another file "
                        "(or %s --flip)", path, c->flip ? "with" : "without", c->flip ? "add" : "drop");
    else if (!st && c->dim != dim)
        st = vg_err_set(err, VG_ERR_INVALID, "%s holds embeddings of %d numbers, the model gives %d: refused", path,
                        c->dim, dim);
    if (st)
        vg_eval_cache_free(c);
    else
        *found = 1;
    return st;
}

/* The image's key: its path after root's "ROOT/". */
static const char *key_of(const char *root, const char *path)
{
    size_t rl = strlen(root);
    while (rl > 1 && root[rl - 1] == '/')
        rl--;
    if (!strncmp(path, root, rl) && path[rl] == '/')
        return path + rl + 1;
    return path;
}

const vg_eval_cache_entry *vg_eval_cache_find(const vg_eval_cache *c, const char *key)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int d = strcmp(c->e[mid].key, key);
        if (!d)
            return &c->e[mid];
        if (d < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void to_face(const vg_eval_cache_entry *e, vg_face *f)
{
    memset(f, 0, sizeof *f);
    f->quality.score = e->stage[0];
    f->quality.eye_dist = e->stage[1];
    f->quality.sharpness = e->stage[2];
    f->quality.yaw = e->stage[3];
    f->quality.pitch = e->stage[4];
    f->quality.brightness = e->stage[5];
    f->check.drift = e->stage[6];
    f->check.context_pass = e->context_pass;
}

size_t vg_eval_cache_apply(const vg_eval_cache *c, const char *root, vg_eval_images *im, unsigned char *have)
{
    size_t got = 0;
    for (size_t i = 0; i < im->n; i++) {
        const vg_eval_cache_entry *e = vg_eval_cache_find(c, key_of(root, im->paths[i]));
        have[i] = e != NULL;
        if (!e)
            continue;
        got++;
        im->ok[i] = e->ok;
        memcpy(im->emb + i * (size_t)im->dim, e->emb, (size_t)im->dim * sizeof(float));
        if (im->face)
            to_face(e, &im->face[i]);
    }
    return got;
}

/* Writes len bytes and hashes them; 0, or -1 on a write error. */
static int put(FILE *f, crypto_hash_sha256_state *h, const void *p, size_t len)
{
    crypto_hash_sha256_update(h, p, len);
    return fwrite(p, 1, len, f) == len ? 0 : -1;
}

static int put_entry(FILE *f, crypto_hash_sha256_state *h, const char *key, unsigned char ok, unsigned char ctx,
                     const float *stage, const float *emb, int dim)
{
    uint16_t kl = (uint16_t)strlen(key);
    return put(f, h, &kl, 2) || put(f, h, key, kl) || put(f, h, &ok, 1) || put(f, h, &ctx, 1) ||
           put(f, h, stage, 7 * sizeof(float)) || put(f, h, emb, (size_t)dim * sizeof(float));
}

vg_status vg_eval_cache_write(const char *path, const vg_eval_cache *old, const char *root, const vg_eval_images *im,
                              const char *model_id, const char *detector, int flip, vg_err *err)
{
    /* the old file's entries that this run did not embed are kept */
    uint64_t n = im->n;
    unsigned char *keep = old && old->n ? calloc(old->n, 1) : NULL;
    if (old && old->n && !keep)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t i = 0; old && i < old->n; i++) {
        keep[i] = 1;
        n++;
    }
    for (size_t i = 0; i < im->n; i++) {
        const char *k = key_of(root, im->paths[i]);
        if (strlen(k) > KEY_MAX || !*k) {
            free(keep);
            return vg_err_set(err, VG_ERR_INVALID, "%s: an image path too long for the evaluation cache", k);
        }
        const vg_eval_cache_entry *e = old ? vg_eval_cache_find(old, k) : NULL;
        if (e && keep[e - old->e])
            keep[e - old->e] = 0, n--;
    }
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        free(keep);
        return vg_err_set(err, VG_ERR_INVALID, "the evaluation cache's path is too long");
    }
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        free(keep);
        return vg_err_set(err, VG_ERR_IO, "cannot write the evaluation cache %s: %s", tmp, strerror(errno));
    }
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    uint32_t dim = (uint32_t)im->dim, fl = (uint32_t)!!flip, ml = (uint32_t)strlen(model_id),
             dl = (uint32_t)strlen(detector);
    int bad = put(f, &h, magic, sizeof magic) || put(f, &h, &dim, 4) || put(f, &h, &fl, 4) || put(f, &h, &n, 8) ||
              put(f, &h, &ml, 4) || put(f, &h, model_id, ml) || put(f, &h, &dl, 4) || put(f, &h, detector, dl);
    for (size_t i = 0; !bad && old && i < old->n; i++)
        if (keep[i])
            bad = put_entry(f, &h, old->e[i].key, old->e[i].ok, old->e[i].context_pass, old->e[i].stage,
                            old->e[i].emb, im->dim);
    for (size_t i = 0; !bad && i < im->n; i++) {
        float stage[7] = {0};
        unsigned char ctx = 0;
        if (im->face && im->ok[i]) {
            const vg_face *fc = &im->face[i];
            stage[0] = fc->quality.score, stage[1] = fc->quality.eye_dist, stage[2] = fc->quality.sharpness;
            stage[3] = fc->quality.yaw, stage[4] = fc->quality.pitch, stage[5] = fc->quality.brightness;
            stage[6] = fc->check.drift;
            ctx = (unsigned char)!!fc->check.context_pass;
        }
        bad = put_entry(f, &h, key_of(root, im->paths[i]), im->ok[i] ? 1 : 0, ctx, stage,
                        im->emb + i * (size_t)im->dim, im->dim);
    }
    unsigned char sum[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&h, sum);
    bad = bad || fwrite(sum, 1, sizeof sum, f) != sizeof sum;
    bad = fclose(f) != 0 || bad;
    free(keep);
    if (bad) {
        remove(tmp);
        return vg_err_set(err, VG_ERR_IO, "cannot write the evaluation cache %s (disk full?): the old file is "
                          "unchanged", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return vg_err_set(err, VG_ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    }
    return VG_OK;
}
