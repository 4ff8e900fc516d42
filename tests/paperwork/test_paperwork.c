/* test_paperwork.c — a document from its inputs (no store): the same
 * inputs give the same bytes in every format; the warning of a model
 * without a group evaluation is there without one and gone with one; the
 * child, the expired list and a quality override land in their sections;
 * every row has a source; the fields a person completes are listed as
 * blank; text from users is escaped in HTML and Markdown; the HTML is for
 * A4 and loads nothing; bad kinds and formats are refused. */
#include "vg_test.h"

#include <string.h>

#include "paperwork/paperwork.h"

static const char *const INPUTS =
    "{\"kind\":\"%s\",\"deployment\":{\"name\":\"street\",\"watchlist\":\"wanted\",\"location\":\"High <script>x</script> St | 2\","
    "\"cameras\":2,\"starts_at\":\"2027-01-05T00:00:00Z\",\"ends_at\":\"2027-01-06T00:00:00Z\",\"ended_at\":\"\","
    "\"window_end\":\"2027-01-06T00:00:00Z\",\"authorised_by\":\"Supt A\",\"signage_confirmed\":true,"
    "\"threshold\":\"0.6\",\"threshold_is_default\":false,\"model\":\"m.onnx:ab\",\"detector\":\"ultraface\","
    "\"created_by\":\"admin\",\"ended_by\":\"\",\"created_at\":\"2026-12-01T00:00:00Z\"},"
    "\"watchlist\":{\"name\":\"wanted\",\"reason\":\"warrants\",\"authorised_by\":\"Supt A\",\"created_at\":\"2026-12-01T00:00:00Z\","
    "\"expires_at\":\"2027-01-01T00:00:00Z\",\"expiry_state\":\"expired before the deployment's start\",\"max_size\":0,"
    "\"subjects\":3,\"templates\":3,\"by_category\":{\"missing\":1,\"wanted\":2},\"by_reason\":{\"warrants\":3},"
    "\"by_source\":{\"custody\":3},\"subject_expiry\":{\"none\":0,\"before_start\":3,\"during_window\":0,\"after_window\":0},"
    "\"under_18\":[{\"subject_id\":4,\"age_at_start\":14,\"justification\":\"missing child at risk\",\"authorised_by\":\"Supt A\"}],"
    "\"low_quality_subjects\":1,\"quarantined\":0},"
    "\"calibration\":{\"source\":\"the default calibration file c.txt\",\"model\":\"m.onnx:ab\",\"calibrated_size\":10,"
    "\"nonmated\":5000,\"above_threshold\":1,\"rate_per_face\":\"0.0002\",\"rate_ci95_low\":\"3.5e-05\","
    "\"rate_ci95_high\":\"0.00113\",\"at_least\":false,\"interval\":\"Wilson\"},"
    "\"evaluations\":%s,"
    "\"watchlist_changes\":[],\"refusals_overrides\":[{\"seq\":4,\"time\":\"2026-12-01T00:00:00Z\",\"actor\":\"admin\","
    "\"action\":\"subject.add\",\"object\":\"subject:5\",\"details\":{\"low_quality\":[{\"supervisor\":\"Sgt B\","
    "\"justification\":\"only photo\"}]}}],"
    "\"audit\":{\"intact\":true,\"first_bad_seq\":0,\"problem\":\"\",\"head_at_window_end\":{\"seq\":9,\"hash\":\"ff\","
    "\"time\":\"2026-12-01T00:00:00Z\"},\"checkpoints\":\"none\"},"
    "\"retention\":{\"alert_days\":31,\"source\":\"default\"},"
    "\"operation\":{\"frames_in\":10,\"frames_dropped\":0,\"faces\":10000,\"tracks\":10,\"alerts\":5,\"confirmed\":2,"
    "\"rejected\":3,\"no_action\":0,\"pending\":0,\"runs\":1,\"runs_unclean\":0,\"false_alerts_per_face\":\"0.0003\","
    "\"false_alert_rate_ci95_low\":\"1e-4\",\"false_alert_rate_ci95_high\":\"0.0009\",\"authorised_hours\":\"24\","
    "\"source\":\"report\"}}";

static const char *const GROUPS_RUN =
    "[{\"id\":3,\"kind\":\"groups\",\"date\":\"2026-12-01T00:00:00Z\",\"by\":\"analyst\",\"model\":\"m.onnx:ab\","
    "\"dataset\":\"/data/x\",\"labels_sha256\":\"abcd\",\"command\":\"vigil eval groups --record\",\"summary\":{"
    "\"groups\":[{\"group\":\"A\",\"subjects\":60,\"mated\":120,\"false_non_matches\":12,\"fnmr\":{\"value\":0.1,"
    "\"ci95\":[0.05,0.15]},\"nonmated\":1770,\"false_matches\":11,\"fmr\":{\"value\":0.0062,\"ci95\":[0.003,0.01]}}],"
    "\"fmr_differential\":{\"highest\":null,\"ratio\":null},\"fnmr_differential\":{\"highest\":null,\"ratio\":null},"
    "\"warnings\":[]}}]";

