/* body.c — the request-body parsers: JSON (jansson, duplicate keys
 * refused) into the typed structs of body.h, every field checked for type,
 * length, range and form, unknown fields refused, each error naming its
 * field. Photos arrive as base64 (libsodium's decoder; a "data:...;base64,"
 * prefix is accepted) and leave as bytes. */
#include "server/body.h"

#include <jansson.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one parse is doing: the object and where its error goes. */
typedef struct parse {
    json_t *o;
    char *field, *msg;
} parse;

static vg_status fail(parse *p, const char *field, const char *fmt, ...)
{
    snprintf(p->field, VG_BODY_FIELD_MAX, "%s", field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, VG_BODY_MSG_MAX, fmt, ap);
    va_end(ap);
    return VG_ERR_INVALID;
}

/* Loads the body as an object whose keys are all in allowed (NULL-ended). */
static vg_status load(parse *p, const char *json, size_t len, const char *const *allowed)
{
    p->o = NULL;
    p->field[0] = p->msg[0] = '\0';
    if (!json || !len)
        return fail(p, "", "a JSON object body is required");
    json_error_t je;
    json_t *j = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        return fail(p, "", "malformed JSON at line %d, column %d: %s", je.line, je.column, je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        return fail(p, "", "the body must be a JSON object");
    }
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v)
    {
        int known = 0;
        for (int i = 0; allowed[i] && !known; i++)
            known = !strcmp(key, allowed[i]);
        if (!known) {
            char shown[VG_BODY_FIELD_MAX];
            snprintf(shown, sizeof shown, "%s", key);
            json_decref(j);
            return fail(p, shown, "unknown field \"%s\"", shown);
        }
    }
    p->o = j;
    return VG_OK;
}

/* A string field into dst (cap bytes with the NUL). Absent or null is ""
 * unless required. one_line refuses control characters (names). */
