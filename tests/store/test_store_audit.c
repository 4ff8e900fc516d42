/* test_store_audit.c — the audit chain: every store action appends its entry
 * in order, the hash follows the documented serialisation (recomputed here
 * independently), details must be a JSON object, no entry holds a template
 * or an image, and tampering with the database file — an edited, removed or
 * reordered entry — is found by verify, which names the first bad entry.
 */
#include "store_fixtures.h"

#include <sodium.h>
#include <sys/stat.h>

#include "vigil/checkpoint.h"

/* Builds a database with a known history; returns the number of entries. */
static int history(fx *f, int64_t *subject)
{
    vg_err err = {{0}};
    int64_t wl = fx_watchlist(f->s, "w", 0, 0);                             /* 1 */
    int64_t a = fx_enrol(f->s, wl, "a", 1, 2);                              /* 2 */
    fx_enrol(f->s, wl, "b", 2, 3);                                          /* 3 */
    vg_template_set t;
    assert_int_equal(
        vg_store_templates_load(f->s, "engine", "identify", wl, MODEL, 0, &t, &err), /* 4 */
        VG_OK);
    vg_store_templates_free(&t);
    uint8_t *jpeg = NULL;
    size_t len = 0;
    assert_int_equal(vg_store_photo_get(f->s, "viewer", a, 1, &jpeg, &len, &err), VG_OK); /* 5 */
    free(jpeg);
    assert_int_equal(vg_store_audit_append(f->s, "operator", "identify.still", "image:x.jpg",
                                           "{\"faces\":2,\"candidates\":[1,2]}", &err),
                     VG_OK); /* 6 */
    assert_int_equal(vg_store_subject_remove(f->s, "officer", a, &err), VG_OK); /* 7 */
    assert_int_equal(vg_store_watchlist_purge(f->s, "officer", "w", NULL, NULL, &err),
                     VG_OK); /* 8 */
    assert_int_equal(vg_store_audit_append(f->s, "admin", "config.change", NULL, NULL, &err),
                     VG_OK); /* 9 */
    if (subject)
        *subject = a;
    return 9;
}

static void hash_text(crypto_hash_sha256_state *h, const char *s)
{
    uint64_t n = strlen(s);
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(n >> (56 - 8 * i));
    crypto_hash_sha256_update(h, b, 8);
    crypto_hash_sha256_update(h, (const uint8_t *)s, n);
}

static void hash_int(crypto_hash_sha256_state *h, int64_t v)
{
    uint8_t b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
    crypto_hash_sha256_update(h, b, 8);
}

/* The serialisation documented in src/store/audit.c, written again here. */
static void expected_hash(const vg_audit_entry *e, char out[65])
{
    crypto_hash_sha256_state h;
    crypto_hash_sha256_init(&h);
    crypto_hash_sha256_update(&h, (const uint8_t *)"vigil-audit-v1", 15);
    hash_int(&h, e->seq);
    hash_int(&h, e->time);
    hash_text(&h, e->actor);
    hash_text(&h, e->action);
    hash_text(&h, e->object);
    hash_text(&h, e->details);
    hash_text(&h, e->prev_hash);
    uint8_t d[32];
    crypto_hash_sha256_final(&h, d);
    sodium_bin2hex(out, 65, d, 32);
}

