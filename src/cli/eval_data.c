/* eval_data.c — what the `vigil eval` commands share: a list of images
 * embedded once each (the face nearest the centre; with its mirror too when
 * asked) by a pool of threads, and
 * folder-per-person data sets (DIR/PERSON/IMAGE, as LFW's
 * images_deepfunneled) read into people and images. */
#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli/eval.h"
#include "match/bootstrap.h"

typedef struct eval_job {
    const vg_cli *cli;
    const vg_face_pack *pack;
    vg_eval_images *im;
    atomic_size_t next;
    atomic_size_t done;
    atomic_int failed;  /* first hard error (not "no face") */
    vg_err err;
    pthread_mutex_t lock;
} eval_job;

/* As vg_face_embed_main (the face nearest the centre), with flip
 * augmentation. */
static vg_status embed_main_flip(const vg_face_pack *pack, const vg_image *img, float *out, vg_err *err)
{
    vg_face *faces = NULL;
    int n = 0;
    vg_status st = vg_face_detect(pack, img, &faces, &n, err);
    if (st)
        return st;
    int best = vg_face_pick_main(faces, n, img->width, img->height, VG_FACE_PICK_CENTRAL);
    if (best < 0)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no face found");
    else
        st = vg_face_embed_face_flip(pack, img, &faces[best], out, err);
    free(faces);
    return st;
}

static void *embed_worker(void *arg)
{
    eval_job *job = arg;
    vg_eval_images *im = job->im;
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= im->n || atomic_load(&job->failed))
            break;
        if (im->skip && im->skip[i]) {
            atomic_fetch_add(&job->done, 1);
            continue;
        }
        vg_err err = {{0}};
        vg_image *img = NULL;
        vg_status st = vg_cli_load_image(job->cli, im->paths[i], &img, &err);
        int no_face = 0;
        if (!st) {
            float *out = im->emb + i * (size_t)im->dim;
            if (im->flip)
                st = embed_main_flip(job->pack, img, out, &err);
            else
                st = vg_face_embed_main(job->pack, img, VG_FACE_PICK_CENTRAL, out, NULL, &err);
            vg_image_free(img);
            no_face = st == VG_ERR_NOT_FOUND;
        }
        if (st == VG_OK) {
            im->ok[i] = 1;
        } else if (!no_face) { /* unreadable image or a library failure */
            pthread_mutex_lock(&job->lock);
            if (!atomic_load(&job->failed)) {
                job->err = err;
                atomic_store(&job->failed, (int)st);
            }
            pthread_mutex_unlock(&job->lock);
            break;
        }
        atomic_fetch_add(&job->done, 1);
    }
    return NULL;
}

double vg_eval_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Allocates the embeddings and face flags for im->n images of dim floats. */
vg_status vg_eval_images_alloc(vg_eval_images *im, int dim, vg_err *err)
{
    im->dim = dim;
    im->emb = calloc(im->n * (size_t)dim, sizeof(float));
    im->ok = calloc(im->n ? im->n : 1, 1);
    if (!im->emb || !im->ok)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory for %zu embeddings", im->n);
    return VG_OK;
}

void vg_eval_images_free(vg_eval_images *im)
{
    for (size_t i = 0; im->paths && i < im->n; i++)
        free(im->paths[i]);
    free(im->paths);
    free(im->emb);
    free(im->ok);
    free(im->skip);
    memset(im, 0, sizeof *im);
}

size_t vg_eval_images_without_face(const vg_eval_images *im)
{
    size_t c = 0;
    for (size_t i = 0; i < im->n; i++)
        c += !im->ok[i] && !(im->skip && im->skip[i]);
    return c;
}

