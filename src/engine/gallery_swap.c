/* gallery_swap.c — the watch list the engine matches against: swapped under
 * the write lock (vg_engine_gallery_set), and its generation, by which a
 * worker knows that a match was made against a list since replaced. */
#include "engine/engine_internal.h"

void vg_engine_gallery_set(vg_engine *e, vg_watch_gallery *g)
{
    pthread_rwlock_wrlock(&e->gallery_lock);
    vg_watch_gallery *old = e->gallery_owned;
    e->gallery = g;
    e->gallery_owned = g;
    e->gallery_gen++;
    pthread_rwlock_unlock(&e->gallery_lock);
    vg_watch_gallery_free(old); /* no search holds it: they ran under the read lock */
    vg_log_line lg;
    vg_log_start(&lg, "gallery_reloaded");
    vg_log_fmt(&lg, "subjects", "%d", g ? vg_watch_gallery_subjects(g) : 0);
    vg_log_fmt(&lg, "templates", "%d", g ? vg_watch_gallery_templates(g) : 0);
    vg_log_str(&lg, "version", g ? vg_watch_gallery_version(g) : "-");
    vg_engine_log(e, &lg);
}

int64_t vg_engine_gallery_gen(struct vg_engine *e)
{
    pthread_rwlock_rdlock(&e->gallery_lock);
    int64_t g = e->gallery_gen;
    pthread_rwlock_unlock(&e->gallery_lock);
    return g;
}
