/* json_out.c — JSON text as the command line prints it under --json: one
 * compact line, keys in insertion order, and every real number in the
 * shortest form that reads back as the same double (283.835, not jansson's
 * 17 digits, 283.83499999999998: Debian 12's jansson 2.14 offers only a
 * fixed precision, JSON_REAL_PRECISION, so reals are written here). */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct out {
    char *p;
    size_t len, cap;
    int failed;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->failed)
        return;
    if (o->len + n + 1 > o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 256;
        while (cap < o->len + n + 1)
            cap *= 2;
        char *g = realloc(o->p, cap);
        if (!g) {
            o->failed = 1;
            return;
        }
        o->p = g;
        o->cap = cap;
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = '\0';
}

static void put_s(out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* A string, escaped by jansson. */
static void put_string(out *o, const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    if (t)
        put_s(o, t);
    else
        o->failed = 1;
    free(t);
    json_decref(j);
}

void vg_cli_json_real(double v, char *buf, size_t len)
{
    for (int p = 1; p <= 17; p++) {
        snprintf(buf, len, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    if (!strpbrk(buf, ".eEn")) /* integral: still a real, as jansson writes it ("1.0") */
        snprintf(buf + strlen(buf), len - strlen(buf), ".0");
}

static void put_value(out *o, const json_t *v)
{
    char num[40];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        put_s(o, "{");
        const char *key;
        json_t *item;
        int first = 1;
        json_object_foreach((json_t *)v, key, item) {
            if (!first)
                put_s(o, ",");
            first = 0;
            put_string(o, key, strlen(key));
            put_s(o, ":");
            put_value(o, item);
        }
        put_s(o, "}");
        break;
    }
    case JSON_ARRAY:
        put_s(o, "[");
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                put_s(o, ",");
            put_value(o, json_array_get(v, i));
        }
        put_s(o, "]");
        break;
    case JSON_STRING:
        put_string(o, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put_s(o, num);
        break;
    case JSON_REAL:
        vg_cli_json_real(json_real_value(v), num, sizeof num);
        put_s(o, num);
        break;
    case JSON_TRUE:
        put_s(o, "true");
        break;
    case JSON_FALSE:
        put_s(o, "false");
        break;
    default:
        put_s(o, "null");
        break;
    }
}

char *vg_cli_json_text(const json_t *v)
{
    out o = {0};
    if (v)
        put_value(&o, v);
    if (o.failed || !o.p) {
        free(o.p);
        return NULL;
    }
    return o.p;
}