vg_status vg_eval_embed_all(const vg_cli *cli, const vg_face_pack *pack, vg_eval_images *im, vg_err *err)
{
    int nt = vg_cli_threads(cli);
    if (nt > 64)
        nt = 64;
    eval_job job = {.cli = cli, .pack = pack, .im = im};
    atomic_init(&job.next, 0);
    atomic_init(&job.done, 0);
    atomic_init(&job.failed, 0);
    pthread_mutex_init(&job.lock, NULL);
    pthread_t th[64];
    int started = 0;
    for (int t = 0; t < nt; t++)
        if (pthread_create(&th[t], NULL, embed_worker, &job) == 0)
            started++;
    if (!started)
        embed_worker(&job);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    pthread_mutex_destroy(&job.lock);
    int failed = atomic_load(&job.failed);
    if (failed) {
        *err = job.err;
        return (vg_status)failed;
    }
    return VG_OK;
}

/* ---- folder-per-person data sets ---- */

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_image_name(const char *n)
{
    const char *dot = strrchr(n, '.');
    static const char *const ext[] = {".jpg", ".jpeg", ".png", ".bmp", ".webp", ".JPG", ".JPEG", ".PNG", NULL};
    if (!dot || n[0] == '.')
        return 0;
    for (int i = 0; ext[i]; i++)
        if (strcmp(dot, ext[i]) == 0)
            return 1;
    return 0;
}

/* Sorted names in dir that pass keep(full path, name); *out malloc'd. */
static vg_status list_dir(const char *dir, int want_dirs, char ***out, size_t *n, vg_err *err)
{
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "cannot open the data set folder %s", dir);
    size_t cap = 0;
    struct dirent *e;
    char path[4096];
    vg_status st = VG_OK;
    while (!st && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat sb;
        if (stat(path, &sb) != 0)
            continue;
        if (want_dirs ? !S_ISDIR(sb.st_mode) : !(S_ISREG(sb.st_mode) && is_image_name(e->d_name)))
            continue;
        if (*n == cap) {
            size_t nc = cap ? cap * 2 : 64;
            char **g = realloc(*out, nc * sizeof *g);
            if (!g) {
                st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
                break;
            }
            *out = g;
            cap = nc;
        }
        if (!((*out)[*n] = strdup(e->d_name)))
            st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        else
            (*n)++;
    }
    closedir(d);
    if (*n)
        qsort(*out, *n, sizeof **out, cmp_cstr);
    return st;
}

