/* test_server_metrics.c — GET /metrics and GET /api/v1/cameras with a real
 * engine: the engine replays asl/yes.mkv (person_A enrolled from a frame of
 * asl/again.mkv) into the server's database; the exposition parses as
 * Prometheus text (every sample line well formed, declared by a TYPE line
 * before it) and its per-camera counters equal the engine's own; the
 * engine's alert reaches an SSE client at once (the engine's subscription
 * wakes the feed); the cameras endpoint reports the camera; roles are
 * enforced. Skips without the ASL clips or the model pack. */
#include "server/sse_client.h"
#include "engine/engine_fixtures.h"

#include <regex.h>

#include "vigil/engine.h"
#include "vigil/watchlist.h"

/* Every line is a HELP or TYPE comment or a sample of a declared metric;
 * returns the number of samples. */
static int check_exposition(const char *text)
{
    regex_t sample, help, type;
    assert_int_equal(regcomp(&sample,
                             "^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\""
                             "(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\")*\\})? "
                             "(-?[0-9.eE+-]+|NaN|\\+Inf|-Inf)$",
                             REG_EXTENDED),
                     0);
    assert_int_equal(regcomp(&help, "^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .+$", REG_EXTENDED), 0);
    assert_int_equal(regcomp(&type, "^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped)$",
                             REG_EXTENDED),
                     0);
    char declared[64][80];
    int n_declared = 0, samples = 0;
    char *copy = strdup(text);
    assert_true(strlen(copy) > 0 && copy[strlen(copy) - 1] == '\n');
    char *save = NULL;
    for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        regmatch_t m[2];
        if (!regexec(&type, line, 2, m, 0)) {
            assert_true(n_declared < 64);
            snprintf(declared[n_declared++], 80, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), line + m[1].rm_so);
            continue;
        }
        if (!regexec(&help, line, 0, NULL, 0))
            continue;
        if (regexec(&sample, line, 2, m, 0))
            fail_msg("not Prometheus text: \"%s\"", line);
        int ok = 0, len = (int)(m[1].rm_eo - m[1].rm_so);
        for (int i = 0; i < n_declared && !ok; i++) {
            int dl = (int)strlen(declared[i]);
            const char *rest = line + m[1].rm_so + dl;
            /* a histogram's samples: NAME_bucket, NAME_sum, NAME_count */
            ok = dl <= len && !strncmp(declared[i], line + m[1].rm_so, (size_t)dl) &&
                 (len == dl || (len - dl == 7 && !strncmp(rest, "_bucket", 7)) ||
                  (len - dl == 4 && !strncmp(rest, "_sum", 4)) || (len - dl == 6 && !strncmp(rest, "_count", 6)));
        }
        if (!ok)
            fail_msg("sample before its TYPE line: \"%s\"", line);
        samples++;
    }
    free(copy);
    regfree(&sample);
    regfree(&help);
    regfree(&type);
    return samples;
}

static double sample(const char *text, const char *name_and_labels)
{
    char key[256];
    snprintf(key, sizeof key, "\n%s ", name_and_labels);
    const char *p = strstr(text, key);
    if (!p)
        fail_msg("no sample %s", name_and_labels);
    return strtod(p + strlen(key), NULL);
}

