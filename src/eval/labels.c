/* labels.c — LFW's known label errors (known-label-errors.txt): the one
 * reader of the file, and the one alias rule every protocol applies (see
 * eval.h): aliases join names into one identity, transitively, known by
 * the first name of the first alias entry naming one of its members. */
#include <stdio.h>
#include <string.h>

#include "eval/eval.h"

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
        e->line = lineno;
        snprintf(e->a, sizeof e->a, "%s", a);
        snprintf(e->b, sizeof e->b, "%s", b);
    }
    fclose(f);
    return st;
}

/* Whether entry i's names are marked as members of the identity in in[]. */
static int touches(const unsigned char *in, int i)
{
    return in[2 * i] || in[2 * i + 1];
}

const char *vg_eval_labels_canon(const vg_eval_labels *l, const char *name)
{
    /* in[2i], in[2i+1]: entry i's first and second names belong to the
     * identity of name; grown until no alias adds a member */
    unsigned char in[2 * VG_EVAL_LABELS_MAX] = {0};
    int any = 0;
    for (int i = 0; i < l->n; i++)
        if (!l->e[i].misfiled && (!strcmp(l->e[i].a, name) || !strcmp(l->e[i].b, name)))
            in[2 * i] = in[2 * i + 1] = 1, any = 1;
    for (int grew = any; grew;) {
        grew = 0;
        for (int i = 0; i < l->n; i++) {
            if (l->e[i].misfiled || !touches(in, i))
                continue;
            for (int j = 0; j < l->n; j++) {
                if (l->e[j].misfiled || touches(in, j))
                    continue;
                const vg_eval_label *x = &l->e[i], *y = &l->e[j];
                if (!strcmp(x->a, y->a) || !strcmp(x->a, y->b) || !strcmp(x->b, y->a) || !strcmp(x->b, y->b))
                    in[2 * j] = in[2 * j + 1] = 1, grew = 1;
            }
        }
    }
    for (int i = 0; i < l->n; i++)
        if (!l->e[i].misfiled && touches(in, i))
            return l->e[i].a;
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