static void free_names(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

vg_status vg_eval_people_load(const char *dir, vg_eval_people *pp, vg_eval_images *im, vg_err *err)
{
    memset(pp, 0, sizeof *pp);
    memset(im, 0, sizeof *im);
    char **people = NULL;
    size_t np = 0;
    vg_status st = list_dir(dir, 1, &people, &np, err);
    if (st) {
        free_names(people, np);
        return st;
    }
    pp->name = calloc(np ? np : 1, sizeof *pp->name);
    pp->first = calloc(np ? np : 1, sizeof *pp->first);
    pp->count = calloc(np ? np : 1, sizeof *pp->count);
    if (!pp->name || !pp->first || !pp->count)
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    size_t cap = 0;
    char path[4096];
    for (size_t p = 0; !st && p < np; p++) {
        snprintf(path, sizeof path, "%s/%s", dir, people[p]);
        char **files = NULL;
        size_t nf = 0;
        st = list_dir(path, 0, &files, &nf, err);
        if (!st && nf) {
            if (im->n + nf > cap) {
                size_t nc = (im->n + nf) * 2;
                char **g = realloc(im->paths, nc * sizeof *g);
                if (!g)
                    st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
                else
                    im->paths = g, cap = nc;
            }
            size_t q = pp->n;
            if (!st) {
                pp->name[q] = people[p];
                people[p] = NULL;
                pp->first[q] = im->n;
                pp->count[q] = (int)nf;
                pp->n++;
            }
            for (size_t f = 0; !st && f < nf; f++) {
                char full[8192];
                snprintf(full, sizeof full, "%s/%s", path, files[f]);
                if (!(im->paths[im->n] = strdup(full)))
                    st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
                else
                    im->n++;
            }
        }
        free_names(files, nf);
    }
    free_names(people, np);
    if (!st && !im->n)
        st = vg_err_set(err, VG_ERR_INVALID, "%s holds no PERSON/IMAGE files", dir);
    if (!st && !(pp->person_of = malloc(im->n * sizeof *pp->person_of)))
        st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    for (size_t p = 0; !st && p < pp->n; p++)
        for (int k = 0; k < pp->count[p]; k++)
            pp->person_of[pp->first[p] + (size_t)k] = (int)p;
    return st;
}

void vg_eval_people_free(vg_eval_people *pp)
{
    for (size_t p = 0; pp->name && p < pp->n; p++)
        free(pp->name[p]);
    free(pp->name);
    free(pp->first);
    free(pp->count);
    free(pp->person_of);
    memset(pp, 0, sizeof *pp);
}

int vg_eval_people_find(const vg_eval_people *pp, const char *name)
{
    size_t lo = 0, hi = pp->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(pp->name[mid], name);
        if (!c)
            return (int)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int vg_eval_dataset_opt(int argc, char **argv, int *i, const char **dir, char *buf, size_t len)
{
    const char *v = NULL;
    int r = vg_cli_opt(argc, argv, i, "--dataset", &v);
    if (r > 0) {
        *dir = v;
        return 1;
    }
    if (r < 0)
        return r;
    r = vg_cli_opt(argc, argv, i, "--lfw", &v);
    if (r > 0) {
        snprintf(buf, len, "%s/images_deepfunneled", v);
        *dir = buf;
    }
    return r;
}

void vg_eval_shuffle(int *idx, size_t n, uint64_t *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(vg_boot_next(rng) % i);
        int t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

/* ---- known label errors ---- */

vg_status vg_eval_labels_load(const char *path, vg_eval_labels *l, int *found, vg_err *err)
{
    memset(l, 0, sizeof *l);
    FILE *f = fopen(path, "r");
    *found = f != NULL;
    if (!f)
        return VG_OK;
    char line[1024], kind[32], a[256], b[128];
    int lineno = 0;
    vg_status st = VG_OK;
    while (!st && fgets(line, sizeof line, f)) {
        lineno++;
        char *h = strchr(line, '#');
        if (h)
            *h = '\0';
        int got = sscanf(line, "%31s %255s %127s", kind, a, b);
        if (got <= 0)
            continue;
        int alias = got == 3 && strcmp(kind, "alias") == 0, mis = got == 3 && strcmp(kind, "misfiled") == 0;
        if ((!alias && !mis) || l->n == VG_EVAL_LABELS_MAX) {
            st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: expected 'alias A B' or 'misfiled IMAGE PERSON' (at most %d)",
                            path, lineno, VG_EVAL_LABELS_MAX);
            break;
        }
        vg_eval_label *e = &l->e[l->n++];
        e->misfiled = mis;
        snprintf(e->a, sizeof e->a, "%s", a);
        snprintf(e->b, sizeof e->b, "%s", b);
    }
    fclose(f);
    return st;
}

const char *vg_eval_labels_canon(const vg_eval_labels *l, const char *name)
{
    /* an alias maps its second name to its first; chains are followed */
    for (int hop = 0; hop < 8; hop++) {
        const char *next = NULL;
        for (int i = 0; i < l->n && !next; i++)
            if (!l->e[i].misfiled && strcmp(l->e[i].b, name) == 0)
                next = l->e[i].a;
        if (!next)
            break;
        name = next;
    }
    return name;
}

const char *vg_eval_labels_truth(const vg_eval_labels *l, const char *image_path, const char *person)
{
    size_t n = strlen(image_path);
    for (int i = 0; i < l->n; i++) {
        if (!l->e[i].misfiled)
            continue;
        size_t m = strlen(l->e[i].a);
        if (n > m && image_path[n - m - 1] == '/' && strcmp(image_path + n - m, l->e[i].a) == 0)
            return vg_eval_labels_canon(l, l->e[i].b);
    }
    return vg_eval_labels_canon(l, person);
}
