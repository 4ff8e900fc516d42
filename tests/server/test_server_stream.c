/* test_server_stream.c — GET /api/v1/alerts/stream over real HTTP, with
 * alerts written by another store connection (as `vigil run` in another
 * process writes them): they arrive in id order with the subject, watch
 * list and decision fields; a client that disconnects and comes back with
 * Last-Event-ID (or ?after=) receives exactly the alerts it missed — none
 * lost, none twice — also when it missed more than a page of them;
 * adjudications arrive as "update" events; a reader that fell more than
 * the ring behind is served from the store; roles are enforced (401 without
 * a session, 403 for an admin, 400 for a bad Last-Event-ID); a keepalive
 * comment after 15 s of silence; the stream ends cleanly when the server
 * stops. */
#include "server/sse_client.h"

#include "server/server_internal.h"

typedef struct world {
    vg_store *w;        /* the writer: another connection */
    int64_t dep, sub;
    int next_uid;
} world;

static void world_init(world *wd, srv_fx *x)
{
    memset(wd, 0, sizeof *wd);
    wd->w = srv_writer(x);
    int64_t wl = fx_watchlist(wd->w, "wanted", 0, 0);
    wd->sub = fx_enrol(wd->w, wl, "A. Person", 1, 1);
    wd->dep = fx_deployment(wd->w, "high-street", wl, 1);
}

/* Stores n alerts; returns the id of the last. */
static int64_t add_alerts(world *wd, int n)
{
    int64_t id = 0;
    for (int i = 0; i < n; i++) {
        char uid[32];
        snprintf(uid, sizeof uid, "s-%d", wd->next_uid++);
        vg_alert a = fx_alert(wd->dep, wd->sub, uid);
        uint8_t *jpeg = fx_jpeg((uint64_t)wd->next_uid, 300);
        vg_err err = {{0}};
        vg_status st = vg_store_alert_add(wd->w, "engine", &a, jpeg, 300, &id, &err);
        if (st)
            fprintf(stderr, "alert_add: %s\n", err.msg);
        assert_int_equal(st, VG_OK);
        free(jpeg);
    }
    return id;
}

/* The alert events' ids are exactly first..last, in order. */
static void assert_ids(const sse_client *k, int64_t first, int64_t last)
{
    int64_t want = first;
    for (int i = 0; i < k->n; i++) {
        if (strcmp(k->ev[i].kind, "alert"))
            continue;
        if (k->ev[i].id != want)
            fail_msg("event %d: alert id %lld, wanted %lld", i, (long long)k->ev[i].id, (long long)want);
        assert_int_equal(json_integer_value(json_object_get(k->ev[i].data, "id")), want);
        want++;
    }
    assert_int_equal(want, last + 1);
}

static void in_order_with_details(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    world wd;
    world_init(&wd, &x);
    int64_t old = add_alerts(&wd, 2); /* history: not sent to a client that asks for news */
    session op = login(&x, "olivia");
    sse_client k;
    sse_open(&k, x.port, &op, "/api/v1/alerts/stream", NULL);
    sse_pump(&k, 300);
    assert_int_equal(sse_status(&k), 200);
    assert_non_null(strstr(k.r.headers, "text/event-stream"));
    assert_true(k.comments >= 1); /* the greeting */
    int64_t last = add_alerts(&wd, 5);
    assert_true(sse_wait(&k, "alert", 5, 5000));
    sse_pump(&k, 300); /* nothing more may come */
    assert_int_equal(k.n, 5);
    assert_ids(&k, old + 1, last);
    json_t *d = k.ev[0].data;
    assert_string_equal(json_string_value(json_object_get(d, "subject_name")), "A. Person");
    assert_string_equal(json_string_value(json_object_get(d, "watchlist")), "wanted");
    assert_string_equal(json_string_value(json_object_get(d, "state")), "pending");
    assert_non_null(json_object_get(d, "subject_reason"));
    assert_non_null(json_object_get(d, "subject_category"));
    assert_true(json_is_null(json_object_get(d, "outcome")));
    assert_true(json_is_null(json_object_get(d, "adjudicated_by")));
    assert_true(json_is_null(json_object_get(d, "adjudicated_at")));
    assert_true(json_is_null(json_object_get(d, "note")));
    assert_string_equal(json_string_value(json_object_get(d, "camera")), "cam1");
    sse_close(&k);
    vg_store_close(wd.w);
    srv_stop(&x);
}