static vg_status str(parse *p, const char *key, int required, int one_line, char *dst, size_t cap)
{
    dst[0] = '\0';
    json_t *v = json_object_get(p->o, key);
    if (!v || json_is_null(v)) {
        if (required)
            return fail(p, key, "%s is required (a string)", key);
        return VG_OK;
    }
    if (!json_is_string(v))
        return fail(p, key, "%s must be a string", key);
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (strlen(s) != n)
        return fail(p, key, "%s must not contain a NUL character", key);
    if (required && n == 0)
        return fail(p, key, "%s must not be empty", key);
    if (n >= cap)
        return fail(p, key, "%s is %zu bytes, the limit is %zu", key, n, cap - 1);
    for (size_t i = 0; one_line && i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return fail(p, key, "%s must be one line without control characters", key);
    memcpy(dst, s, n + 1);
    return VG_OK;
}

/* An integer field in [lo, hi]; absent or null leaves *out = def. */
static vg_status integer(parse *p, const char *key, long long lo, long long hi, long long def, long long *out)
{
    *out = def;
    json_t *v = json_object_get(p->o, key);
    if (!v || json_is_null(v))
        return VG_OK;
    if (!json_is_integer(v))
        return fail(p, key, "%s must be an integer", key);
    long long x = (long long)json_integer_value(v);
    if (x < lo || x > hi)
        return fail(p, key, "%s must be from %lld to %lld", key, lo, hi);
    *out = x;
    return VG_OK;
}

static vg_status boolean(parse *p, const char *key, int *out)
{
    *out = 0;
    json_t *v = json_object_get(p->o, key);
    if (!v || json_is_null(v))
        return VG_OK;
    if (!json_is_boolean(v))
        return fail(p, key, "%s must be true or false", key);
    *out = json_is_true(v);
    return VG_OK;
}

static vg_status one_of(parse *p, const char *key, const char *value, const char *const *choices,
                        const char *listed)
{
    for (int i = 0; choices[i]; i++)
        if (!strcmp(value, choices[i]))
            return VG_OK;
    return fail(p, key, "%s must be %s", key, listed);
}

static const char *const roles[] = {"admin", "operator", "auditor", NULL};

static vg_status done(parse *p, vg_status st)
{
    json_decref(p->o);
    p->o = NULL;
    return st;
}

#define PARSE_INIT(p, field, msg) parse p = {NULL, field, msg}

vg_status vg_body_parse_login(const char *json, size_t len, vg_body_login *out, char field[VG_BODY_FIELD_MAX],
                              char msg[VG_BODY_MSG_MAX])
{
    static const char *const keys[] = {"name", "password", NULL};
    PARSE_INIT(p, field, msg);
    memset(out, 0, sizeof *out);
    vg_status st = load(&p, json, len, keys);
    if (!st)
        st = str(&p, "name", 1, 1, out->name, sizeof out->name);
    if (!st)
        st = str(&p, "password", 1, 0, out->password, sizeof out->password);
    return done(&p, st);
}

vg_status vg_body_parse_adjudicate(const char *json, size_t len, vg_body_adjudicate *out,
                                   char field[VG_BODY_FIELD_MAX], char msg[VG_BODY_MSG_MAX])
{
    static const char *const keys[] = {"outcome", "note", NULL};
    static const char *const outcomes[] = {"confirmed", "rejected", "no_action", NULL};
    PARSE_INIT(p, field, msg);
    memset(out, 0, sizeof *out);
    vg_status st = load(&p, json, len, keys);
    if (!st && str(&p, "outcome", 1, 1, out->outcome, sizeof out->outcome))
        st = fail(&p, "outcome", "outcome is required: confirmed, rejected or no_action");
    if (!st)
        st = one_of(&p, "outcome", out->outcome, outcomes, "confirmed, rejected or no_action");
    if (!st)
        st = str(&p, "note", 0, 0, out->note, sizeof out->note);
    return done(&p, st);
}

vg_status vg_body_parse_watchlist(const char *json, size_t len, vg_body_watchlist *out,
                                  char field[VG_BODY_FIELD_MAX], char msg[VG_BODY_MSG_MAX])
{
    static const char *const keys[] = {"name", "reason", "authorised_by", "expires_at", "max_size", NULL};
    PARSE_INIT(p, field, msg);
    memset(out, 0, sizeof *out);
    long long exp = 0, max = 0;
    vg_status st = load(&p, json, len, keys);
    if (!st)
        st = str(&p, "name", 1, 1, out->name, sizeof out->name);
    if (!st)
        st = str(&p, "reason", 1, 0, out->reason, sizeof out->reason);
    if (!st)
        st = str(&p, "authorised_by", 1, 1, out->authorised_by, sizeof out->authorised_by);
    if (!st)
        st = integer(&p, "expires_at", 0, (long long)1 << 40, 0, &exp);
    if (!st)
        st = integer(&p, "max_size", 0, 10000000, 0, &max);
    out->expires_at = exp;
    out->max_size = (int)max;
    return done(&p, st);
}

/* "YYYY-MM-DD" with a month and day in range. */
static int is_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* One photo: base64 (standard alphabet, padding optional, whitespace
 * ignored), after an optional data-URL prefix. what names it in messages. */
static vg_status photo_one(parse *p, const char *field, const char *what, json_t *v, uint8_t **out, size_t *out_len)
{
    if (!v || json_is_null(v))
        return fail(p, field, "%s is required (a base64 JPEG or PNG)", what);
    if (!json_is_string(v))
        return fail(p, field, "%s must be a string (base64 JPEG or PNG)", what);
    const char *b64 = json_string_value(v);
    size_t n = json_string_length(v);
    const char *comma = memchr(b64, ',', n < 100 ? n : 100);
    if (n > 5 && !memcmp(b64, "data:", 5) && comma && comma - b64 >= 12 && !memcmp(comma - 7, ";base64", 7)) {
        n -= (size_t)(comma + 1 - b64);
        b64 = comma + 1;
    }
    if (n == 0)
        return fail(p, field, "%s is empty", what);
    if (sodium_init() < 0)
        return fail(p, field, "cannot decode base64 (libsodium failed to initialise)");
    size_t cap = n / 4 * 3 + 3;
    uint8_t *bin = malloc(cap);
    if (!bin)
        return fail(p, field, "the photo is too large to decode (out of memory)");
    size_t got = 0;
    const char *end = NULL;
    if (sodium_base642bin(bin, cap, b64, n, " \t\r\n", &got, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
        (end && end != b64 + n)) {
        /* without padding, the unpadded variant */
        if (sodium_base642bin(bin, cap, b64, n, " \t\r\n", &got, &end, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) !=
                0 ||
            (end && end != b64 + n)) {
            free(bin);
            return fail(p, field, "%s is not valid base64 (at byte %zu)", what,
                        end ? (size_t)(end - b64) : (size_t)0);
        }
    }
    if (got == 0) {
        free(bin);
        return fail(p, field, "%s is empty", what);
    }
    *out = bin;
    *out_len = got;
    return VG_OK;
}

/* "photo" (one) or "photos" (an array of 1..VG_BODY_PHOTOS_MAX), not both. */
static vg_status photos(parse *p, vg_body_subject *out)
{
    json_t *one = json_object_get(p->o, "photo"), *many = json_object_get(p->o, "photos");
    if (one && !json_is_null(one) && many && !json_is_null(many))
        return fail(p, "photos", "give photo or photos, not both");
    vg_status st = VG_OK;
    if (!many || json_is_null(many)) {
        st = photo_one(p, "photo", "photo", one, &out->photos[0], &out->photos_len[0]);
        out->n_photos = st == VG_OK;
    } else if (!json_is_array(many) || json_array_size(many) < 1 || json_array_size(many) > VG_BODY_PHOTOS_MAX) {
        return fail(p, "photos", "photos must be an array of 1 to %d base64 JPEG or PNG photos", VG_BODY_PHOTOS_MAX);
    } else {
        for (size_t i = 0; i < json_array_size(many) && st == VG_OK; i++) {
            char what[32];
            snprintf(what, sizeof what, "photos[%zu]", i);
            st = photo_one(p, "photos", what, json_array_get(many, i), &out->photos[i], &out->photos_len[i]);
            if (st == VG_OK)
                out->n_photos = (int)i + 1;
        }
    }
    if (st != VG_OK) {
        vg_body_subject_free(out);
        return st;
    }
    out->photo = out->photos[0];
    out->photo_len = out->photos_len[0];
    return VG_OK;
}

vg_status vg_body_parse_subject(const char *json, size_t len, vg_body_subject *out,
                                char field[VG_BODY_FIELD_MAX], char msg[VG_BODY_MSG_MAX])
{
    static const char *const keys[] = {"name",          "reason",   "category",        "source", "authorised_by",
                                       "justification", "dob",      "expires_at",      "under_18",
                                       "face",          "photo",    "allow_duplicate", "photos",
                                       "accept_low_quality",        "supervisor",      NULL};
    PARSE_INIT(p, field, msg);
    memset(out, 0, sizeof *out);
    long long exp = 0, face = -1;
    vg_status st = load(&p, json, len, keys);
    if (!st)
        st = str(&p, "name", 1, 1, out->name, sizeof out->name);
    if (!st)
        st = str(&p, "reason", 1, 0, out->reason, sizeof out->reason);
    if (!st)
        st = str(&p, "category", 1, 1, out->category, sizeof out->category);
    if (!st)
        st = str(&p, "source", 1, 0, out->source, sizeof out->source);
    if (!st)
        st = str(&p, "authorised_by", 0, 1, out->authorised_by, sizeof out->authorised_by);
    if (!st)
        st = str(&p, "justification", 0, 0, out->justification, sizeof out->justification);
    if (!st)
        st = str(&p, "dob", 0, 1, out->dob, sizeof out->dob);
    if (!st && out->dob[0] && !is_date(out->dob))
        st = fail(&p, "dob", "dob must be a date, YYYY-MM-DD");
    if (!st)
        st = integer(&p, "expires_at", 0, (long long)1 << 40, 0, &exp);
    if (!st)
        st = boolean(&p, "under_18", &out->under_18);
    if (!st && out->under_18 && !out->justification[0])
        st = fail(&p, "justification", "a subject under 18 needs a justification");
    if (!st)
        st = boolean(&p, "allow_duplicate", &out->allow_duplicate);
    if (!st)
        st = integer(&p, "face", 0, 63, -1, &face);
    out->expires_at = exp;
    out->face = (int)face;
    if (!st)
        st = str(&p, "accept_low_quality", 0, 1, out->accept_low_quality, sizeof out->accept_low_quality);
    if (!st)
        st = str(&p, "supervisor", 0, 1, out->supervisor, sizeof out->supervisor);
    if (!st && out->supervisor[0] && !out->accept_low_quality[0])
        st = fail(&p, "supervisor", "supervisor goes with accept_low_quality (the written justification)");
    if (!st)
        st = photos(&p, out); /* last: nothing to free on an earlier error */
    return done(&p, st);
}

void vg_body_subject_free(vg_body_subject *s)
{
    if (!s)
        return;
    for (int i = 0; i < s->n_photos; i++) {
        free(s->photos[i]);
        s->photos[i] = NULL;
        s->photos_len[i] = 0;
    }
    s->n_photos = 0;
    s->photo = NULL;
    s->photo_len = 0;
}

vg_status vg_body_parse_user(const char *json, size_t len, vg_body_user *out, char field[VG_BODY_FIELD_MAX],
                             char msg[VG_BODY_MSG_MAX])
{
    static const char *const keys[] = {"name", "role", "password", NULL};
    PARSE_INIT(p, field, msg);
    memset(out, 0, sizeof *out);
    vg_status st = load(&p, json, len, keys);
    if (!st)
        st = str(&p, "name", 1, 1, out->name, sizeof out->name);
    if (!st)
        st = str(&p, "role", 1, 1, out->role, sizeof out->role);
    if (!st)
        st = one_of(&p, "role", out->role, roles, "admin, operator or auditor");
    if (!st)
        st = str(&p, "password", 1, 0, out->password, sizeof out->password);
    if (!st && strlen(out->password) < 8)
        st = fail(&p, "password", "password is %zu bytes, at least 8 are needed", strlen(out->password));
    return done(&p, st);
}

vg_status vg_body_parse_token(const char *json, size_t len, vg_body_token *out, char field[VG_BODY_FIELD_MAX],
                              char msg[VG_BODY_MSG_MAX])
{
    static const char *const keys[] = {"name", "role", NULL};
    PARSE_INIT(p, field, msg);
    memset(out, 0, sizeof *out);
    vg_status st = load(&p, json, len, keys);
    if (!st)
        st = str(&p, "name", 1, 1, out->name, sizeof out->name);
    if (!st)
        st = str(&p, "role", 1, 1, out->role, sizeof out->role);
    if (!st)
        st = one_of(&p, "role", out->role, roles, "admin, operator or auditor");
    return done(&p, st);
}