static void metrics_match_the_engine(void **state)
{
    (void)state;
    char again[1024], yes[1024];
    if (!vg_test_data(again, sizeof again, "video/asl/again.mkv") ||
        !vg_test_data(yes, sizeof yes, "video/asl/yes.mkv")) {
        skip();
        return;
    }
    vg_face_pack *pack = NULL;
    vg_face_config fc = {.min_face = 20};
    vg_err err = {{0}};
    if (vg_face_pack_open(&fc, &pack, &err) != VG_OK) {
        fprintf(stderr, "no model pack: %s\n", err.msg);
        skip();
        return;
    }
    srv_fx x;
    vg_server_config scfg = {0};
    /* the engine is started first: the server needs it (borrowed) */
    fx_init(&x.f, 0);
    vg_store *w = fx_open_at(x.f.db, NULL, 0);
    int64_t wl = fx_watchlist(w, "asl", 0, 0);
    int64_t sid;
    vg_watch_gallery *gallery = NULL;
    assert_int_equal(enrol_person_a(pack, w, wl, x.f.dir, &sid, &err), VG_OK);
    assert_int_equal(vg_watch_gallery_load(w, "test", "test", wl, vg_face_pack_model_id(pack), 0, &gallery, &err),
                     VG_OK);
    int64_t dep = fx_deployment(w, "bench", wl, 1);
    static const char *const users[][2] = {{"olivia", "operator"}, {"adam", "admin"}, {"aud", "auditor"}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(vg_store_user_add(w, "test", users[i][0], users[i][1], PASSWORD, &err), VG_OK);

    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.n_cameras = 1;
    snprintf(cfg.cameras[0].name, sizeof cfg.cameras[0].name, "door \"A\"");
    snprintf(cfg.cameras[0].url, sizeof cfg.cameras[0].url, "%s", yes);
    cfg.mode = VG_SOURCE_ALL; /* every frame, paced at the clip's rate */
    cfg.realtime = 1;
    cfg.match_enabled = 1;
    cfg.deployment_id = dep;
    cfg.workers = 2;
    vg_engine *e = NULL;
    /* the engine writes alerts through w; the server reads through x.f.s */
    scfg.listen = "127.0.0.1:0";
    vg_store *engine_store = w;
    assert_int_equal(vg_engine_start(&cfg, pack, gallery, engine_store, "test", &e, &err), VG_OK);
    scfg.engine = e;
    assert_int_equal(vg_server_start(&scfg, x.f.s, &x.srv, &err), VG_OK);
    x.port = vg_server_port(x.srv);
    session op = login(&x, "olivia"), aud = login(&x, "aud"), adm = login(&x, "adam");
    sse_client k;
    sse_open(&k, x.port, &op, "/api/v1/alerts/stream?after=0", NULL);
    assert_true(sse_wait(&k, "alert", 1, 60000));
    json_t *a = k.ev[0].data;
    assert_string_equal(json_string_value(json_object_get(a, "subject_name")), "person_A");
    assert_string_equal(json_string_value(json_object_get(a, "camera")), "door \"A\"");

    resp r = http_get(&x, "/api/v1/cameras", &op);
    assert_int_equal(r.status, 200);
    json_t *j = resp_json(&r);
    json_t *c0 = json_array_get(json_object_get(j, "cameras"), 0);
    assert_int_equal(json_integer_value(json_object_get(c0, "id")), 1);
    assert_string_equal(json_string_value(json_object_get(c0, "name")), "door \"A\"");
    const char *state0 = json_string_value(json_object_get(c0, "state"));
    assert_true(!strcmp(state0, "running") || !strcmp(state0, "ended"));
    assert_true(json_is_number(json_object_get(c0, "fps")));
    json_decref(j);
    resp_free(&r);

    assert_true(vg_engine_wait(e, 120));
    r = http_get(&x, "/metrics", &aud);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "text/plain; version=0.0.4"));
    int n = check_exposition(r.body);
    fprintf(stderr, "%d samples\n", n);
    vg_engine_camera_stats st;
    vg_engine_camera_stats_get(e, 0, &st);
    const char *lab = "{camera=\"door \\\"A\\\"\"}";
    char name[200];