static void test_every_action_chained(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t a;
    int total = history(&f, &a);
    vg_audit_entry *e = NULL;
    int n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_list(f.s, 0, &e, &n, &err), VG_OK);
    assert_int_equal(n, total);
    static const char *const actions[] = {
        "watchlist.create", "subject.add",    "subject.add",    "templates.read", "photo.read",
        "identify.still",   "subject.remove", "watchlist.purge", "config.change"};
    for (int i = 0; i < n; i++) {
        assert_int_equal(e[i].seq, i + 1);
        assert_int_equal(e[i].time, T0);
        assert_string_equal(e[i].action, actions[i]);
        assert_string_equal(e[i].prev_hash, i ? e[i - 1].hash
                                              : "00000000000000000000000000000000"
                                                "00000000000000000000000000000000");
        char h[65];
        expected_hash(&e[i], h);
        assert_string_equal(e[i].hash, h);
    }
    assert_string_equal(e[0].object, "watchlist:w");
    assert_string_equal(e[0].actor, ACTOR);
    char obj[64];
    snprintf(obj, sizeof obj, "subject:%lld", (long long)a);
    assert_string_equal(e[1].object, obj);
    assert_string_equal(e[1].details, "{\"model\":\"" MODEL "\",\"templates\":2,\"watchlist\":\"w\"}");
    assert_string_equal(e[3].actor, "engine");
    assert_string_equal(e[3].details,
                        "{\"count\":5,\"model\":\"" MODEL "\",\"purpose\":\"identify\"}");
    assert_string_equal(e[4].details, "{\"photo\":1}");
    assert_string_equal(e[5].details, "{\"faces\":2,\"candidates\":[1,2]}"); /* verbatim */
    assert_string_equal(e[6].details, "{\"templates\":2,\"watchlist\":\"w\"}");
    assert_string_equal(e[7].details, "{\"subjects\":1,\"templates\":3}");
    assert_string_equal(e[8].object, "");
    assert_string_equal(e[8].details, "{}");
    vg_store_audit_free(e, n);

    int64_t bad = -1, entries = -1;
    assert_int_equal(vg_store_audit_verify(f.s, &bad, &entries, &err), VG_OK);
    assert_int_equal(bad, 0);
    assert_int_equal(entries, total);

    /* since: entries at or after a time, from a later session's clock */
    fx_reopen(&f, T0 + 500);
    assert_int_equal(vg_store_audit_append(f.s, "admin", "config.change", "x", "{}", &err), VG_OK);
    assert_int_equal(vg_store_audit_list(f.s, T0 + 1, &e, &n, &err), VG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(e[0].seq, total + 1);
    assert_int_equal(e[0].time, T0 + 500);
    vg_store_audit_free(e, n);
    assert_int_equal(vg_store_audit_list(f.s, T0 + 501, &e, &n, &err), VG_OK);
    assert_int_equal(n, 0);
    vg_store_audit_free(e, n);
    assert_int_equal(vg_store_audit_verify(f.s, &bad, &entries, &err), VG_OK);
    assert_int_equal(entries, total + 1);
    fx_done(&f);
}

static void test_empty_chain(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t bad = -1, entries = -1;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_verify(f.s, &bad, &entries, &err), VG_OK);
    assert_int_equal(entries, 0);
    assert_int_equal(bad, 0);
    fx_done(&f);
}

static void expect_append_refused(fx *f, const char *actor, const char *action,
                                  const char *object, const char *details, vg_status want,
                                  const char *msg_part)
{
    snap before = take_snap(f->db);
    vg_err err = {{0}};
    vg_status st = vg_store_audit_append(f->s, actor, action, object, details, &err);
    if (st != want || !strstr(err.msg, msg_part))
        fprintf(stderr, "got %d \"%s\", wanted %d with \"%s\"\n", st, err.msg, want, msg_part);
    assert_int_equal(st, want);
    assert_non_null(strstr(err.msg, msg_part));
    assert_snap_equal(before, take_snap(f->db));
}

