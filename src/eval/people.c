/* people.c — folder-per-person data sets (DIR/PERSON/IMAGE, as LFW's
 * images_deepfunneled) read into people and images, and the seeded shuffle
 * by which the protocols pick people. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eval/eval.h"
#include "match/bootstrap.h"

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
        return vg_err_set(err, VG_ERR_IO, "cannot open the data set folder %s", dir);
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

void vg_eval_shuffle(int *idx, size_t n, uint64_t *rng)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(vg_boot_next(rng) % i);
        int t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

void vg_eval_lfw_image_path(char *buf, size_t len, const char *lfw, const char *name, int num)
{
    snprintf(buf, len, "%s/images_deepfunneled/%s/%s_%04d.jpg", lfw, name, name, num);
}

int vg_eval_cmp_named(const void *a, const void *b)
{
    const vg_eval_named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}
