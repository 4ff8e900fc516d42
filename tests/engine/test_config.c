/* test_config.c — the config loaders (engine and server) read a file
 * strictly: a line too long for inih is refused by number instead of being
 * split (so a long comment cannot set a key), and a duplicate key, a hex or
 * fractional whole number, a NUL byte, a directory, an empty file, an
 * indented continuation, an unknown section (at its header, even with no
 * key) are each refused as "file:LINE: what", changing nothing; the
 * server's [audit] section (periodic checkpoints) and its refusals. */
#include "vg_test.h"

#include <unistd.h>

#include "vigil/engine.h"
#include "vigil/server.h"

typedef struct fixture {
    char dir[64];
    char path[128];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/vg_config_XXXXXX");
    if (!f || !mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/c.ini", f->dir);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    unlink(f->path);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void write_file(const fixture *f, const char *text, size_t len)
{
    FILE *fp = fopen(f->path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    fclose(fp);
}

/* Loads text with the engine's loader (sharing the file with the server's);
 * returns the status and leaves the message in err. */
static vg_status load(const fixture *f, const char *text, vg_engine_config *cfg, vg_err *err)
{
    write_file(f, text, strlen(text));
    int mf = 0;
    memset(err, 0, sizeof *err);
    return vg_engine_config_load_shared(f->path, vg_server_config_sections, cfg, &mf, err);
}

/* The message must start with "PATH:LINE: " and hold want. */
static void expect_error(const fixture *f, const char *text, int line, const char *want)
{
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vg_err err;
    vg_status st = load(f, text, &cfg, &err);
    char prefix[192];
    snprintf(prefix, sizeof prefix, "%s:%d: ", f->path, line);
    if (st == VG_OK || strncmp(err.msg, prefix, strlen(prefix)) || !strstr(err.msg, want))
        fail_msg("expected \"%s...%s\", got status %d: %s", prefix, want, st, err.msg);
    assert_true(cfg.threshold == 0 && cfg.workers == 0); /* nothing changed */
}

static char *long_line(const char *head, size_t len, const char *tail)
{
    char *s = malloc(len + strlen(tail) + 2);
    memset(s, 'x', len);
    memcpy(s, head, strlen(head));
    s[len] = '\0';
    strcat(s, tail);
    return s;
}

static void test_long_comment_cannot_set_a_key(void **state)
{
    fixture *f = *state;
    /* a comment of 230 bytes whose bytes 200 on read "threshold=0.9": inih
     * would read them as a line of their own */
    char *comment = long_line("; ", 199, "threshold=0.9");
    char text[512];
    snprintf(text, sizeof text, "[engine]\n%s\nworkers = 2\n", comment);
    free(comment);
    expect_error(f, text, 2, "the line is 212 bytes long, over the limit of 199");
}

static void test_long_valid_line_refused_at_its_number(void **state)
{
    fixture *f = *state;
    char *value = long_line("threshold = 0.5", 220, "");
    char text[512];
    snprintf(text, sizeof text, "[engine]\n; a comment\n\n%s\n", value);
    free(value);
    expect_error(f, text, 4, "over the limit of 199");
}

static void test_line_at_the_limit_is_read(void **state)
{
    fixture *f = *state;
    /* "threshold = 0.5" padded with spaces and an inline comment to 199 bytes */
    char line[256];
    int n = snprintf(line, sizeof line, "threshold = 0.5 ;");
    memset(line + n, 'c', 199 - (size_t)n);
    line[199] = '\0';
    char text[300];
    snprintf(text, sizeof text, "[engine]\n%s\n", line);
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vg_err err;
    assert_int_equal(load(f, text, &cfg, &err), VG_OK);
    assert_true(cfg.threshold > 0.49f && cfg.threshold < 0.51f);
}

static void test_duplicate_key(void **state)
{
    fixture *f = *state;
    expect_error(f, "[engine]\nthreshold = 0.5\nworkers = 2\nthreshold = 0.6\n", 4,
                 "duplicate key 'threshold' in [engine] (first set on line 2)");
    /* across two headers of the same section too */
    expect_error(f, "[engine]\nworkers = 2\n[source]\nloop = 1\n[engine]\nworkers = 3\n", 6,
                 "duplicate key 'workers' in [engine]");
}

static void test_numbers_are_decimal(void **state)
{
    fixture *f = *state;
    expect_error(f, "[engine]\nworkers = 0x2\n", 2, "[engine] workers: '0x2' is not a whole number from 1 to 64");
    expect_error(f, "[engine]\nworkers = 2.5\n", 2, "'2.5' is not a whole number");
    expect_error(f, "[engine]\nthreshold = 0x1p-1\n", 2, "'0x1p-1' is not a number from 0.01 to 0.99");
    expect_error(f, "[engine]\nthreshold = nan\n", 2, "is not a number");
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vg_err err;
    assert_int_equal(load(f, "[engine]\nthreshold = 5e-1\nworkers = +3\n", &cfg, &err), VG_OK);
    assert_int_equal(cfg.workers, 3);
}

static void test_nul_byte(void **state)
{
    fixture *f = *state;
    const char text[] = "[engine]\nworkers = 2\0threshold = 0.9\nloop_typo = 1\n";
    write_file(f, text, sizeof text - 1);
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int mf = 0;
    vg_err err = {{0}};
    assert_int_not_equal(vg_engine_config_load(f->path, &cfg, &mf, &err), VG_OK);
    char want[192];
    snprintf(want, sizeof want, "%s:2: a NUL byte at column 12", f->path);
    assert_string_equal(err.msg, want);
    assert_int_equal(cfg.workers, 0);
}

/* issue 14, point 15: a config is text; a Latin-1 byte (an editor's) or any
 * other malformed UTF-8 is refused by line and column, not carried on into
 * camera names, logs and the audit chain. */
static void test_not_utf8(void **state)
{
    fixture *f = *state;
    expect_error(f, "[engine]\nworkers = 2\n; caf\xe9 du coin\n", 3, "not valid UTF-8 at column 6");
    expect_error(f, "[engine]\nworkers = 2\xed\xa0\x80\n", 2, "not valid UTF-8 at column 12");
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vg_err err;
    assert_int_equal(load(f, "[engine]\n; caf\xc3\xa9\nworkers = 2\n", &cfg, &err), VG_OK);
    assert_int_equal(cfg.workers, 2);
}

static void test_directory_and_empty_files(void **state)
{
    fixture *f = *state;
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    int mf = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_engine_config_load(f->dir, &cfg, &mf, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, "not a regular file (a directory)"));
    assert_int_not_equal(load(f, "", &cfg, &err), VG_OK);
    assert_non_null(strstr(err.msg, "c.ini: the file is empty"));
    assert_int_not_equal(load(f, "; only a comment\n\n", &cfg, &err), VG_OK);
    assert_non_null(strstr(err.msg, "c.ini: the file has no section and no key"));
    vg_server_settings s;
    memset(&s, 0, sizeof s);
    assert_int_equal(vg_server_settings_load(f->dir, &s, &err), VG_ERR_INVALID);
}

static void test_detect_and_track(void **state)
{
    fixture *f = *state;
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vg_err err;
    assert_int_equal(load(f, "[engine]\nfull_detect_hz = 5\nregion_margin = 0.75\n", &cfg, &err), VG_OK);
    assert_true(cfg.full_detect_hz == 5.0 && cfg.region_margin == 0.75f);
    /* 0: every frame searched whole, kept apart from "not set" */
    assert_int_equal(load(f, "[engine]\nfull_detect_hz = 0\n", &cfg, &err), VG_OK);
    assert_true(cfg.full_detect_hz < 0);
    expect_error(f, "[engine]\nfull_detect_hz = -1\n", 2, "[engine] full_detect_hz: '-1' is not a number from 0 to 1000");
    expect_error(f, "[engine]\nregion_margin = 0\n", 2, "[engine] region_margin: '0' is not a number from 0.1 to 4");
    /* [infer] provider: cpu or cuda */
    assert_int_equal(load(f, "[infer]\nprovider = cuda\n", &cfg, &err), VG_OK);
    assert_string_equal(cfg.infer_provider, "cuda");
    expect_error(f, "[infer]\nprovider = gpu\n", 2, "[infer] provider: 'gpu' is not cpu or cuda");
    /* [engine] landmark_fit: the names --landmark-fit takes */
    assert_int_equal(load(f, "[engine]\nlandmark_fit = mirror+refine\n", &cfg, &err), VG_OK);
    assert_string_equal(cfg.landmark_fit, "mirror+refine");
    assert_int_equal(vg_face_fit_parse(cfg.landmark_fit), VG_FACE_FIT_MIRROR | VG_FACE_FIT_REFINE);
    expect_error(f, "[engine]\nlandmark_fit = twice\n", 2,
                 "[engine] landmark_fit: 'twice' is not once, mirror, refine or mirror+refine");
}

static void test_unknown_key_and_sections(void **state)
{
    fixture *f = *state;
    expect_error(f, "[engine]\nworkers = 2\ntreshold = 0.5\n", 3, "unknown key 'treshold' in [engine]");
    /* at the header's line, not its first key's */
    expect_error(f, "[engine]\nworkers = 2\n\n[engnie]\n; a comment\nthreshold = 0.5\n", 4,
                 "unknown section [engnie] (known: [engine], [source], [retention], [deployment], [spool], [infer], [http], "
                 "[webhook], [audit], [console])");
    /* even with no key under it */
    expect_error(f, "[engine]\nworkers = 2\n[retension]\n", 3, "unknown section [retension]");
    expect_error(f, "workers = 2\n", 1, "key 'workers' before any [section]");
    expect_error(f, "[engine\nworkers = 2\n", 1, "a section header without ']'");
}

static void test_indented_continuation(void **state)
{
    fixture *f = *state;
    expect_error(f, "[engine]\nworkers = 2\n  threshold = 0.9\n", 3, "an indented line would continue");
}

static void test_earlier_fault_first(void **state)
{
    fixture *f = *state;
    char *comment = long_line("; ", 250, "");
    char text[512];
    snprintf(text, sizeof text, "[engine]\nworkers = 99\n%s\n", comment);
    free(comment);
    expect_error(f, text, 2, "'99' is not a whole number from 1 to 64");
}

static void test_shared_file(void **state)
{
    fixture *f = *state;
    const char *text = "[engine]\nworkers = 2\n[http]\nlisten = 127.0.0.1:0\n[webhook]\n"
                       "url = http://127.0.0.1:9/a\nurl = http://127.0.0.1:9/b\nsecret_file = /dev/null\n"
                       "[spool]\npath = /mnt/other/alerts.spool\n";
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vg_err err = {{0}};
    assert_int_equal(load(f, text, &cfg, &err), VG_OK);
    assert_int_equal(cfg.workers, 2);
    assert_string_equal(cfg.spool_path, "/mnt/other/alerts.spool"); /* the spool on another filesystem */
    vg_server_settings s;
    memset(&s, 0, sizeof s);
    assert_int_equal(vg_server_settings_load(f->path, &s, &err), VG_OK);
    assert_int_equal(s.n_webhooks, 2); /* url may be repeated */
    const char *dup = "[http]\nlisten = 127.0.0.1:0\nlisten = 127.0.0.1:1\n";
    write_file(f, dup, strlen(dup));
    memset(&s, 0, sizeof s);
    assert_int_not_equal(vg_server_settings_load(f->path, &s, &err), VG_OK);
    char want[192];
    snprintf(want, sizeof want, "%s:3: duplicate key 'listen' in [http] (first set on line 2)", f->path);
    assert_string_equal(err.msg, want);
    assert_string_equal(s.listen, "");
    const char *typo = "[http]\nbody_mx = 100000\n";
    write_file(f, typo, strlen(typo));
    assert_int_not_equal(vg_server_settings_load(f->path, &s, &err), VG_OK);
    snprintf(want, sizeof want, "%s:2: unknown key 'body_mx' in [http]", f->path);
    assert_string_equal(err.msg, want);
}

/* [audit]: the periodic checkpoints of serve and run. An interval without
 * a place to export to, a place without an interval, a syslog target that
 * is not udp:// and an interval that is not a number of seconds are each
 * refused naming the file, and change nothing. */
static void test_audit_section(void **state)
{
    fixture *f = *state;
    const char *ok = "[engine]\nworkers = 2\n[audit]\ncheckpoint_interval = 3600\n"
                     "checkpoint_file = /var/lib/vigil/checkpoints\ncheckpoint_syslog = udp://127.0.0.1:514\n"
                     "sign_key = /etc/vigil/sign.key\n";
    vg_engine_config cfg;
    memset(&cfg, 0, sizeof cfg);
    vg_err err = {{0}};
    assert_int_equal(load(f, ok, &cfg, &err), VG_OK); /* the engine's loader skips [audit] */
    vg_server_settings s;
    memset(&s, 0, sizeof s);
    assert_int_equal(vg_server_settings_load(f->path, &s, &err), VG_OK);
    assert_int_equal(s.checkpoint_interval, 3600);
    assert_string_equal(s.checkpoint_file, "/var/lib/vigil/checkpoints");
    assert_string_equal(s.checkpoint_syslog, "udp://127.0.0.1:514");
    assert_string_equal(s.sign_key, "/etc/vigil/sign.key");
    static const struct {
        const char *text, *want;
    } bad[] = {
        {"[audit]\ncheckpoint_interval = 60\n", "checkpoint_interval needs checkpoint_file or checkpoint_syslog"},
        {"[audit]\ncheckpoint_file = /tmp/x\n", "need checkpoint_interval"},
        {"[audit]\ncheckpoint_interval = 1h\ncheckpoint_file = /tmp/x\n", "c.ini:2: [audit] checkpoint_interval: '1h'"},
        {"[audit]\ncheckpoint_interval = -5\ncheckpoint_file = /tmp/x\n", "is not a number of seconds"},
        {"[audit]\ncheckpoint_interval = 60\ncheckpoint_syslog = tcp://h:514\n", "c.ini:3: [audit] checkpoint_syslog: not a udp://"},
        {"[audit]\ncheckpoint_intervall = 60\n", "unknown key 'checkpoint_intervall' in [audit]"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        write_file(f, bad[i].text, strlen(bad[i].text));
        memset(&s, 0, sizeof s);
        vg_status st = vg_server_settings_load(f->path, &s, &err);
        if (st == VG_OK || !strstr(err.msg, bad[i].want))
            fail_msg("%s: expected \"%s\", got status %d: %s", bad[i].text, bad[i].want, st, err.msg);
        assert_int_equal(s.checkpoint_interval, 0);
        assert_string_equal(s.checkpoint_file, "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_long_comment_cannot_set_a_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_valid_line_refused_at_its_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_line_at_the_limit_is_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers_are_decimal, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nul_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_directory_and_empty_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_key_and_sections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_detect_and_track, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indented_continuation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_earlier_fault_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shared_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_audit_section, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