static void test_append_refused(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    fx_watchlist(f.s, "w", 0, 0);
    const char *ok = "identify.still";
    expect_append_refused(&f, ACTOR, ok, "o", "{\"a\":", VG_ERR_INVALID, "not valid JSON");
    expect_append_refused(&f, ACTOR, ok, "o", "[1,2]", VG_ERR_INVALID, "must be a JSON object");
    expect_append_refused(&f, ACTOR, ok, "o", "\"text\"", VG_ERR_INVALID, "JSON object");
    expect_append_refused(&f, ACTOR, ok, "o", "", VG_ERR_INVALID, "not valid JSON");
    expect_append_refused(&f, ACTOR, ok, "o", "{\"a\":1} trailing", VG_ERR_INVALID,
                          "not valid JSON");
    expect_append_refused(&f, ACTOR, ok, "o", "{\"a\":1,\"a\":2}", VG_ERR_INVALID,
                          "not valid JSON");
    expect_append_refused(&f, ACTOR, ok, "o", "{\"a\":\"\\u0000\"}", VG_ERR_INVALID,
                          "not valid JSON");
    char *big = malloc(VG_STORE_DETAILS_MAX + 100);
    assert_non_null(big);
    memset(big, ' ', VG_STORE_DETAILS_MAX + 99);
    big[0] = '{';
    big[VG_STORE_DETAILS_MAX + 98] = '}';
    big[VG_STORE_DETAILS_MAX + 99] = '\0';
    expect_append_refused(&f, ACTOR, ok, "o", big, VG_ERR_LIMIT, "the limit is 65536");
    free(big);

    expect_append_refused(&f, ACTOR, "", "o", NULL, VG_ERR_INVALID, "action is required");
    expect_append_refused(&f, ACTOR, "Identify", "o", NULL, VG_ERR_INVALID, "lowercase");
    expect_append_refused(&f, ACTOR, "identify still", "o", NULL, VG_ERR_INVALID, "may hold only");
    expect_append_refused(&f, ACTOR, "a;drop", "o", NULL, VG_ERR_INVALID, "may hold only");
    char long_action[100];
    memset(long_action, 'a', 64);
    long_action[64] = '\0';
    expect_append_refused(&f, ACTOR, long_action, "o", NULL, VG_ERR_INVALID, "the limit is 63");
    expect_append_refused(&f, "", ok, "o", NULL, VG_ERR_INVALID, "actor is required");
    char long_object[400];
    memset(long_object, 'o', 300);
    long_object[300] = '\0';
    expect_append_refused(&f, ACTOR, ok, long_object, NULL, VG_ERR_INVALID,
                          "object is 300 bytes, the limit is 263");
    fx_done(&f);
}

static void test_no_biometrics_in_audit(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    history(&f, NULL);
    vg_store_close(f.s);
    f.s = NULL;
    /* every column of every entry, as one blob per entry */
    fx_photos *p1 = fx_photos_new(1, 2), *p2 = fx_photos_new(2, 3);
    int rows = (int)raw_int(f.db, "SELECT count(*) FROM audit");
    for (int seq = 1; seq <= rows; seq++) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 fx_pg() ? "SELECT convert_to(actor || action || object || details, 'UTF8') "
                           "FROM audit WHERE seq = %d"
                         : "SELECT CAST(actor || action || object || details AS BLOB) "
                           "FROM audit WHERE seq = %d",
                 seq);
        size_t n = 0;
        uint8_t *b = raw_blob(f.db, sql, &n);
        snprintf(sql, sizeof sql, "SELECT length(details) FROM audit WHERE seq = %d", seq);
        assert_true(raw_int(f.db, sql) < 256); /* a template would not fit */
        for (int w = 0; w < 5; w++) {
            const fx_photos *p = w < 2 ? p1 : p2;
            int i = w < 2 ? w : w - 2;
            for (int off = 0; off + 8 <= DIM; off += 8)
                for (size_t k = 0; n >= 32 && k <= n - 32; k++)
                    assert_true(memcmp(b + k, p->vec[i] + off, 32) != 0);
            for (size_t k = 0; n >= 16 && k <= n - 16; k++) {
                assert_true(memcmp(b + k, p->jpeg[i], 16) != 0);
                assert_true(memcmp(b + k, p->jpeg[i] + 500, 16) != 0);
            }
        }
        free(b);
    }
    assert_int_equal(rows, 9);
    fx_photos_free(p1);
    fx_photos_free(p2);
    fx_done(&f);
}

