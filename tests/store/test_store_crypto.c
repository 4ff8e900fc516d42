/* test_store_crypto.c — encryption at rest and the key file, and what
 * vg_store_open refuses: templates and photos are not in the database file
 * in clear; the key file is made 0600 and only for a new database; a wrong,
 * missing, short or loosely permitted key is a clear error that creates
 * nothing; a schema newer than this binary and a file that is not a vigil
 * database are refused; a PostgreSQL URL without a key file named is
 * refused before anything is connected to.
 */
#include "store_fixtures.h"

#include "base/url_redact.h"

#include <sys/stat.h>

static int file_mode(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    return (int)(st.st_mode & 07777);
}

static int exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static vg_status open_fails(const char *db, const char *key, vg_err *err)
{
    vg_store_options o = {.path = db, .key_path = key ? key : fx_key_for(db), .now = T0};
    vg_store *s = (vg_store *)err; /* must be reset to NULL */
    vg_status st = vg_store_open(&o, &s, err);
    assert_null(s);
    return st;
}

static void test_ciphertext_on_disk(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "w", 0, 0);
    fx_enrol(f.s, wl, "Plaintext Name", 1, 3);
    vg_store_close(f.s); /* checkpoints the WAL into the file */
    f.s = NULL;
    /* the search works: names are stored in clear */
    assert_true(fx_stored_contains(f.db, "Plaintext Name", 14));

    fx_photos *p = fx_photos_new(1, 3);
    static const uint8_t jfif[] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J', 'F', 'I', 'F'};
    for (int i = 0; i < 3; i++) {
        for (int off = 0; off < DIM; off += 128) /* 32-byte pieces of each vector */
            assert_false(fx_stored_contains(f.db, p->vec[i] + off, 32));
        assert_false(fx_stored_contains(f.db, p->jpeg[i] + 100, 32));
    }
    assert_false(fx_stored_contains(f.db, jfif, sizeof jfif));
    /* two rows never share a nonce */
    assert_int_equal(raw_int(f.db, "SELECT count(DISTINCT substr(vector, 1, 24)) FROM template"),
                     3);
    fx_photos_free(p);
    fx_done(&f);
}

static void test_key_file_created_0600(void **state)
{
    (void)state;
    mode_t old = umask(0); /* even with a permissive umask */
    fx f;
    fx_init(&f, T0);
    umask(old);
    assert_int_equal(file_mode(f.key), 0600);
    if (!fx_pg())
        assert_int_equal(file_mode(f.db), 0600);
    struct stat st;
    assert_int_equal(stat(f.key, &st), 0);
    assert_int_equal(st.st_size, 32);
    /* the key is not in the database */
    uint8_t key[32];
    FILE *kf = fopen(f.key, "rb");
    assert_non_null(kf);
    assert_int_equal(fread(key, 1, 32, kf), 32);
    fclose(kf);
    vg_store_close(f.s);
    f.s = NULL;
    if (!fx_pg())
        assert_false(file_contains(f.db, key, 32));
    else { /* nor in any bytea value of the PostgreSQL database */
        char hex[65], sql[400];
        for (int i = 0; i < 32; i++)
            snprintf(hex + 2 * i, 3, "%02x", key[i]);
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT count(*) FROM meta WHERE position('\\x%s'::bytea IN value) > 0)"
                 " + (SELECT count(*) FROM template WHERE position('\\x%s'::bytea IN vector) > 0)"
                 " + (SELECT count(*) FROM meta)", hex, hex);
        assert_int_equal(raw_int(f.db, sql), 1); /* the key check only, without the key */
    }
    /* a key path of one's own */
    char db2[400], key2[400];
    fx_db_new(f.dir, "other", db2, sizeof db2);
    snprintf(key2, sizeof key2, "%s/keys-elsewhere.bin", f.dir);
    vg_store *s = fx_open_at(db2, key2, T0);
    vg_store_close(s);
    assert_int_equal(file_mode(key2), 0600);
    s = fx_open_at(db2, key2, T0);
    vg_store_close(s);
    fx_done(&f);
}

