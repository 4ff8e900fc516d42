/* config.c — the engine's INI configuration file (inih): [engine],
 * [source], [retention] and [deployment] settings ([engine] decision is a
 * word: frame, aggregate or max), read strictly by base/ini.c. Every error
 * reads "file:LINE: what" and names the key; an unknown section or key, a
 * key given twice, a number written in hex or with a fraction where a whole
 * number is meant, are errors, not silently taken. A file shared
 * with another loader (the server's [http] and [webhook]) names that
 * loader's sections: this one skips them, and still refuses any other. */
#include "vigil/engine.h"

#include <stdio.h>
#include <string.h>

#include "base/ini.h"
#include "vigil/face.h"

const char *const vg_engine_config_sections[] = {"engine", "source", "retention", "deployment", "spool", "infer", NULL};

typedef struct parse_ctx {
    vg_engine_config *cfg;
    int *min_face;
} parse_ctx;

static int handler(void *user, const char *section, const char *name, const char *value, char *msg, size_t cap)
{
    parse_ctx *p = user;
    vg_engine_config *c = p->cfg;
    double d = 0;
    int bad = 0;
    /* KEY: a number from lo to hi; INT: the same, an integer */
#define NUMBER(sec, key, lo, hi, integer)                                                                       \
    (strcmp(section, sec) == 0 && strcmp(name, key) == 0 &&                                                   \
     (vg_ini_number(value, lo, hi, integer, &d) == 0 ||                                                        \
      (snprintf(msg, cap, "[%s] %s: '%s' is not %s from %g to %g", sec, key, value,                          \
                (integer) ? "a whole number" : "a number", (double)(lo), (double)(hi)),                        \
       bad = 1, 0)))
#define KEY(sec, key, lo, hi) NUMBER(sec, key, lo, hi, 0)
#define INT(sec, key, lo, hi) NUMBER(sec, key, lo, hi, 1)
    if (!strcmp(section, "spool") && !strcmp(name, "path")) { /* best on another filesystem than the database */
        if (!*value || strlen(value) >= sizeof c->spool_path) {
            snprintf(msg, cap, "[spool] path: empty or longer than %zu bytes", sizeof c->spool_path - 1);
            return 0;
        }
        snprintf(c->spool_path, sizeof c->spool_path, "%s", value);
        return 1;
    }
    if (!strcmp(section, "infer") && !strcmp(name, "provider")) { /* where the models run */
        if (strcmp(value, "cpu") && strcmp(value, "cuda")) {
            snprintf(msg, cap, "[infer] provider: '%s' is not cpu or cuda", value);
            return 0;
        }
        snprintf(c->infer_provider, sizeof c->infer_provider, "%s", value);
        return 1;
    }
    if (!strcmp(section, "engine") && !strcmp(name, "landmark_fit")) { /* docs/pipeline.md, section 3 */
        if (vg_face_fit_parse(value) < 0) {
            snprintf(msg, cap, "[engine] landmark_fit: '%s' is not once, mirror, refine or mirror+refine", value);
            return 0;
        }
        snprintf(c->landmark_fit, sizeof c->landmark_fit, "%s", value);
        return 1;
    }
    if (!strcmp(section, "engine") && !strcmp(name, "decision")) {
        int dec = vg_engine_decision_parse(value);
        if (dec < 0) {
            snprintf(msg, cap, "[engine] decision: '%s' is not frame, aggregate or max", value);
            return 0;
        }
        c->decision = (vg_engine_decision)dec;
        return 1;
    }
    if (INT("engine", "workers", 1, 64))
        c->workers = (int)d;
    else if (INT("engine", "detect_every", 1, 1000))
        c->detect_every = (int)d;
    else if (KEY("engine", "threshold", 0.01, 0.99))
        c->threshold = (float)d;
    else if (KEY("engine", "min_quality", 0, 1))
        c->min_quality = (float)d;
    else if (KEY("engine", "embed_interval", 0.001, 60))
        c->embed_interval = d;
    else if (KEY("engine", "alert_cooldown", 0.001, 86400))
        c->alert_cooldown = d;
    else if (INT("engine", "max_embeds_per_track", 1, 10000))
        c->max_embeds_per_track = (int)d;
    else if (INT("engine", "track_best", 1, 64))
        c->track_best = (int)d;
    else if (KEY("engine", "full_detect_hz", 0, 1000))
        c->full_detect_hz = d > 0 ? d : -1; /* 0: every frame */
    else if (KEY("engine", "region_margin", 0.1, 4))
        c->region_margin = (float)d;
    else if (INT("engine", "context_every", 1, 1000))
        c->context_every = (int)d;
    else if (INT("engine", "embed_flip", 0, 1))
        c->embed_flip = (int)d;
    else if (INT("engine", "alert_queue", 1, 100000))
        c->alert_queue = (int)d;
    else if (INT("engine", "min_face", 8, 4096))
        *p->min_face = (int)d;
    else if (KEY("source", "stall_seconds", 0.1, 3600))
        c->stall_seconds = d;
    else if (KEY("source", "backoff_initial", 0.01, 3600))
        c->backoff_initial = d;
    else if (KEY("source", "backoff_max", 0.01, 3600))
        c->backoff_max = d;
    else if (INT("source", "max_attempts", 0, 1000000))
        c->max_attempts = (int)d;
    else if (INT("source", "loop", 0, 1))
        c->loop = (int)d;
    else if (INT("spool", "max_alerts", 1, 1000000))
        c->spool_max = (int)d;
    else if (INT("retention", "alert_days", 1, 36500))
        c->retention_alert_days = (int)d;
    else if (KEY("retention", "every_hours", 0.01, 720))
        c->retention_every_hours = d;
    else if (INT("retention", "purge_ended", 0, 1))
        c->retention_purge_ended = (int)d;
    else if (KEY("deployment", "false_alert_ceiling", 1, 1e12))
        c->false_alert_ceiling = d;
    else {
        if (!bad)
            snprintf(msg, cap, "unknown key '%s' in [%s]", name, section);
        return 0;
    }
#undef INT
#undef KEY
#undef NUMBER
    return !bad;
}

