/* cmd_eval.c — `vigil eval verify --lfw DIR`: the LFW View 2 protocol.
 *
 * pairs.txt holds 10 folds of 300 same-person and 300 different-person
 * pairs. Every image is embedded once (the face nearest the centre, as LFW centres its subject; an image where no face
 * is found scores -1 in all its pairs, i.e. counts as a rejection), by a pool
 * of threads. For each fold the threshold that maximises accuracy on the
 * other nine is applied to it; the figures are the mean and (population)
 * standard deviation of the ten accuracies, the ROC AUC over all pairs, and
 * the true-accept rate at FAR = 0.1 %.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "match/metrics.h"

#define EVAL_NAME_MAX 128

typedef struct eval_pair {
    char name_a[EVAL_NAME_MAX], name_b[EVAL_NAME_MAX];
    int num_a, num_b;
    int fold, genuine;
    size_t ia, ib;  /* indices into the unique image list */
} eval_pair;

typedef struct eval_images {
    char **paths;
    size_t n;
    float *emb;         /* n x dim */
    unsigned char *ok;  /* face found */
    int dim;
} eval_images;

typedef struct eval_job {
    const vg_cli *cli;
    const vg_face_pack *pack;
    eval_images *im;
    atomic_size_t next;
    atomic_size_t done;
    atomic_int failed;  /* first hard error (not "no face") */
    vg_err err;
    pthread_mutex_t lock;
} eval_job;

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void image_path(char *buf, size_t len, const char *dir, const char *name, int num)
{
    snprintf(buf, len, "%s/images_deepfunneled/%s/%s_%04d.jpg", dir, name, name, num);
}

/* Reads pairs.txt: "FOLDS N" then per fold N genuine and N impostor lines. */
static vg_status read_pairs(const char *path, eval_pair **out, size_t *count, int *folds,
                            vg_err *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "cannot open %s", path);
    int nf = 0, per = 0;
    if (fscanf(f, "%d %d", &nf, &per) != 2 || nf < 2 || nf > VG_METRICS_MAX_FOLDS || per < 1 ||
        per > 100000) {
        fclose(f);
        return vg_err_set(err, VG_ERR_INVALID, "%s: first line must be 'FOLDS PAIRS_PER_CLASS'", path);
    }
    size_t total = (size_t)nf * (size_t)per * 2;
    eval_pair *p = calloc(total, sizeof *p);
    if (!p) {
        fclose(f);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    char line[512];
    size_t k = 0;
    int lineno = 1;
    if (!fgets(line, sizeof line, f))
        line[0] = '\0';
    while (k < total && fgets(line, sizeof line, f)) {
        lineno++;
        eval_pair *q = &p[k];
        char extra[8];
        if (sscanf(line, "%127s %d %d %7s", q->name_a, &q->num_a, &q->num_b, extra) == 3) {
            snprintf(q->name_b, sizeof q->name_b, "%s", q->name_a);
            q->genuine = 1;
        } else if (sscanf(line, "%127s %d %127s %d", q->name_a, &q->num_a, q->name_b, &q->num_b) == 4) {
            q->genuine = 0;
        } else {
            continue; /* blank line */
        }
        size_t pos = k % ((size_t)per * 2);
        q->fold = (int)(k / ((size_t)per * 2));
        if ((pos < (size_t)per) != (q->genuine == 1)) {
            fclose(f);
            free(p);
            return vg_err_set(err, VG_ERR_INVALID, "%s:%d: expected a %s pair here", path, lineno,
                              pos < (size_t)per ? "same-person" : "different-person");
        }
        k++;
    }
    fclose(f);
    if (k != total) {
        free(p);
        return vg_err_set(err, VG_ERR_INVALID, "%s: %zu pairs, expected %zu", path, k, total);
    }
    *out = p;
    *count = total;
    *folds = nf;
    return VG_OK;
}