static void resume_exactly_the_missed(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    world wd;
    world_init(&wd, &x);
    session op = login(&x, "olivia");
    sse_client k;
    sse_open(&k, x.port, &op, "/api/v1/alerts/stream", NULL);
    sse_pump(&k, 300);
    int64_t first = add_alerts(&wd, 3) - 2;
    assert_true(sse_wait(&k, "alert", 3, 5000));
    assert_ids(&k, first, first + 2);
    char last_seen[32];
    snprintf(last_seen, sizeof last_seen, "%lld", (long long)k.ev[k.n - 1].id);
    sse_close(&k); /* disconnect */

    int64_t last = add_alerts(&wd, 4);
    sse_open(&k, x.port, &op, "/api/v1/alerts/stream", last_seen);
    assert_true(sse_wait(&k, "alert", 4, 5000));
    sse_pump(&k, 400);
    assert_int_equal(k.n, 4); /* exactly the missed ones */
    assert_ids(&k, first + 3, last);
    /* still live after catching up: the next one, once */
    int64_t next = add_alerts(&wd, 1);
    assert_true(sse_wait(&k, "alert", 5, 5000));
    sse_pump(&k, 400);
    assert_int_equal(k.n, 5);
    assert_ids(&k, first + 3, next);
    sse_close(&k);

    /* more than a page missed (the store is read page by page), and ?after= */
    snprintf(last_seen, sizeof last_seen, "/api/v1/alerts/stream?after=%lld", (long long)next);
    int64_t many = add_alerts(&wd, 450);
    sse_open(&k, x.port, &op, last_seen, NULL);
    assert_true(sse_wait(&k, "alert", 450, 20000));
    int64_t tail = add_alerts(&wd, 2);
    assert_true(sse_wait(&k, "alert", 452, 5000));
    sse_pump(&k, 400);
    assert_int_equal(k.n, 452);
    assert_ids(&k, next + 1, tail);
    assert_int_equal(many + 2, tail);
    sse_close(&k);

    /* the header wins over the argument */
    snprintf(last_seen, sizeof last_seen, "%lld", (long long)(tail - 1));
    sse_open(&k, x.port, &op, "/api/v1/alerts/stream?after=1", last_seen);
    assert_true(sse_wait(&k, "alert", 1, 5000));
    sse_pump(&k, 300);
    assert_int_equal(k.n, 1);
    assert_int_equal(k.ev[0].id, tail);
    sse_close(&k);
    vg_store_close(wd.w);
    srv_stop(&x);
}

static void updates_on_adjudication(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    world wd;
    world_init(&wd, &x);
    session op = login(&x, "olivia"), aud = login(&x, "aud");
    sse_client k, ka;
    sse_open(&k, x.port, &op, "/api/v1/alerts/stream", NULL);
    sse_open(&ka, x.port, &aud, "/api/v1/alerts/stream", NULL); /* auditors may watch too */
    sse_pump(&k, 200);
    sse_pump(&ka, 200);
    assert_int_equal(sse_status(&ka), 200);
    int64_t id = add_alerts(&wd, 1);
    assert_true(sse_wait(&k, "alert", 1, 5000));
    char path[64];
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)id);
    resp r = http_post(&x, path, &op, "{\"outcome\":\"confirmed\",\"note\":\"seen by PC 1\"}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_true(sse_wait(&k, "update", 1, 5000));
    assert_true(sse_wait(&ka, "update", 1, 5000));
    const sse_event *u = &k.ev[k.n - 1];
    assert_string_equal(u->kind, "update");
    assert_int_equal(u->id, 0); /* no id line: Last-Event-ID stays the last alert */
    assert_int_equal(json_integer_value(json_object_get(u->data, "id")), id);
    assert_string_equal(json_string_value(json_object_get(u->data, "state")), "confirmed");
    assert_string_equal(json_string_value(json_object_get(u->data, "outcome")), "confirmed");
    assert_string_equal(json_string_value(json_object_get(u->data, "adjudicated_by")), "olivia");
    assert_string_equal(json_string_value(json_object_get(u->data, "note")), "seen by PC 1");
    assert_true(json_integer_value(json_object_get(u->data, "adjudicated_at")) > 0);
    /* the list and the one-alert answer carry the same fields */
    snprintf(path, sizeof path, "/api/v1/alerts/%lld", (long long)id);
    r = http_get(&x, path, &op);
    json_t *j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "adjudicated_by")), "olivia");
    assert_string_equal(json_string_value(json_object_get(j, "note")), "seen by PC 1");
    assert_string_equal(json_string_value(json_object_get(j, "subject_name")), "A. Person");
    json_decref(j);
    resp_free(&r);
    r = http_get(&x, "/api/v1/alerts?state=confirmed", &op);
    j = resp_json(&r);
    json_t *first = json_array_get(json_object_get(j, "alerts"), 0);
    assert_int_equal(json_array_size(json_object_get(j, "alerts")), 1);
    assert_string_equal(json_string_value(json_object_get(first, "outcome")), "confirmed");
    assert_string_equal(json_string_value(json_object_get(first, "watchlist")), "wanted");
    json_decref(j);
    resp_free(&r);
    sse_close(&k);
    sse_close(&ka);
    vg_store_close(wd.w);
    srv_stop(&x);
}