static void test_wrong_key(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    int64_t wl = fx_watchlist(f.s, "w", 0, 0);
    fx_enrol(f.s, wl, "a", 1, 1);
    vg_store_close(f.s);
    f.s = NULL;
    char db2[400], key2[400];
    fx_db_new(f.dir, "b", db2, sizeof db2);
    snprintf(key2, sizeof key2, "%s/b.db.key", f.dir);
    vg_store_close(fx_open_at(db2, NULL, T0));

    snap before = take_snap(f.db);
    vg_err err = {{0}};
    assert_int_equal(open_fails(f.db, key2, &err), VG_ERR_INVALID);
    char want[900], shown[400];
    snprintf(want, sizeof want, "the key in %s does not open database %s (wrong key file?)", key2,
             vg_url_redact(f.db, shown, sizeof shown));
    assert_string_equal(err.msg, want);
    if (fx_pg()) /* the URL's password is nowhere in the message */
        assert_null(strstr(err.msg, strchr(strstr(f.db, "://") + 3, ':')));
    assert_snap_equal(before, take_snap(f.db));
    /* the right key still works */
    f.s = fx_open_at(f.db, NULL, T0);
    fx_done(&f);
}

static void test_missing_key(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    fx_watchlist(f.s, "w", 0, 0);
    vg_store_close(f.s);
    f.s = NULL;
    assert_int_equal(unlink(f.key), 0);
    snap before = take_snap(f.db);
    vg_err err = {{0}};
    assert_int_equal(open_fails(f.db, NULL, &err), VG_ERR_NOT_FOUND);
    assert_non_null(strstr(err.msg, f.key));
    assert_non_null(strstr(err.msg, "is missing"));
    assert_false(exists(f.key)); /* never replaced by a new key */
    assert_snap_equal(before, take_snap(f.db));
    /* a second try is the same, not "created on retry" */
    assert_int_equal(open_fails(f.db, NULL, &err), VG_ERR_NOT_FOUND);
    assert_false(exists(f.key));
    fx_done(&f);
}

static void test_loose_key_mode(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_store_close(f.s);
    f.s = NULL;
    vg_err err = {{0}};
    assert_int_equal(chmod(f.key, 0644), 0);
    assert_int_equal(open_fails(f.db, NULL, &err), VG_ERR_INVALID);
    char want[900];
    snprintf(want, sizeof want, "key file %s is readable by others (mode 0644): chmod 600 %s",
             f.key, f.key);
    assert_string_equal(err.msg, want);
    assert_int_equal(chmod(f.key, 0640), 0);
    assert_int_equal(open_fails(f.db, NULL, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "(mode 0640)"));
    assert_int_equal(chmod(f.key, 0602), 0);
    assert_int_equal(open_fails(f.db, NULL, &err), VG_ERR_INVALID);
    assert_int_equal(chmod(f.key, 0400), 0); /* read-only for the owner is fine */
    vg_store_close(fx_open_at(f.db, NULL, T0));

    /* a loose key offered for a new database is refused too */
    char db2[400], key2[400];
    fx_db_new(f.dir, "new", db2, sizeof db2);
    snprintf(key2, sizeof key2, "%s/new.key", f.dir);
    FILE *kf = fopen(key2, "wb");
    assert_non_null(kf);
    for (int i = 0; i < 32; i++)
        fputc(i, kf);
    fclose(kf);
    assert_int_equal(chmod(key2, 0644), 0);
    assert_int_equal(open_fails(db2, key2, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "readable by others"));
    /* once 0600, that key is used for the new database */
    assert_int_equal(chmod(key2, 0600), 0);
    vg_store_close(fx_open_at(db2, key2, T0));
    fx_done(&f);
}

static void test_short_key(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    vg_store_close(f.s);
    f.s = NULL;
    assert_int_equal(truncate(f.key, 16), 0);
    vg_err err = {{0}};
    assert_int_equal(open_fails(f.db, NULL, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "is 16 bytes, not 32"));
    fx_done(&f);
}