/* Tampers with the closed database, reopens, and checks verify's answer,
 * then appends one entry and checks verify's answer again (want_after; 0:
 * intact). */
static void expect_tamper_then(const char *sql, int64_t want_bad, const char *msg_part,
                               int64_t want_after)
{
    fx f;
    fx_init(&f, T0);
    int total = history(&f, NULL);
    vg_store_close(f.s);
    raw_exec(f.db, sql);
    f.s = fx_open_at(f.db, NULL, T0);
    int64_t bad = -1, entries = -1;
    vg_err err = {{0}};
    vg_status st = vg_store_audit_verify(f.s, &bad, &entries, &err);
    if (st != VG_ERR_INVALID || bad != want_bad || !strstr(err.msg, msg_part))
        fprintf(stderr, "%s\n -> status %d bad %lld \"%s\"\n", sql, st, (long long)bad, err.msg);
    assert_int_equal(st, VG_ERR_INVALID);
    assert_int_equal(bad, want_bad);
    assert_non_null(strstr(err.msg, msg_part));
    assert_true(entries >= 0 && entries <= total);
    /* the store keeps working and appending */
    assert_int_equal(vg_store_audit_append(f.s, "admin", "config.change", NULL, NULL, &err),
                     VG_OK);
    assert_int_equal(vg_store_audit_verify(f.s, &bad, &entries, &err),
                     want_after ? VG_ERR_INVALID : VG_OK);
    assert_int_equal(bad, want_after);
    fx_done(&f);
}

/* ... where verify still names the same entry after the append. */
static void expect_tamper(const char *sql, int64_t want_bad, const char *msg_part)
{
    expect_tamper_then(sql, want_bad, msg_part, want_bad);
}

static void test_tamper_edit(void **state)
{
    (void)state;
    expect_tamper("UPDATE audit SET details = '{\"templates\":1,\"watchlist\":\"w\"}' "
                  "WHERE seq = 3",
                  3, "audit entry 3 was edited");
    expect_tamper("UPDATE audit SET actor = 'someone else' WHERE seq = 4", 4, "was edited");
    expect_tamper("UPDATE audit SET time = time + 1 WHERE seq = 6", 6, "was edited");
    expect_tamper("UPDATE audit SET action = 'subject.ad' WHERE seq = 2", 2, "was edited");
    /* SQLite lets a BLOB into a TEXT column; PostgreSQL's types do not */
    expect_tamper(fx_pg() ? "UPDATE audit SET details = '{\"photo\":0}' WHERE seq = 5"
                          : "UPDATE audit SET details = CAST('{\"photo\":0}' AS BLOB) WHERE seq = 5",
                  5, "was edited");
    expect_tamper("UPDATE audit SET hash = upper(hash) WHERE seq = 9", 9, "was edited");
    expect_tamper("UPDATE audit SET prev_hash = (SELECT hash FROM audit WHERE seq = 5) "
                  "WHERE seq = 7",
                  7, "removed or reordered");
}

static void test_tamper_remove(void **state)
{
    (void)state;
    expect_tamper("DELETE FROM audit WHERE seq = 4", 5,
                  "audit entry 5 follows entry 3: entries 4 to 4 were removed");
    expect_tamper("DELETE FROM audit WHERE seq IN (3, 4, 5)", 6, "entries 3 to 5 were removed");
    expect_tamper("DELETE FROM audit WHERE seq = 1", 2, "entries 1 to 1 were removed");
    /* removed, and the seqs renumbered to hide the gap */
    expect_tamper("DELETE FROM audit WHERE seq = 4; UPDATE audit SET seq = seq - 1 WHERE seq > 4",
                  4, "removed or reordered");
}

