/* test_log.c — the one logfmt writer (vigil/log.h): plain values bare,
 * values with spaces, '=', quotes, backslashes or control characters quoted
 * and escaped, NULL and "" as "", and a line too long for the buffer cut
 * without losing its closing quote. */
#include "vg_test.h"

#include "vigil/log.h"

static void captured(void *ctx, const char *line)
{
    snprintf(ctx, VG_LOG_LINE_MAX, "%s", line);
}

static void quoting(void **state)
{
    (void)state;
    vg_log_line l;
    vg_log_start(&l, "alert");
    vg_log_str(&l, "camera", "door");
    vg_log_fmt(&l, "score", "%.4f", 0.61234);
    vg_log_str(&l, "url", "/srv/door \"A\" = east.mp4");
    vg_log_str(&l, "path", "c:\\x");
    vg_log_str(&l, "reason", "two\nlines");
    vg_log_str(&l, "empty", "");
    vg_log_str(&l, "none", NULL);
    char got[VG_LOG_LINE_MAX] = "";
    vg_log_emit(captured, got, &l);
    assert_string_equal(got, "event=alert camera=door score=0.6123 url=\"/srv/door \\\"A\\\" = east.mp4\" "
                             "path=\"c:\\\\x\" reason=\"two lines\" empty=\"\" none=\"\"");
    vg_log_emit(NULL, got, &l); /* no callback: nothing, no crash */
}

static void cut_lines_stay_parseable(void **state)
{
    (void)state;
    char big[3000];
    memset(big, '"', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    vg_log_line l;
    vg_log_start(&l, "error");
    vg_log_str(&l, "reason", big);
    vg_log_str(&l, "after", "x"); /* no room left: not written at all */
    assert_true(l.len < sizeof l.buf);
    assert_int_equal(l.buf[l.len - 1], '"');
    assert_null(strstr(l.buf, "after="));
    /* every quote inside is escaped: the value's quotes pair up */
    const char *v = strchr(l.buf, '"') + 1;
    size_t n = strlen(v) - 1;
    for (size_t i = 0; i < n; i += 2)
        assert_true(v[i] == '\\' && v[i + 1] == '"');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quoting),
        cmocka_unit_test(cut_lines_stay_parseable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