static void test_newer_schema(void **state)
{
    (void)state;
    fx f;
    fx_init(&f, T0);
    assert_int_equal(vg_store_schema_version(), 14);
    assert_int_equal(vg_store_db_schema_version(f.s), 14);
    vg_store_close(f.s);
    f.s = NULL;
    raw_exec(f.db, "INSERT INTO schema_version (version, applied_at) VALUES (15, 0)");
    snap before = take_snap(f.db);
    vg_err err = {{0}};
    assert_int_equal(open_fails(f.db, NULL, &err), VG_ERR_UNSUPPORTED);
    assert_string_equal(err.msg,
                        "database schema version 15 is newer than this vigil (14): upgrade vigil");
    assert_snap_equal(before, take_snap(f.db));
    assert_int_equal(raw_int(f.db, "SELECT max(version) FROM schema_version"), 15);
    fx_done(&f);
}

static void test_not_a_vigil_database(void **state)
{
    (void)state;
    fx_sqlite_only(); /* test_store_pg.c: another program's PostgreSQL database */
    char dir[] = "/tmp/vigil-store-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char db[200], key[220];
    vg_err err = {{0}};

    /* another program's SQLite database */
    snprintf(db, sizeof db, "%s/other.db", dir);
    snprintf(key, sizeof key, "%s.key", db);
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_exec(h, "CREATE TABLE t (x); INSERT INTO t VALUES (1)", 0, 0, 0),
                     SQLITE_OK);
    sqlite3_close(h);
    assert_int_equal(open_fails(db, NULL, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not a vigil database"));
    assert_false(exists(key));
    assert_int_equal(raw_int(db, "SELECT count(*) FROM sqlite_master"), 1);

    /* not SQLite at all */
    snprintf(db, sizeof db, "%s/text.db", dir);
    snprintf(key, sizeof key, "%s.key", db);
    FILE *tf = fopen(db, "w");
    assert_non_null(tf);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database. ", tf);
    fclose(tf);
    assert_int_equal(open_fails(db, NULL, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not a vigil database"));
    assert_false(exists(key));

    /* a directory that does not exist */
    snprintf(db, sizeof db, "%s/no/such/dir.db", dir);
    assert_int_equal(open_fails(db, NULL, &err), VG_ERR_IO);
    assert_non_null(strstr(err.msg, db));

    /* bad arguments */
    vg_store *s = NULL;
    assert_int_equal(vg_store_open(NULL, &s, &err), VG_ERR_INVALID);
    vg_store_options o = {.path = ""};
    assert_int_equal(vg_store_open(&o, &s, &err), VG_ERR_INVALID);
    assert_int_equal(vg_store_open(&o, NULL, NULL), VG_ERR_INVALID);
    vg_store_close(NULL);
    fx_rmdir(dir);
}

/* A URL goes to PostgreSQL, never to a SQLite file named "postgresql:", and
 * needs its key file named: there is no directory to keep one beside. */
static void test_postgresql_url_needs_key(void **state)
{
    (void)state;
    vg_err err = {{0}};
    const char *urls[] = {"postgresql://vigil:secret-pw@localhost/vigil",
                          "postgres://vigil:secret-pw@localhost:5433/vigil"};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(open_fails(urls[i], NULL, &err), VG_ERR_INVALID);
        assert_non_null(strstr(err.msg, "a postgresql store needs its key file named"));
        assert_null(strstr(err.msg, "secret-pw"));
        assert_false(exists("postgresql:"));
        assert_false(exists("postgres:"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ciphertext_on_disk),
        cmocka_unit_test(test_key_file_created_0600),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_missing_key),
        cmocka_unit_test(test_loose_key_mode),
        cmocka_unit_test(test_short_key),
        cmocka_unit_test(test_newer_schema),
        cmocka_unit_test(test_not_a_vigil_database),
        cmocka_unit_test(test_postgresql_url_needs_key),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