static void test_tamper_tail(void **state)
{
    (void)state;
    /* the last entries deleted: the head record says how many there were,
     * and a later entry continues from that head, so the gap stays */
    expect_tamper_then("DELETE FROM audit WHERE seq = 9", 9,
                       "audit entries 9 to 9 were removed from the end of the chain", 10);
    expect_tamper_then("DELETE FROM audit WHERE seq >= 7", 7, "entries 7 to 9 were removed", 10);
    expect_tamper_then("DELETE FROM audit", 1, "entries 1 to 9 were removed", 10);
    /* the head record itself deleted */
    expect_tamper_then("DELETE FROM meta WHERE key = 'audit_head'", 10,
                       "the record of the audit chain's head is missing", 0);
    /* the last entry replaced by an older one's contents */
    expect_tamper("UPDATE audit SET hash = (SELECT hash FROM audit WHERE seq = 1) WHERE seq = 9",
                  9, "was edited");
}

static void test_tamper_reorder(void **state)
{
    (void)state;
    /* swap the contents of entries 3 and 4, keeping their seqs */
    expect_tamper("CREATE TEMP TABLE a3 AS SELECT * FROM audit WHERE seq = 3;"
                  "CREATE TEMP TABLE a4 AS SELECT * FROM audit WHERE seq = 4;"
                  "UPDATE audit SET (time, actor, action, object, details, prev_hash, hash) = "
                  "  (SELECT time, actor, action, object, details, prev_hash, hash FROM a4) "
                  "  WHERE seq = 3;"
                  "UPDATE audit SET (time, actor, action, object, details, prev_hash, hash) = "
                  "  (SELECT time, actor, action, object, details, prev_hash, hash FROM a3) "
                  "  WHERE seq = 4;",
                  3, "audit entry 3 does not follow entry 2");
    /* swapping only what a reader sees (actor, action, object, details),
     * hashes left in place: found as an edit of the first */
    expect_tamper("CREATE TEMP TABLE a6 AS SELECT * FROM audit WHERE seq = 6;"
                  "CREATE TEMP TABLE a8 AS SELECT * FROM audit WHERE seq = 8;"
                  "UPDATE audit SET (actor, action, object, details) = "
                  "  (SELECT actor, action, object, details FROM a8) WHERE seq = 6;"
                  "UPDATE audit SET (actor, action, object, details) = "
                  "  (SELECT actor, action, object, details FROM a6) WHERE seq = 8;",
                  6, "audit entry 6 was edited");
}

/* issue 14, point 10: an attacker who can write the database rewrites the
 * chain consistently — edits entry 4's actor and recomputes every hash after
 * it and the head record — so that verify alone passes; the signed
 * checkpoints kept outside the database find it, naming the entry. */