static vg_status index_images(const char *dir, eval_pair *p, size_t n, eval_images *im, vg_err *err)
{
    char **all = calloc(2 * n, sizeof *all);
    if (!all)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    char buf[1024];
    for (size_t i = 0; i < n; i++) {
        image_path(buf, sizeof buf, dir, p[i].name_a, p[i].num_a);
        all[2 * i] = strdup(buf);
        image_path(buf, sizeof buf, dir, p[i].name_b, p[i].num_b);
        all[2 * i + 1] = strdup(buf);
        if (!all[2 * i] || !all[2 * i + 1]) {
            for (size_t j = 0; j <= 2 * i + 1; j++)
                free(all[j]);
            free(all);
            return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
        }
    }
    qsort(all, 2 * n, sizeof *all, cmp_str);
    size_t u = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        if (u && strcmp(all[u - 1], all[i]) == 0)
            free(all[i]);
        else
            all[u++] = all[i];
    }
    im->paths = all;
    im->n = u;
    for (size_t i = 0; i < n; i++) {
        image_path(buf, sizeof buf, dir, p[i].name_a, p[i].num_a);
        char *key = buf;
        char **hit = bsearch(&key, all, u, sizeof *all, cmp_str);
        p[i].ia = (size_t)(hit - all);
        image_path(buf, sizeof buf, dir, p[i].name_b, p[i].num_b);
        hit = bsearch(&key, all, u, sizeof *all, cmp_str);
        p[i].ib = (size_t)(hit - all);
    }
    return VG_OK;
}

