/* images.c — a list of images embedded once each (the face nearest the
 * centre; with its mirror too when asked) by a pool of threads, for the
 * `vigil eval` protocols. An image without a face is counted, not an error;
 * an unreadable one stops the run. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/eval.h"
#include "vigil/image.h"

typedef struct eval_job {
    const vg_face_pack *pack;
    long long max_pixels;
    vg_eval_images *im;
    atomic_size_t next;
    atomic_size_t done;
    atomic_int failed;  /* first hard error (not "no face") */
    vg_err err;
    pthread_mutex_t lock;
} eval_job;

/* As vg_face_embed_main (the face nearest the centre), with flip
 * augmentation, alignment jitter or both. */
static vg_status embed_main_tta(const vg_face_pack *pack, const vg_image *img, int flip, int jitter, float *out,
                                vg_face *face, vg_err *err)
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
        st = jitter > 1 ? vg_face_embed_face_jitter(pack, img, &faces[best], jitter, flip, out, err)
                        : vg_face_embed_face_flip(pack, img, &faces[best], out, err);
    if (best >= 0 && face)
        *face = faces[best];
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
        vg_status st = vg_image_decode_file(im->paths[i], job->max_pixels, &img, &err);
        if (st && strncmp(err.msg, im->paths[i], strlen(im->paths[i])) != 0)
            vg_err_prefix(&err, st, "%s", im->paths[i]);
        int no_face = 0;
        if (!st) {
            float *out = im->emb + i * (size_t)im->dim;
            vg_face *face = im->face ? &im->face[i] : NULL;
            if (im->flip || im->jitter > 1)
                st = embed_main_tta(job->pack, img, im->flip, im->jitter, out, face, &err);
            else
                st = vg_face_embed_main(job->pack, img, VG_FACE_PICK_CENTRAL, out, face, &err);
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
    free(im->face);
    memset(im, 0, sizeof *im);
}

size_t vg_eval_images_without_face(const vg_eval_images *im)
{
    size_t c = 0;
    for (size_t i = 0; i < im->n; i++)
        c += !im->ok[i] && !(im->skip && im->skip[i]);
    return c;
}

vg_status vg_eval_embed_all(const vg_face_pack *pack, vg_eval_images *im, int threads, long long max_pixels,
                            vg_err *err)
{
    int nt = threads < 1 ? 1 : threads > 64 ? 64 : threads;
    eval_job job = {.pack = pack, .max_pixels = max_pixels, .im = im};
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
