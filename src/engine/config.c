/* config.c — the engine's INI configuration file (inih): [engine],
 * [source], [retention] and [deployment] settings ([engine] decision is a
 * word: frame, aggregate or max). Every error names the file, the line and the key; an
 * unknown section or key is an error, not silently ignored. A file shared
 * with another loader (the server's [http] and [webhook]) names that
 * loader's sections: this one skips them, and still refuses any other. */
#include "vigil/engine.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parse_ctx {
    vg_engine_config *cfg;
    int *min_face;
    const char *const *others; /* sections another loader reads (NULL-terminated) */
    char error[512];
} parse_ctx;

static int is_other(const parse_ctx *p, const char *section)
{
    for (const char *const *o = p->others; o && *o; o++)
        if (!strcmp(*o, section))
            return 1;
    return 0;
}

static int num(const char *v, double lo, double hi, double *out)
{
    char *end = NULL;
    errno = 0;
    double d = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(d) || d < lo || d > hi)
        return -1;
    *out = d;
    return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *p = user;
    vg_engine_config *c = p->cfg;
    double d;
    if (is_other(p, section))
        return 1; /* another loader's: it checks those keys */
#define KEY(sec, key, lo, hi)                                                                                \
    (strcmp(section, sec) == 0 && strcmp(name, key) == 0 &&                                                   \
     (num(value, lo, hi, &d) == 0 ||                                                                          \
      (snprintf(p->error, sizeof p->error, "[%s] %s: '%s' is not a number from %g to %g", sec, key, value,   \
                (double)(lo), (double)(hi)),                                                                   \
       0)))
    if (!strcmp(section, "engine") && !strcmp(name, "decision")) {
        int dec = vg_engine_decision_parse(value);
        if (dec < 0) {
            snprintf(p->error, sizeof p->error, "[engine] decision: '%s' is not frame, aggregate or max", value);
            return 0;
        }
        c->decision = (vg_engine_decision)dec;
        return 1;
    }
    if (KEY("engine", "workers", 1, 64))
        c->workers = (int)d;
    else if (KEY("engine", "detect_every", 1, 1000))
        c->detect_every = (int)d;
    else if (KEY("engine", "threshold", 0.01, 0.99))
        c->threshold = (float)d;
    else if (KEY("engine", "min_quality", 0, 1))
        c->min_quality = (float)d;
    else if (KEY("engine", "embed_interval", 0.001, 60))
        c->embed_interval = d;
    else if (KEY("engine", "alert_cooldown", 0.001, 86400))
        c->alert_cooldown = d;
    else if (KEY("engine", "max_embeds_per_track", 1, 10000))
        c->max_embeds_per_track = (int)d;
    else if (KEY("engine", "track_best", 1, 64))
        c->track_best = (int)d;
    else if (KEY("engine", "context_every", 1, 1000))
        c->context_every = (int)d;
    else if (KEY("engine", "embed_flip", 0, 1))
        c->embed_flip = (int)d;
    else if (KEY("engine", "alert_queue", 1, 100000))
        c->alert_queue = (int)d;
    else if (KEY("engine", "min_face", 8, 4096))
        *p->min_face = (int)d;
    else if (KEY("source", "stall_seconds", 0.1, 3600))
        c->stall_seconds = d;
    else if (KEY("source", "backoff_initial", 0.01, 3600))
        c->backoff_initial = d;
    else if (KEY("source", "backoff_max", 0.01, 3600))
        c->backoff_max = d;
    else if (KEY("source", "max_attempts", 0, 1000000))
        c->max_attempts = (int)d;
    else if (KEY("source", "loop", 0, 1))
        c->loop = (int)d;
    else if (KEY("spool", "max_alerts", 1, 1000000))
        c->spool_max = (int)d;
    else if (KEY("retention", "alert_days", 1, 36500))
        c->retention_alert_days = (int)d;
    else if (KEY("retention", "every_hours", 0.01, 720))
        c->retention_every_hours = d;
    else if (KEY("retention", "purge_ended", 0, 1))
        c->retention_purge_ended = (int)d;
    else if (KEY("deployment", "false_alert_ceiling", 1, 1e12))
        c->false_alert_ceiling = d;
    else {
        if (!p->error[0]) {
            if (strcmp(section, "engine") && strcmp(section, "source") && strcmp(section, "retention") &&
                strcmp(section, "deployment") && strcmp(section, "spool")) {
                char others[200] = "";
                for (const char *const *o = p->others; o && *o; o++) {
                    size_t k = strlen(others);
                    snprintf(others + k, sizeof others - k, ", [%s]", *o);
                }
                snprintf(p->error, sizeof p->error,
                         "unknown section [%s] (known: [engine], [source], [retention], [deployment], [spool]%s)",
                         section, others);
            }
            else
                snprintf(p->error, sizeof p->error, "unknown key '%s' in [%s]", name, section);
        }
        return 0;
    }
#undef KEY
    if (p->error[0])
        return 0;
    return 1;
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
    parse_ctx p = {.cfg = &copy, .min_face = &mf, .others = others};
    FILE *f = fopen(path, "r");
    if (!f)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "config %s: cannot open it: %s", path, strerror(errno));
    int line = ini_parse_file(f, handler, &p);
    fclose(f);
    if (line != 0)
        return vg_err_set(err, VG_ERR_INVALID, "config %s, line %d: %s", path, line,
                          p.error[0] ? p.error : "not a valid INI line");
    *cfg = copy;
    *min_face = mf;
    return VG_OK;
}