static json_t *inputs(const char *kind, int with_groups)
{
    char buf[8192];
    snprintf(buf, sizeof buf, INPUTS, kind, with_groups ? GROUPS_RUN : "[]");
    json_error_t je;
    json_t *j = json_loads(buf, 0, &je);
    if (!j)
        fail_msg("inputs: %s at %d", je.text, je.position);
    return j;
}

static char *render(const json_t *in, const char *format)
{
    char *out = NULL;
    size_t len = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_paperwork_render(in, format, 2, "00ff", &out, &len, &err), VG_OK);
    assert_int_equal(strlen(out), len);
    return out;
}

static void test_same_bytes_and_escaping(void **state)
{
    (void)state;
    static const char *const kinds[] = {"dpia", "eia", "watchlist-criteria", "authorisation", "review"};
    static const char *const formats[] = {"html", "md", "json"};
    for (int k = 0; k < 5; k++)
        for (int f = 0; f < 3; f++) {
            json_t *in = inputs(kinds[k], 1);
            char *a = render(in, formats[f]), *b = render(in, formats[f]);
            assert_string_equal(a, b);
            if (f != 2) /* JSON holds the text as data */
                assert_null(strstr(a, "<script>"));
            if (f == 0) {
                assert_non_null(strstr(a, "High &lt;script&gt;x&lt;/script&gt; St | 2"));
                assert_non_null(strstr(a, "@page{size:A4"));
                assert_null(strstr(a, "src="));
                assert_null(strstr(a, "href="));
                assert_non_null(strstr(a, "does not replace"));
                assert_non_null(strstr(a, "TO COMPLETE: legal basis"));
            } else if (f == 1) {
                assert_non_null(strstr(a, "High &lt;script>x&lt;/script> St \\| 2"));
            }
            free(a);
            free(b);
            json_decref(in);
        }
}

static void test_sections_and_warnings(void **state)
{
    (void)state;
    for (int g = 0; g < 2; g++)
        for (int k = 0; k < 2; k++) {
            json_t *in = inputs(k ? "eia" : "dpia", g);
            char *doc = render(in, "json");
            json_t *d = json_loads(doc, 0, NULL);
            assert_non_null(d);
            const char *w = json_string_value(json_array_get(json_object_get(d, "warnings"), 0));
            int warned = w && strstr(w, "NO GROUP EVALUATION ON RECORD for the model m.onnx:ab") != NULL;
            assert_int_equal(warned, !g);
            json_t *blank = json_object_get(d, "blank_fields");
            static const char *const must[] = {"legal basis", "necessity and proportionality", "community engagement"};
            for (int m = 0; m < 3; m++) {
                int found = 0;
                for (size_t i = 0; i < json_array_size(blank); i++)
                    found |= !strcmp(json_string_value(json_array_get(blank, i)), must[m]);
                assert_true(found);
            }
            /* every row names its source */
            size_t i, j;
            json_t *s, *r;
            json_array_foreach(json_object_get(d, "sections"), i, s) json_array_foreach(json_object_get(s, "rows"), j, r)
                assert_true(strlen(json_string_value(json_object_get(r, "source"))) > 0);
            if (g && k)
                assert_non_null(strstr(doc, "false-match rate 0.0062 (95 % CI 0.003 to 0.01; 11 of 1770)"));
            json_decref(d);
            free(doc);
            json_decref(in);
        }
    /* the child, the expired list, the override: each in its section */
    json_t *in = inputs("review", 1);
    char *md = render(in, "md");
    const char *children = strstr(md, "Children (under 18");
    assert_non_null(children);
    assert_non_null(strstr(children, "subject 4, aged 14: justification \"missing child at risk\""));
    const char *expiry = strstr(md, ". Expiry");
    assert_non_null(expiry);
    assert_non_null(strstr(expiry, "2027-01-01T00:00:00Z (expired before the deployment's start)"));
    const char *over = strstr(md, "Refusals and overrides");
    assert_non_null(over);
    assert_non_null(strstr(over, "Sgt B"));
    assert_true(strstr(over, "Sgt B") < strstr(md, "Watch-list composition"));
    assert_non_null(strstr(md, "**WARNING:** The watch list wanted expired"));
    assert_non_null(strstr(md, "yes: the observed rate is not above the predicted interval"));
    free(md);
    json_decref(in);
}

static void test_refusals(void **state)
{
    (void)state;
    json_t *in = inputs("dpia", 0);
    char *out = NULL;
    size_t len = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_paperwork_render(in, "pdf", 1, "", &out, &len, &err), VG_ERR_INVALID);
    assert_null(out);
    json_object_set_new(in, "kind", json_string("memo"));
    assert_int_equal(vg_paperwork_render(in, "html", 1, "", &out, &len, &err), VG_ERR_INVALID);
    assert_null(out);
    json_decref(in);
    assert_false(vg_paperwork_kind_ok(NULL));
    assert_false(vg_paperwork_kind_ok("DPIA"));
    assert_true(vg_paperwork_kind_ok("watchlist-criteria"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_bytes_and_escaping),
        cmocka_unit_test(test_sections_and_warnings),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