static void roles_and_errors(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session adm = login(&x, "adam"), op = login(&x, "olivia");
    resp r = http_peek(&x, "/api/v1/alerts/stream", NULL);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    r = http_peek(&x, "/api/v1/alerts/stream", &adm);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    r = http_peek(&x, "/api/v1/alerts/stream?after=x", &op);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    sse_client k;
    sse_open(&k, x.port, &op, "/api/v1/alerts/stream", "-3");
    sse_pump(&k, 2000);
    assert_true(k.done);
    assert_int_equal(sse_status(&k), 400);
    assert_non_null(strstr(k.r.body, "Last-Event-ID"));
    sse_close(&k);
    srv_stop(&x);
}

static int count(const char *text, const char *needle)
{
    int n = 0;
    for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* A reader more than a ring behind (a stalled client) is served from the
 * store: every alert once, in order; the updates it missed are gone. */
static void slow_reader_falls_back_to_the_store(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    world wd;
    world_init(&wd, &x);
    vg_feed *f = x.srv->feed;
    int64_t alerts = 0, updates = 0, last = 0;
    vg_feed_counts(f, &alerts, &updates, &last);
    vg_feed_cursor c = {.after = last, .pos = 0, .live = 1}; /* the ring is empty: position 0 */
    int64_t id = add_alerts(&wd, 3);
    for (int i = 0; i < 200 && last != id; i++) {
        nanosleep(&(struct timespec){0, 10000000L}, NULL);
        vg_feed_counts(f, &alerts, &updates, &last);
    }
    assert_int_equal(last, id);
    vg_alert_detail d;
    vg_err err = {{0}};
    assert_int_equal(vg_store_alert_detail_get(wd.w, id, &d, &err), VG_OK);
    for (int i = 0; i < VG_FEED_RING + 50; i++)
        vg_feed_publish_update(f, &d);
    char *text = NULL;
    assert_int_equal(vg_feed_next(f, &c, 1.0, &text), 1);
    assert_int_equal(count(text, "event: alert"), 3);
    assert_int_equal(count(text, "event: update"), 0);
    char want[32];
    snprintf(want, sizeof want, "id: %lld\n", (long long)(id - 2));
    assert_true(strstr(text, want) == text); /* the first of the three, first */
    free(text);
    assert_int_equal(c.after, id);
    assert_true(c.live);
    /* caught up: nothing more until something happens, then only that */
    assert_int_equal(vg_feed_next(f, &c, 0.3, &text), 0);
    assert_null(text);
    vg_feed_publish_update(f, &d);
    assert_int_equal(vg_feed_next(f, &c, 1.0, &text), 1);
    assert_int_equal(count(text, "event: update"), 1);
    assert_int_equal(count(text, "event: alert"), 0);
    free(text);
    vg_store_close(wd.w);
    srv_stop(&x);
}

static void keepalive_in_silence(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session op = login(&x, "olivia");
    sse_client k;
    sse_open(&k, x.port, &op, "/api/v1/alerts/stream", NULL);
    sse_pump(&k, 500);
    assert_int_equal(k.comments, 1); /* the greeting only */
    sse_pump(&k, 16000);             /* 15 s without news */
    assert_false(k.done);
    assert_true(k.comments >= 2);
    assert_string_equal(k.last_comment, ": keepalive");
    assert_int_equal(k.n, 0);
    sse_close(&k);
    srv_stop(&x);
}

static void ends_when_the_server_stops(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session op = login(&x, "olivia");
    sse_client k[3];
    for (int i = 0; i < 3; i++) {
        sse_open(&k[i], x.port, &op, "/api/v1/alerts/stream", NULL);
        sse_pump(&k[i], 200);
    }
    double t0 = sse_now_ms();
    vg_server_stop(x.srv);
    double stop_ms = sse_now_ms() - t0;
    fprintf(stderr, "server stopped in %.0f ms with 3 streams open\n", stop_ms);
    assert_true(stop_ms < 5000);
    for (int i = 0; i < 3; i++) {
        sse_pump(&k[i], 3000);
        assert_true(k[i].done);
        assert_int_equal(k[i].result, CURLE_OK); /* a clean end of the chunked body */
        sse_close(&k[i]);
    }
    fx_done(&x.f);
}

/* issue 14 point 2: a stream ends when its credentials do. A stream opened
 * with a session that then logs out, and one opened with an API token that
 * is then revoked, receive neither the adjudication (subject, note,
 * officer) nor the next alert: both end. */
static void streams_end_with_credentials(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    world wd;
    world_init(&wd, &x);
    session gone = login(&x, "olivia"), stays = login(&x, "olivia");
    char tok[VG_STORE_TOKEN_LEN + 1];
    int64_t tid = 0;
    vg_err err = {{0}};
    vg_store *w = srv_writer(&x);
    assert_int_equal(vg_store_token_create(w, "adam", "bot", "operator", tok, &tid, &err), VG_OK);
    sse_client k, kb;
    sse_open(&k, x.port, &gone, "/api/v1/alerts/stream", NULL);
    sse_open(&kb, x.port, NULL, "/api/v1/alerts/stream", NULL);
    curl_multi_remove_handle(kb.m, kb.c);
    char line[128];
    snprintf(line, sizeof line, "Authorization: Bearer %s", tok);
    kb.h = curl_slist_append(kb.h, line);
    curl_easy_setopt(kb.c, CURLOPT_HTTPHEADER, kb.h);
    curl_multi_add_handle(kb.m, kb.c);
    sse_pump(&k, 200);
    sse_pump(&kb, 200);
    assert_int_equal(sse_status(&k), 200);
    assert_int_equal(sse_status(&kb), 200);
    int64_t id = add_alerts(&wd, 1);
    assert_true(sse_wait(&k, "alert", 1, 5000));
    assert_true(sse_wait(&kb, "alert", 1, 5000));

    resp r = http_post(&x, "/api/v1/logout", &gone, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(vg_store_token_revoke(w, "adam", tid, NULL, &err), VG_OK);
    vg_store_close(w);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/alerts/%lld/adjudicate", (long long)id);
    r = http_post(&x, path, &stays, "{\"outcome\":\"confirmed\",\"note\":\"seen by PC 1\"}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    add_alerts(&wd, 1);
    for (int i = 0; i < 150 && !(k.done && kb.done); i++) {
        sse_pump(&k, 20);
        sse_pump(&kb, 20);
    }
    assert_true(k.done);
    assert_true(kb.done);
    assert_int_equal(sse_count(&k, "update"), 0);
    assert_int_equal(sse_count(&kb, "update"), 0);
    assert_int_equal(sse_count(&k, "alert"), 1);
    assert_int_equal(sse_count(&kb, "alert"), 1);
    assert_null(strstr(k.r.body, "seen by PC 1"));
    assert_null(strstr(kb.r.body, "seen by PC 1"));
    sse_close(&k);
    sse_close(&kb);
    vg_store_close(wd.w);
    srv_stop(&x);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(in_order_with_details),
        cmocka_unit_test(resume_exactly_the_missed),
        cmocka_unit_test(updates_on_adjudication),
        cmocka_unit_test(streams_end_with_credentials),
        cmocka_unit_test(roles_and_errors),
        cmocka_unit_test(slow_reader_falls_back_to_the_store),
        cmocka_unit_test(keepalive_in_silence),
        cmocka_unit_test(ends_when_the_server_stops),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