static void *embed_worker(void *arg)
{
    eval_job *job = arg;
    eval_images *im = job->im;
    for (;;) {
        size_t i = atomic_fetch_add(&job->next, 1);
        if (i >= im->n || atomic_load(&job->failed))
            break;
        vg_err err = {{0}};
        vg_image *img = NULL;
        vg_status st = vg_cli_load_image(job->cli, im->paths[i], &img, &err);
        if (!st) {
            st = vg_face_embed_main(job->pack, img, VG_FACE_PICK_CENTRAL, im->emb + i * (size_t)im->dim, NULL, &err);
            vg_image_free(img);
        }
        if (st == VG_OK) {
            im->ok[i] = 1;
        } else if (st != VG_ERR_NOT_FOUND) {
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static vg_status embed_all(const vg_cli *cli, const vg_face_pack *pack, eval_images *im, vg_err *err)
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

static int eval_verify(const vg_cli *cli, int argc, char **argv)
{
    const char *lfw = NULL, *pairs = NULL;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--lfw") == 0 && i + 1 < argc)
            lfw = argv[++i];
        else if (strcmp(argv[i], "--pairs") == 0 && i + 1 < argc)
            pairs = argv[++i];
        else
            return vg_cli_usage("eval verify: unexpected '%s'", argv[i]);
    }
    if (!lfw)
        return vg_cli_usage("eval verify needs --lfw DIR");
    char pairs_buf[1024];
    if (!pairs) {
        snprintf(pairs_buf, sizeof pairs_buf, "%s/pairs.txt", lfw);
        pairs = pairs_buf;
    }
    vg_err err = {{0}};
    eval_pair *p = NULL;
    size_t n = 0;
    int folds = 0;
    vg_status st = read_pairs(pairs, &p, &n, &folds, &err);
    if (st)
        return vg_cli_fail(st, &err);

    eval_images im = {0};
    vg_face_pack *pack = NULL;
    vg_pair_score *scores = NULL;
    double t0 = now_s();
    st = index_images(lfw, p, n, &im, &err);
    if (!st)
        st = vg_cli_open_pack(cli, &pack, &err);
    if (!st) {
        im.dim = vg_face_pack_dim(pack);
        im.emb = calloc(im.n * (size_t)im.dim, sizeof(float));
        im.ok = calloc(im.n, 1);
        scores = calloc(n, sizeof *scores);
        if (!im.emb || !im.ok || !scores)
            st = vg_err_set(&err, VG_ERR_NOMEM, "out of memory");
    }
    if (!st)
        st = embed_all(cli, pack, &im, &err);
    int code = VG_EXIT_OK;
    if (st) {
        code = vg_cli_fail(st, &err);
    } else {
        size_t no_face = 0, pairs_without = 0;
        for (size_t i = 0; i < im.n; i++)
            no_face += !im.ok[i];
        for (size_t i = 0; i < n; i++) {
            const float *a = im.emb + p[i].ia * (size_t)im.dim, *b = im.emb + p[i].ib * (size_t)im.dim;
            double dot = 0;
            if (im.ok[p[i].ia] && im.ok[p[i].ib]) {
                for (int d = 0; d < im.dim; d++)
                    dot += (double)a[d] * b[d];
            } else {
                dot = -1;
                pairs_without++;
            }
            scores[i] = (vg_pair_score){(float)dot, p[i].genuine, p[i].fold};
        }
        vg_kfold_result kf;
        vg_metrics_kfold(scores, n, folds, &kf);
        double auc = vg_metrics_auc(scores, n);
        double far_t = 0;
        double tar = vg_metrics_tar_at_far(scores, n, 1e-3, &far_t);
        double secs = now_s() - t0;
        if (cli->json) {
            json_t *acc = json_array(), *th = json_array();
            for (int f = 0; f < folds; f++) {
                json_array_append_new(acc, json_real(kf.accuracy[f]));
                json_array_append_new(th, json_real(kf.threshold[f]));
            }
            vg_cli_print_json(json_pack(
                "{s:s,s:s,s:i,s:i,s:i,s:i,s:f,s:f,s:f,s:f,s:f,s:f,s:o,s:o,s:s,s:s,s:f}", "protocol",
                "lfw-view2", "pairs_file", pairs, "pairs", (int)n, "images", (int)im.n,
                "images_without_face", (int)no_face, "pairs_without_face", (int)pairs_without,
                "accuracy_mean", kf.mean, "accuracy_std", kf.std, "auc", auc, "tar_at_far_1e-3", tar,
                "threshold_at_far_1e-3", far_t, "threshold_median", kf.threshold_median,
                "fold_accuracy", acc, "fold_threshold", th, "detector", vg_face_pack_detector(pack),
                "model", vg_face_pack_model_id(pack), "seconds", secs));
        } else {
            printf("LFW View 2 (%s): %zu pairs, %d folds, %zu images (%zu without a face, %zu pairs "
                   "scored as rejections)\n",
                   pairs, n, folds, im.n, no_face, pairs_without);
            printf("accuracy   %.2f %% +/- %.2f %% (mean +/- std over folds, threshold from the "
                   "other folds)\n", 100 * kf.mean, 100 * kf.std);
            printf("AUC        %.4f\n", auc);
            printf("TAR        %.2f %% at FAR 0.1 %% (threshold %.3f)\n", 100 * tar, far_t);
            printf("threshold  %.3f (median of the folds' thresholds)\n", kf.threshold_median);
            printf("time       %.1f s\n", secs);
        }
    }
    for (size_t i = 0; i < im.n; i++)
        free(im.paths[i]);
    free(im.paths);
    free(im.emb);
    free(im.ok);
    free(scores);
    free(p);
    vg_face_pack_close(pack);
    return code;
}

int vg_cmd_eval(const vg_cli *cli, int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
        printf("usage: vigil eval verify --lfw DIR [--pairs FILE]\n\n"
               "  verify   LFW View 2: 10-fold accuracy, AUC, TAR at FAR 0.1 %%\n");
        return argc < 2 ? VG_EXIT_USAGE : VG_EXIT_OK;
    }
    if (strcmp(argv[1], "verify") == 0)
        return eval_verify(cli, argc, argv);
    return vg_cli_usage("unknown eval command '%s'", argv[1]);
}
