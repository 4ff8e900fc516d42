/* enrol_report.c — an enrolment's per-photo report as JSON, the one shape
 * that `vigil subject add --json` prints and the HTTP API answers with:
 * for each photo whether it was kept, the faces found, the one chosen (its
 * box, and whether it was proposed as the dominant face), every quality
 * factor with its value, limits and pass, the reasons of a refusal, and on
 * request the face crop as base64 JPEG. */
#include "vigil/watchlist.h"

#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdlib.h>

static const char *stage_name(vg_enrol_stage s)
{
    switch (s) {
    case VG_ENROL_OK:
        return "kept";
    case VG_ENROL_DECODE:
        return "not_an_image";
    case VG_ENROL_GATE:
        return "gate";
    case VG_ENROL_DUPLICATE:
        return "duplicate";
    default:
        return "error";
    }
}

/* A limit as text: ">= 24", "<= 0.70" (absolute), "40..220". */
static json_t *limit_text(const vg_gate_factor *f, int absolute)
{
    char t[64];
    if (absolute)
        snprintf(t, sizeof t, "|x| <= %.2f", f->max);
    else if (!isnan(f->min) && !isnan(f->max))
        snprintf(t, sizeof t, "%g..%g", f->min, f->max);
    else if (!isnan(f->min))
        snprintf(t, sizeof t, ">= %g", f->min);
    else
        snprintf(t, sizeof t, "<= %g", f->max);
    return json_string(t);
}

/* Four decimals: what a person reads, not float noise. */
static double r4(float v)
{
    return round((double)v * 1e4) / 1e4;
}

static json_t *factor_json(const vg_gate_factor *f, int absolute)
{
    json_t *o = json_pack("{s:s, s:f, s:o, s:b}", "name", f->name, "value", r4(f->value), "limit",
                          limit_text(f, absolute), "pass", f->pass);
    if (o && !isnan(f->min))
        json_object_set_new(o, "min", json_real(r4(f->min)));
    if (o && !isnan(f->max))
        json_object_set_new(o, "max", json_real(r4(f->max)));
    return o;
}

static json_t *crop_base64(const uint8_t *jpeg, size_t len)
{
    size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(cap);
    if (!b64)
        return json_null();
    sodium_bin2base64(b64, cap, jpeg, len, sodium_base64_VARIANT_ORIGINAL);
    json_t *s = json_string(b64);
    free(b64);
    return s ? s : json_null();
}

static json_t *photo_json(const vg_enrol_photo_report *p, int with_crops)
{
    json_t *o = json_pack("{s:s, s:b, s:b, s:s, s:i, s:b, s:i}", "photo", p->label, "kept", p->kept,
                          "low_quality", p->low_quality, "stage", stage_name(p->stage), "faces", p->gate.faces,
                          "dominant", p->gate.dominant, "ignored", p->gate.ignored);
    if (!o)
        return NULL;
    json_t *reasons = json_array();
    for (int i = 0; i < p->reasons.n; i++)
        json_array_append_new(reasons, json_string(p->reasons.reason[i]));
    json_object_set_new(o, "reasons", reasons);
    if (p->gate.chosen >= 0) {
        const vg_face *f = &p->gate.face;
        json_object_set_new(o, "face", json_integer(p->gate.chosen));
        json_object_set_new(o, "box", json_pack("[f, f, f, f]", r4(f->x1), r4(f->y1), r4(f->x2), r4(f->y2)));
        json_t *factors = json_array();
        for (int i = 0; i < VG_GATE_FACTORS; i++)
            json_array_append_new(factors, factor_json(&p->gate.factor[i], i == VG_GATE_YAW || i == VG_GATE_PITCH));
        json_object_set_new(o, "factors", factors);
        if (with_crops && p->crop)
            json_object_set_new(o, "crop_jpeg", crop_base64(p->crop, p->crop_len));
    }
    return o;
}

json_t *vg_enrol_report_json(const vg_enrol_report *r, int with_crops)
{
    json_t *photos = json_array();
    for (int i = 0; r && i < r->n; i++)
        json_array_append_new(photos, photo_json(&r->photo[i], with_crops));
    return photos;
}
