/* bench_enrol.c — enrolment throughput on one core: photos decoded, gated,
 * embedded, re-encoded and stored (one subject each, its own transaction,
 * synchronous SQLite) per second, with the store's share of the time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench.h"
#include "bench/bench_util.h"
#include "vigil/watchlist.h"

#define ENROL_N 60

void vg_bench_enrol(FILE *out, const char *data_dir, const char *models_dir)
{
    char tmp[] = "/tmp/vg_bench_enrol_XXXXXX", db[128], names[1024];
    if (!mkdtemp(tmp)) {
        fprintf(out, "{\"error\":\"mkdtemp\"}");
        return;
    }
    snprintf(db, sizeof db, "%s/bench.db", tmp);
    snprintf(names, sizeof names, "%s/lfw/lfw-names.txt", data_dir);
    FILE *nf = fopen(names, "r");
    vg_face_config fc = {.models_dir = models_dir, .threads = 1, .min_face = 20};
    vg_store_options so = {.path = db};
    vg_face_pack *pack = NULL;
    vg_store *store = NULL;
    vg_err err = {{0}};
    if (!nf || vg_face_pack_open(&fc, &pack, &err) || vg_store_open(&so, &store, &err)) {
        fprintf(out, "{\"error\":\"%s\"}", nf ? err.msg : "LFW absent");
        goto done;
    }
    vg_watchlist w;
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "bench");
    snprintf(w.reason, sizeof w.reason, "bench");
    snprintf(w.authorised_by, sizeof w.authorised_by, "bench");
    int64_t wid;
    if (vg_store_watchlist_create(store, "bench", &w, &wid, &err)) {
        fprintf(out, "{\"error\":\"%s\"}", err.msg);
        goto done;
    }
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    opt.allow_duplicate = 1; /* the duplicate search is timed by the gallery bench */
    int enrolled = 0, refused = 0;
    double total = 0;
    char name[96];
    int count;
    while (enrolled < ENROL_N && fscanf(nf, "%95s %d", name, &count) == 2) {
        char path[1200];
        snprintf(path, sizeof path, "%s/lfw/images_deepfunneled/%s/%s_0001.jpg", data_dir, name, name);
        const char *photos[1] = {path};
        vg_subject s;
        memset(&s, 0, sizeof s);
        s.watchlist_id = wid;
        snprintf(s.name, sizeof s.name, "%s", name);
        snprintf(s.reason, sizeof s.reason, "bench");
        snprintf(s.authorised_by, sizeof s.authorised_by, "bench");
        int64_t id;
        double t0 = vg_bench_now_ms();
        vg_status st = vg_enrol(pack, store, "bench", &s, photos, 1, &opt, &id, &err);
        double dt = vg_bench_now_ms() - t0;
        if (st) {
            refused++;
            continue;
        }
        total += dt;
        enrolled++;
    }
    fprintf(out, "{\"threads\":1,\"photos\":%d,\"refused_by_gate\":%d,\"ms_per_photo\":%.2f,"
                 "\"photos_per_second\":%.1f,\"target_per_second\":40}",
            enrolled, refused, total / (enrolled ? enrolled : 1), enrolled ? 1000.0 * enrolled / total : 0);
done:
    if (nf)
        fclose(nf);
    vg_store_close(store);
    vg_face_pack_close(pack);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    if (system(cmd) != 0)
        fprintf(stderr, "bench: could not remove %s\n", tmp);
}
