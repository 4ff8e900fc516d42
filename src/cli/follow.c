/* follow.c — `vigil run` following the changes other nodes commit to a
 * shared store (vg_store_changes_*): a change to the deployment's watch
 * list reloads just that list's gallery into the running engine (an audited
 * read, on a store connection of its own), and a new alert is handed to
 * the on_alert hook (the server's alert feed) at once. `vigil serve` follows
 * the alerts alone (no engine). On a SQLite store there is nothing to
 * follow: start says so and the command goes on without it. */
#include "cli/follow.h"
#include "cli/run_shared.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

struct vg_cli_follow {
    const vg_cli *cli;
    vg_engine *engine;
    int64_t watchlist_id;
    char purpose[VG_STORE_NAME_MAX + 64];
    vg_store *store; /* the listener thread's, for reloads; NULL until needed */
    vg_store_changes *changes;
    void (*on_alert)(void *ctx, int64_t id);
    void *alert_ctx;
};

static double wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static void reload(vg_cli_follow *f, const char *why)
{
    double t0 = wall_ms();
    vg_err err = {{0}};
    vg_status st = VG_OK;
    if (!f->store)
        st = vg_cli_open_store(f->cli, &f->store, &err);
    vg_watch_gallery *g = NULL;
    if (st == VG_OK)
        st = vg_watch_gallery_load(f->store, vg_cli_actor(f->cli), f->purpose, f->watchlist_id,
                                   vg_face_pack_model_id(vg_engine_pack(f->engine)), 0, &g, &err);
    vg_log_line l;
    if (st != VG_OK) {
        vg_store_close(f->store); /* a new connection next time */
        f->store = NULL;
        vg_log_start(&l, "gallery_reload_failed");
        vg_log_str(&l, "why", why);
        vg_log_str(&l, "reason", err.msg);
    } else {
        vg_log_start(&l, "gallery_reloaded");
        vg_log_str(&l, "why", why);
        vg_log_fmt(&l, "watchlist", "%lld", (long long)f->watchlist_id);
        vg_log_fmt(&l, "subjects", "%d", vg_watch_gallery_subjects(g));
        vg_log_fmt(&l, "templates", "%d", vg_watch_gallery_templates(g));
        vg_log_fmt(&l, "ms", "%.1f", wall_ms() - t0);
        vg_engine_gallery_set(f->engine, g);
    }
    vg_cli_log_line(NULL, l.buf);
}

static void on_change(void *ctx, const vg_store_change *c)
{
    vg_cli_follow *f = ctx;
    switch (c->kind) {
    case VG_STORE_CHANGE_WATCHLIST:
        if (f->engine && (c->id == f->watchlist_id || c->id == 0))
            reload(f, "watchlist_changed");
        break;
    case VG_STORE_CHANGE_RESYNC:
        if (f->engine)
            reload(f, "reconnected");
        if (f->on_alert)
            f->on_alert(f->alert_ctx, 0);
        break;
    case VG_STORE_CHANGE_ALERT:
        if (f->on_alert) {
            f->on_alert(f->alert_ctx, c->id);
        } else { /* no feed to wake: say that it was heard */
            char line[96];
            snprintf(line, sizeof line, "event=alert_committed id=%lld", (long long)c->id);
            vg_cli_log_line(NULL, line);
        }
        break;
    }
}

vg_status vg_cli_follow_start(const vg_cli *cli, const vg_store *store, vg_engine *engine,
                              int64_t watchlist_id, const char *deployment,
                              void (*on_alert)(void *ctx, int64_t id), void *alert_ctx,
                              vg_cli_follow **out, vg_err *err)
{
    *out = NULL;
    vg_cli_follow *f = calloc(1, sizeof *f);
    if (!f)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory following changes");
    f->cli = cli;
    f->engine = engine;
    f->watchlist_id = watchlist_id;
    f->on_alert = on_alert;
    f->alert_ctx = alert_ctx;
    snprintf(f->purpose, sizeof f->purpose,
             "deployment %s: reload after a watch-list change on another node", deployment ? deployment : "-");
    vg_status st = vg_store_changes_start(store, on_change, f, &f->changes, err);
    if (st != VG_OK) {
        free(f);
        return st;
    }
    *out = f;
    return VG_OK;
}

void vg_cli_follow_stop(vg_cli_follow *f)
{
    if (!f)
        return;
    vg_store_changes_stop(f->changes);
    vg_store_close(f->store);
    free(f);
}