static void test_consistent_rewrite_caught_by_checkpoints(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    history(&f, NULL);
    char keyp[600], cpf[600];
    snprintf(keyp, sizeof keyp, "%s/sign.key", f.dir);
    snprintf(cpf, sizeof cpf, "%s/checkpoints", f.dir);
    vg_checkpoint_options o = {.key_path = keyp, .file = cpf};
    vg_checkpoint c;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_checkpoint(f.s, &o, &c, &err), VG_OK);
    assert_int_equal(c.seq, 9);
    struct stat sb;
    assert_int_equal(stat(keyp, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(stat(cpf, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(vg_store_audit_append(f.s, "admin", "config.change", NULL, NULL, &err), VG_OK);
    assert_int_equal(vg_store_audit_checkpoint(f.s, &o, &c, &err), VG_OK); /* a second line */
    assert_int_equal(c.seq, 10);
    char pub[65];
    assert_int_equal(vg_checkpoint_public_key(keyp, pub, &err), VG_OK);
    assert_string_equal(pub, c.key);
    int checked = 0;
    int64_t bad = -1, entries = 0;
    assert_int_equal(vg_store_audit_verify_checkpoints(f.s, cpf, pub, &checked, &bad, &err), VG_OK);
    assert_int_equal(checked, 2);

    /* the rewrite, with the chain's own hash: everything links again */
    vg_audit_entry *e = NULL;
    int n = 0;
    assert_int_equal(vg_store_audit_list(f.s, INT64_MIN, &e, &n, &err), VG_OK);
    assert_int_equal(n, 10);
    snprintf(e[3].actor, sizeof e[3].actor, "someone-else");
    for (int i = 3; i < n; i++) {
        if (i > 3)
            memcpy(e[i].prev_hash, e[i - 1].hash, 65);
        expected_hash(&e[i], e[i].hash);
        char sql[512];
        snprintf(sql, sizeof sql, "UPDATE audit SET actor = '%s', prev_hash = '%s', hash = '%s' WHERE seq = %lld",
                 e[i].actor, e[i].prev_hash, e[i].hash, (long long)e[i].seq);
        raw_exec(f.db, sql);
    }
    char head[200], sql[400];
    for (int i = 0; i < 8; i++)
        snprintf(head + 2 * i, 3, "%02x", (unsigned)((uint64_t)e[n - 1].seq >> (56 - 8 * i)) & 0xff);
    for (int i = 0; i < 64; i++)
        snprintf(head + 16 + 2 * i, 3, "%02x", (unsigned char)e[n - 1].hash[i]);
    snprintf(sql, sizeof sql, fx_pg() ? "UPDATE meta SET value = '\\x%s'::bytea WHERE key = 'audit_head'"
                                      : "UPDATE meta SET value = X'%s' WHERE key = 'audit_head'",
             head);
    raw_exec(f.db, sql);
    vg_store_audit_free(e, n);
    assert_int_equal(vg_store_audit_verify(f.s, &bad, &entries, &err), VG_OK); /* fooled */
    assert_int_equal(entries, 10);

    vg_status st = vg_store_audit_verify_checkpoints(f.s, cpf, pub, &checked, &bad, &err);
    if (st != VG_ERR_INVALID)
        fail_msg("the rewritten chain passed its checkpoints: %d %s", st, err.msg);
    assert_int_equal(bad, 9);
    assert_non_null(strstr(err.msg, "the chain was rewritten"));
    assert_non_null(strstr(err.msg, ":1: "));

    /* checkpoints signed with another key (the attacker's) are refused */
    char other[600];
    snprintf(other, sizeof other, "%s/attacker.key", f.dir);
    vg_checkpoint_options o2 = {.key_path = other, .file = cpf};
    assert_int_equal(vg_store_audit_checkpoint(f.s, &o2, &c, &err), VG_OK);
    char apub[65];
    assert_int_equal(vg_checkpoint_public_key(other, apub, &err), VG_OK);
    FILE *fp = fopen(cpf, "w"); /* the attacker replaces the file's content */
    assert_non_null(fp);
    fprintf(fp, "vigil-checkpoint v1 seq=%lld hash=%s time=%lld key=%s sig=%s\n", (long long)c.seq, c.hash,
            (long long)c.time, c.key, c.sig);
    fclose(fp);
    assert_int_equal(vg_store_audit_verify_checkpoints(f.s, cpf, pub, &checked, &bad, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not by this deployment's key"));
    /* ... and a line altered by one digit does not verify */
    fp = fopen(cpf, "w");
    assert_non_null(fp);
    fprintf(fp, "vigil-checkpoint v1 seq=%lld hash=%s time=%lld key=%s sig=%s\n", (long long)c.seq, c.hash,
            (long long)c.time + 1, c.key, c.sig);
    fclose(fp);
    assert_int_equal(vg_store_audit_verify_checkpoints(f.s, cpf, apub, &checked, &bad, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "does not verify"));
    fx_done(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_action_chained),
        cmocka_unit_test(test_empty_chain),
        cmocka_unit_test(test_append_refused),
        cmocka_unit_test(test_no_biometrics_in_audit),
        cmocka_unit_test(test_tamper_edit),
        cmocka_unit_test(test_tamper_remove),
        cmocka_unit_test(test_tamper_tail),
        cmocka_unit_test(test_tamper_reorder),
        cmocka_unit_test(test_consistent_rewrite_caught_by_checkpoints),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
