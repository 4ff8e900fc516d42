/* json_out.c — JSON text as the command line prints it under --json: one
 * compact line, keys in insertion order, and every real number in the
 * shortest form that reads back as the same double (283.835, not jansson's
 * 17 digits, 283.83499999999998: Debian 12's jansson 2.14 offers only a
 * fixed precision, JSON_REAL_PRECISION, so reals are written here). */
#include "base/strbuf.h"
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A string, escaped by jansson. */
static void put_string(vg_strbuf *o, const char *s, size_t n)
{
    json_t *j = json_stringn(s, n);
    char *t = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    if (t)
        vg_strbuf_puts(o, t);
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

static void put_value(vg_strbuf *o, const json_t *v)
{
    char num[40];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        vg_strbuf_puts(o, "{");
        const char *key;
        json_t *item;
        int first = 1;
        json_object_foreach((json_t *)v, key, item) {
            if (!first)
                vg_strbuf_puts(o, ",");
            first = 0;
            put_string(o, key, strlen(key));
            vg_strbuf_puts(o, ":");
            put_value(o, item);
        }
        vg_strbuf_puts(o, "}");
        break;
    }
    case JSON_ARRAY:
        vg_strbuf_puts(o, "[");
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i)
                vg_strbuf_puts(o, ",");
            put_value(o, json_array_get(v, i));
        }
        vg_strbuf_puts(o, "]");
        break;
    case JSON_STRING:
        put_string(o, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        vg_strbuf_puts(o, num);
        break;
    case JSON_REAL:
        vg_cli_json_real(json_real_value(v), num, sizeof num);
        vg_strbuf_puts(o, num);
        break;
    case JSON_TRUE:
        vg_strbuf_puts(o, "true");
        break;
    case JSON_FALSE:
        vg_strbuf_puts(o, "false");
        break;
    default:
        vg_strbuf_puts(o, "null");
        break;
    }
}

char *vg_cli_json_text(const json_t *v)
{
    vg_strbuf o = {0};
    if (v)
        put_value(&o, v);
    if (o.failed || !o.p) {
        free(o.p);
        return NULL;
    }
    return o.p;
}