#define SAME(metric, value)                                                              \
    snprintf(name, sizeof name, "%s%s", metric, lab);                                    \
    if (sample(r.body, name) != (double)(value))                                         \
        fail_msg("%s: %g, the engine says %g", name, sample(r.body, name), (double)(value));
    SAME("vigil_camera_frames_decoded_total", st.source.frames_decoded);
    SAME("vigil_camera_frames_processed_total", st.frames_processed);
    SAME("vigil_camera_frames_dropped_total", st.source.frames_dropped);
    SAME("vigil_camera_faces_total", st.faces);
    SAME("vigil_camera_tracks_total", st.tracks_started);
    SAME("vigil_camera_embeddings_total", st.embeddings);
    SAME("vigil_camera_comparisons_total", st.comparisons);
    SAME("vigil_camera_alerts_total", st.alerts);
    SAME("vigil_camera_detect_seconds_total", st.detect_ms_total / 1000.0);
    SAME("vigil_camera_embed_seconds_total", st.embed_ms_total / 1000.0);
    SAME("vigil_camera_up", 0); /* the clip ended */
#undef SAME
    assert_true(st.frames_processed > 30 && st.faces > 0 && st.alerts >= 1);
    assert_true(sample(r.body, "vigil_engine_alerts_dropped_total") == (double)vg_engine_alerts_dropped(e));
    /* the latency histogram: every alert counted, the +Inf bucket holds them all */
    assert_true(sample(r.body, "vigil_alert_latency_seconds_count") == (double)st.alerts);
    assert_true(sample(r.body, "vigil_alert_latency_seconds_bucket{le=\"+Inf\"}") == (double)st.alerts);
    assert_true(sample(r.body, "vigil_alert_latency_seconds_bucket{le=\"10\"}") <= (double)st.alerts);
    assert_true(sample(r.body, "vigil_alert_latency_seconds_sum") > 0);
    assert_true(sample(r.body, "vigil_sse_clients") == 1);
    assert_true(sample(r.body, "vigil_feed_alerts_total") == (double)st.alerts);
    assert_true(sample(r.body, "vigil_http_requests_total") >= 5);
    resp_free(&r);
    r = http_get(&x, "/metrics", &adm);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = http_get(&x, "/metrics", &op);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    r = http_get(&x, "/metrics", NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);

    sse_close(&k);
    vg_engine_stop(e); /* before the server: it is subscribed */
    vg_server_stop(x.srv);
    vg_engine_free(e);
    vg_watch_gallery_free(gallery);
    vg_face_pack_close(pack);
    vg_store_close(w);
    fx_done(&x.f);
}

static void no_engine(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session op = login(&x, "olivia"), aud = login(&x, "aud");
    resp r = http_get(&x, "/api/v1/cameras", &op);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"cameras\":[]}");
    resp_free(&r);
    r = http_get(&x, "/metrics", &aud);
    assert_int_equal(r.status, 200);
    assert_true(check_exposition(r.body) >= 5);
    assert_null(strstr(r.body, "vigil_camera_"));
    resp_free(&r);
    /* a scraper's API token (role auditor), and an operator's refused */
    vg_store *w = srv_writer(&x);
    char tok[2][VG_STORE_TOKEN_LEN + 1];
    int64_t tid;
    vg_err err = {{0}};
    assert_int_equal(vg_store_token_create(w, ACTOR, "scraper", "auditor", tok[0], &tid, &err), VG_OK);
    assert_int_equal(vg_store_token_create(w, ACTOR, "console-bot", "operator", tok[1], &tid, &err), VG_OK);
    vg_store_close(w);
    for (int i = 0; i < 2; i++) {
        CURL *c = curl_easy_init();
        char url[128], auth[200];
        snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", x.port);
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", tok[i]);
        struct curl_slist *h = curl_slist_append(NULL, auth);
        resp rr = {0};
        rr.body = calloc(1, 1);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &rr);
        assert_int_equal(curl_easy_perform(c), CURLE_OK);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rr.status);
        assert_int_equal(rr.status, i == 0 ? 200 : 403);
        if (i == 0)
            assert_true(check_exposition(rr.body) >= 5);
        free(rr.body);
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
    }
    srv_stop(&x);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(no_engine),
        cmocka_unit_test(metrics_match_the_engine),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
