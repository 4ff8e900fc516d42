/* test_body.c — the request-body parsers (src/server/body.c) directly:
 * each error names its field (or none, for the body as a whole), photos
 * decode from base64 with or without padding, line breaks or a data-URL
 * prefix, and what is accepted is exactly what was sent. */
#include "vg_test.h"

#include "server/body.h"

#define PARSE(fn, text, out) fn(text, strlen(text), out, field, msg)

static void whole_body_errors(void **state)
{
    (void)state;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    vg_body_token t;
    assert_int_equal(vg_body_parse_token(NULL, 0, &t, field, msg), VG_ERR_INVALID);
    assert_string_equal(field, "");
    assert_string_equal(msg, "a JSON object body is required");
    assert_int_equal(PARSE(vg_body_parse_token, "{\"name\": ", &t), VG_ERR_INVALID);
    assert_string_equal(field, "");
    assert_non_null(strstr(msg, "malformed JSON at line 1"));
    assert_int_equal(PARSE(vg_body_parse_token, "[\"text\"]", &t), VG_ERR_INVALID);
    assert_string_equal(msg, "the body must be a JSON object");
    assert_int_equal(PARSE(vg_body_parse_token, "{\"name\":\"a\",\"name\":\"b\",\"role\":\"admin\"}", &t), VG_ERR_INVALID);
    assert_non_null(strstr(msg, "duplicate"));
}

