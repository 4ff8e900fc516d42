/* test_engine_cooldown.c — the per-camera alert cooldown: a subject alerted
 * on a camera is not alerted again there within the cooldown (stream time),
 * is again after it, other subjects are independent, time going back starts
 * afresh, and the table keeps the latest subjects when it is full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "engine/engine_internal.h"

static void test_cooldown(void **state)
{
    (void)state;
    static camera c; /* large (view slot); zeroed */
    memset(&c, 0, sizeof c);
    assert_int_equal(vg_camera_cooldown(&c, 7, 100.0, 30.0), 0);  /* first: raised */
    assert_int_equal(vg_camera_cooldown(&c, 7, 100.5, 30.0), 1);  /* a broken track's piece */
    assert_int_equal(vg_camera_cooldown(&c, 7, 129.9, 30.0), 1);
    assert_int_equal(vg_camera_cooldown(&c, 8, 110.0, 30.0), 0);  /* someone else */
    assert_int_equal(vg_camera_cooldown(&c, 7, 130.0, 30.0), 0);  /* after the cooldown */
    assert_int_equal(vg_camera_cooldown(&c, 7, 140.0, 30.0), 1);  /* counted from the last raise */
    assert_int_equal(vg_camera_cooldown(&c, 7, 5.0, 30.0), 0);    /* time went back: afresh */
    assert_int_equal(c.n_recent, 2);
}

static void test_full_table(void **state)
{
    (void)state;
    static camera c;
    memset(&c, 0, sizeof c);
    for (int i = 0; i < VG_RECENT_ALERTS; i++)
        assert_int_equal(vg_camera_cooldown(&c, 100 + i, 10.0 + i, 1000.0), 0);
    assert_int_equal(c.n_recent, VG_RECENT_ALERTS);
    /* one more subject takes the oldest slot (subject 100) */
    assert_int_equal(vg_camera_cooldown(&c, 999, 100.0, 1000.0), 0);
    assert_int_equal(c.n_recent, VG_RECENT_ALERTS);
    assert_int_equal(vg_camera_cooldown(&c, 999, 101.0, 1000.0), 1);
    assert_int_equal(vg_camera_cooldown(&c, 101, 102.0, 1000.0), 1); /* still kept */
    assert_int_equal(vg_camera_cooldown(&c, 100, 103.0, 1000.0), 0); /* forgotten: raised */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cooldown),
        cmocka_unit_test(test_full_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
