/* test_eval_labels.c — the one reader of LFW's known label errors and its
 * one alias rule (src/eval/labels.c), on files written here: aliases join
 * names transitively (alias A B and alias C B make one identity, known by
 * A), misfiled images show their person under that person's canonical
 * name, comments and blank lines are skipped, a bad line is an error that
 * names its line, a missing file is no error and no entry. Then the rule
 * at work on LFW's own file when the test data is present. */
#include "vg_test.h"

#include <unistd.h>

#include "eval/eval.h"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void alias_rule(void **state)
{
    (void)state;
    char path[] = "/tmp/vg-labels-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "# known label errors\n\n"
                     "alias Ann_A Ann_B   # one person, two names\n"
                     "alias Cy_C Ann_B\n"
                     "alias Dee_D Eve_E\n"
                     "misfiled Gus_G/Gus_G_0002.jpg Cy_C\n"
                     "misfiled Hal_H/Hal_H_0001.jpg Ivy_I\n");
    vg_eval_labels *l = malloc(sizeof *l);
    assert_non_null(l);
    int found = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_eval_labels_load(path, l, &found, &err), VG_OK);
    assert_int_equal(found, 1);
    assert_int_equal(l->n, 5);
    assert_int_equal(l->e[1].line, 4);
    assert_int_equal(l->e[3].misfiled, 1);
    /* one identity of three names, known by the first name of its first entry */
    assert_string_equal(vg_eval_labels_canon(l, "Ann_A"), "Ann_A");
    assert_string_equal(vg_eval_labels_canon(l, "Ann_B"), "Ann_A");
    assert_string_equal(vg_eval_labels_canon(l, "Cy_C"), "Ann_A");
    assert_string_equal(vg_eval_labels_canon(l, "Eve_E"), "Dee_D");
    assert_string_equal(vg_eval_labels_canon(l, "Zed_Z"), "Zed_Z");
    /* a misfiled image shows its person, canonical; other images their folder's */
    assert_string_equal(vg_eval_labels_truth(l, "/d/Gus_G/Gus_G_0002.jpg", "Gus_G"), "Ann_A");
    assert_string_equal(vg_eval_labels_truth(l, "/d/Gus_G/Gus_G_0001.jpg", "Gus_G"), "Gus_G");
    assert_string_equal(vg_eval_labels_truth(l, "/d/Hal_H/Hal_H_0001.jpg", "Hal_H"), "Ivy_I");
    assert_string_equal(vg_eval_labels_truth(l, "/d/XHal_H/Hal_H_0001.jpg", "XHal_H"), "XHal_H");
    assert_string_equal(vg_eval_labels_truth(l, "/d/Cy_C/Cy_C_0001.jpg", "Cy_C"), "Ann_A");

    /* a bad line: an error naming it, whatever came before */
    write_file(path, "alias A B\nalias C\n");
    assert_int_equal(vg_eval_labels_load(path, l, &found, &err), VG_ERR_INVALID);
    assert_non_null(strstr(err.msg, ":2: expected 'alias A B' or 'misfiled IMAGE PERSON'"));
    write_file(path, "renamed A B\n");
    assert_int_equal(vg_eval_labels_load(path, l, &found, &err), VG_ERR_INVALID);
    /* no file: no entry, no error */
    unlink(path);
    assert_int_equal(vg_eval_labels_load(path, l, &found, &err), VG_OK);
    assert_int_equal(found, 0);
    assert_int_equal(l->n, 0);
    assert_string_equal(vg_eval_labels_canon(l, "Ann_B"), "Ann_B");
    free(l);
}

static void lfw_file(void **state)
{
    (void)state;
    const char *data = vg_test_data_dir();
    char path[1024];
    if (data)
        snprintf(path, sizeof path, "%s/lfw/known-label-errors.txt", data);
    if (!data || access(path, R_OK) != 0) {
        fprintf(stderr, "LFW's known-label-errors.txt not found (set VIGIL_TEST_DATA): skipping\n");
        skip();
    }
    vg_eval_labels *l = malloc(sizeof *l);
    assert_non_null(l);
    int found = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_eval_labels_load(path, l, &found, &err), VG_OK);
    assert_true(found && l->n >= 10);
    assert_string_equal(vg_eval_labels_canon(l, "Joseph_Blatter"), "Sepp_Blatter");
    assert_string_equal(vg_eval_labels_canon(l, "Sepp_Blatter"), "Sepp_Blatter");
    assert_string_equal(vg_eval_labels_truth(l, "x/Recep_Tayyip_Erdogan/Recep_Tayyip_Erdogan_0004.jpg",
                                             "Recep_Tayyip_Erdogan"),
                        "Abdullah_Gul");
    free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(alias_rule),
        cmocka_unit_test(lfw_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