int vg_engine_decision_parse(const char *name)
{
    if (!strcmp(name, "frame"))
        return VG_ENGINE_DECIDE_FRAME;
    if (!strcmp(name, "aggregate"))
        return VG_ENGINE_DECIDE_AGGREGATE;
    if (!strcmp(name, "max"))
        return VG_ENGINE_DECIDE_MAX;
    return -1;
}

const char *vg_engine_decision_name(vg_engine_decision d)
{
    switch (d == VG_ENGINE_DECIDE_DEFAULT ? VG_ENGINE_DECIDE_BEST : d) {
    case VG_ENGINE_DECIDE_FRAME:
        return "frame";
    case VG_ENGINE_DECIDE_AGGREGATE:
        return "aggregate";
    default:
        return "max";
    }
}

vg_status vg_engine_config_load(const char *path, vg_engine_config *cfg, int *min_face, vg_err *err)
{
    return vg_engine_config_load_shared(path, NULL, cfg, min_face, err);
}

vg_status vg_engine_config_load_shared(const char *path, const char *const *others, vg_engine_config *cfg,
                                       int *min_face, vg_err *err)
{
    vg_engine_config copy = *cfg;
    int mf = *min_face;
    parse_ctx p = {.cfg = &copy, .min_face = &mf};
    vg_ini_spec spec = {.sections = vg_engine_config_sections, .others = others};
    vg_status st = vg_ini_load_file(path, &spec, handler, &p, err);
    if (st == VG_OK) {
        *cfg = copy;
        *min_face = mf;
    }
    return st;
}

vg_status vg_engine_config_load_text(const char *name, const char *text, size_t len, const char *const *others,
                                     vg_engine_config *cfg, int *min_face, vg_err *err)
{
    vg_engine_config copy = *cfg;
    int mf = *min_face;
    parse_ctx p = {.cfg = &copy, .min_face = &mf};
    vg_ini_spec spec = {.sections = vg_engine_config_sections, .others = others};
    vg_status st = vg_ini_load_text(name, text, len, &spec, handler, &p, err);
    if (st == VG_OK) {
        *cfg = copy;
        *min_face = mf;
    }
    return st;
}