static void fields_named(void **state)
{
    (void)state;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    vg_body_watchlist w;
    static const struct {
        const char *body, *field, *msg;
    } cases[] = {
        {"{\"reason\":\"r\",\"authorised_by\":\"a\"}", "name", "name is required (a string)"},
        {"{\"name\":\"\",\"reason\":\"r\",\"authorised_by\":\"a\"}", "name", "name must not be empty"},
        {"{\"name\":true,\"reason\":\"r\",\"authorised_by\":\"a\"}", "name", "name must be a string"},
        {"{\"name\":\"a\\u0000b\",\"reason\":\"r\",\"authorised_by\":\"a\"}", "", "NUL"}, /* jansson refuses it */
        {"{\"name\":\"a\\tb\",\"reason\":\"r\",\"authorised_by\":\"a\"}", "name", "one line"},
        {"{\"name\":\"n\",\"reason\":\"r\",\"authorised_by\":\"a\",\"max_size\":-1}", "max_size", "from 0 to"},
        {"{\"name\":\"n\",\"reason\":\"r\",\"authorised_by\":\"a\",\"expires_at\":1.5}", "expires_at", "an integer"},
        {"{\"name\":\"n\",\"reason\":\"r\",\"authorised_by\":\"a\",\"colour\":\"red\"}", "colour", "unknown field"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(PARSE(vg_body_parse_watchlist, cases[i].body, &w), VG_ERR_INVALID);
        assert_string_equal(field, cases[i].field);
        if (!strstr(msg, cases[i].msg))
            fail_msg("%s: \"%s\" lacks \"%s\"", cases[i].body, msg, cases[i].msg);
    }
    /* a name of exactly the limit passes, one byte more does not */
    char big[VG_STORE_NAME_MAX + 100];
    char name[VG_STORE_NAME_MAX + 2];
    memset(name, 'x', sizeof name);
    name[VG_STORE_NAME_MAX] = '\0';
    snprintf(big, sizeof big, "{\"name\":\"%s\",\"reason\":\"r\",\"authorised_by\":\"a\"}", name);
    assert_int_equal(PARSE(vg_body_parse_watchlist, big, &w), VG_OK);
    assert_int_equal(strlen(w.name), VG_STORE_NAME_MAX);
    name[VG_STORE_NAME_MAX] = 'x';
    name[VG_STORE_NAME_MAX + 1] = '\0';
    snprintf(big, sizeof big, "{\"name\":\"%s\",\"reason\":\"r\",\"authorised_by\":\"a\"}", name);
    assert_int_equal(PARSE(vg_body_parse_watchlist, big, &w), VG_ERR_INVALID);
    assert_string_equal(field, "name");
}

static void subject_and_photo(void **state)
{
    (void)state;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    vg_body_subject s;
    /* "hello!" in base64, in several spellings */
    static const char *const photos[] = {"aGVsbG8h", "aGVs\\nbG8h", "data:image/jpeg;base64,aGVsbG8h"};
    for (size_t i = 0; i < 3; i++) {
        char body[300];
        snprintf(body, sizeof body,
                 "{\"name\":\"<b>A</b>\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"%s\"}",
                 photos[i]);
        if (PARSE(vg_body_parse_subject, body, &s) != VG_OK)
            fail_msg("%s: %s %s", photos[i], field, msg);
        assert_int_equal(s.photo_len, 6);
        assert_memory_equal(s.photo, "hello!", 6);
        assert_string_equal(s.name, "<b>A</b>");
        assert_int_equal(s.face, -1);
        vg_body_subject_free(&s);
        assert_null(s.photo);
    }
    assert_int_equal(PARSE(vg_body_parse_subject,
                           "{\"name\":\"A\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"aGVsbG8\"}",
                           &s),
                     VG_OK); /* no padding */
    assert_int_equal(s.photo_len, 5);
    vg_body_subject_free(&s);
    static const struct {
        const char *extra, *field;
    } bad[] = {
        {"\"photo\":\"a$b\"", "photo"},
        {"\"photo\":\"\"", "photo"},
        {"\"photo\":null", "photo"},
        {"\"photo\":\"aGVsbG8h\",\"dob\":\"2010-13-01\"", "dob"},
        {"\"photo\":\"aGVsbG8h\",\"under_18\":\"yes\"", "under_18"},
        {"\"photo\":\"aGVsbG8h\",\"under_18\":true", "justification"},
        {"\"photo\":\"aGVsbG8h\",\"face\":64", "face"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char body[400];
        snprintf(body, sizeof body, "{\"name\":\"A\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",%s}",
                 bad[i].extra);
        assert_int_equal(PARSE(vg_body_parse_subject, body, &s), VG_ERR_INVALID);
        assert_string_equal(field, bad[i].field);
        assert_null(s.photo);
    }
    assert_int_equal(PARSE(vg_body_parse_subject,
                           "{\"name\":\"A\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"aGVsbG8h\","
                           "\"under_18\":true,\"justification\":\"missing person at risk\",\"dob\":\"2012-05-06\"}",
                           &s),
                     VG_OK);
    assert_true(s.under_18);
    assert_string_equal(s.dob, "2012-05-06");
    vg_body_subject_free(&s);
}

static void users_and_roles(void **state)
{
    (void)state;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    vg_body_user u;
    assert_int_equal(PARSE(vg_body_parse_user, "{\"name\":\"a\",\"role\":\"admin\",\"password\":\"1234567\"}", &u),
                     VG_ERR_INVALID);
    assert_string_equal(field, "password");
    assert_int_equal(PARSE(vg_body_parse_user, "{\"name\":\"a\",\"role\":\"Admin\",\"password\":\"12345678\"}", &u),
                     VG_ERR_INVALID);
    assert_string_equal(field, "role");
    assert_int_equal(PARSE(vg_body_parse_user, "{\"name\":\"a\",\"role\":\"admin\",\"password\":\"12345678\"}", &u),
                     VG_OK);
    vg_body_adjudicate a;
    assert_int_equal(PARSE(vg_body_parse_adjudicate, "{\"outcome\":\"maybe\"}", &a), VG_ERR_INVALID);
    assert_string_equal(field, "outcome");
    assert_int_equal(PARSE(vg_body_parse_adjudicate, "{\"outcome\":\"rejected\",\"note\":null}", &a), VG_OK);
    assert_string_equal(a.note, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(whole_body_errors),
        cmocka_unit_test(fields_named),
        cmocka_unit_test(subject_and_photo),
        cmocka_unit_test(users_and_roles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
