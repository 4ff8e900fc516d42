/* settings.c — the server's part of a vigil config file: [http] (listen,
 * tls_cert, tls_key, body_max, upload_max), [webhook] (url, repeated up
 * to 8 times; secret_file) and [audit] (the periodic signed checkpoints of
 * `vigil serve` and `vigil run`: checkpoint_interval, checkpoint_file,
 * checkpoint_syslog, sign_key), and the webhook secret's file. The engine's
 * loader reads the same file and skips exactly these sections; this one
 * skips the engine's. Both read it strictly through base/ini.c, so a typo
 * is refused as "file:LINE: what" by either: an unknown section by both, an
 * unknown key in [http] or [webhook] by this one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/ini.h"
#include "vigil/engine.h"
#include "vigil/server.h"

const char *const vg_server_config_sections[] = {"http", "webhook", "audit", "console", NULL};

#define CHECKPOINT_INTERVAL_MAX (30 * 86400)

typedef struct ctx {
    vg_server_settings *s;
    char *error;
    size_t cap;
} ctx;

static int copy(ctx *c, const char *section, const char *name, const char *value, char *dst, size_t cap)
{
    if (!*value || strlen(value) >= cap) {
        snprintf(c->error, c->cap, "[%s] %s: empty or longer than %zu bytes", section, name, cap - 1);
        return 0;
    }
    memcpy(dst, value, strlen(value) + 1);
    return 1;
}

static int size_value(ctx *c, const char *name, const char *value, size_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (!*value || *end || errno || v < 1024 || v > (1LL << 30)) {
        snprintf(c->error, c->cap, "[http] %s: '%s' is not a byte count from 1024 to 1073741824",
                 name, value);
        return 0;
    }
    *out = (size_t)v;
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value, char *msg, size_t cap)
{
    ctx *c = user;
    c->error = msg;
    c->cap = cap;
    vg_server_settings *s = c->s;
    if (!strcmp(section, "http")) {
        if (!strcmp(name, "listen"))
            return copy(c, section, name, value, s->listen, sizeof s->listen);
        if (!strcmp(name, "tls_cert"))
            return copy(c, section, name, value, s->tls_cert, sizeof s->tls_cert);
        if (!strcmp(name, "tls_key"))
            return copy(c, section, name, value, s->tls_key, sizeof s->tls_key);
        if (!strcmp(name, "body_max"))
            return size_value(c, name, value, &s->body_max);
        if (!strcmp(name, "upload_max"))
            return size_value(c, name, value, &s->upload_max);
    } else if (!strcmp(section, "audit")) {
        if (!strcmp(name, "checkpoint_interval")) {
            char *end;
            errno = 0;
            long v = strtol(value, &end, 10);
            if (!*value || *end || errno || v < 0 || v > CHECKPOINT_INTERVAL_MAX) {
                snprintf(c->error, c->cap,
                         "[audit] checkpoint_interval: '%s' is not a number of seconds from 0 (none) to %d",
                         value, CHECKPOINT_INTERVAL_MAX);
                return 0;
            }
            s->checkpoint_interval = (int)v;
            return 1;
        }
        if (!strcmp(name, "checkpoint_file"))
            return copy(c, section, name, value, s->checkpoint_file, sizeof s->checkpoint_file);
        if (!strcmp(name, "checkpoint_syslog")) {
            if (strncmp(value, "udp://", 6)) {
                snprintf(c->error, c->cap, "[audit] checkpoint_syslog: not a udp://HOST:PORT target");
                return 0;
            }
            return copy(c, section, name, value, s->checkpoint_syslog, sizeof s->checkpoint_syslog);
        }
        if (!strcmp(name, "sign_key"))
            return copy(c, section, name, value, s->sign_key, sizeof s->sign_key);
    } else if (!strcmp(section, "webhook")) {
        if (!strcmp(name, "url")) {
            if (s->n_webhooks == VG_SERVER_WEBHOOKS_MAX) {
                snprintf(c->error, c->cap, "[webhook] url: at most %d URLs", VG_SERVER_WEBHOOKS_MAX);
                return 0;
            }
            if (strncmp(value, "http://", 7) && strncmp(value, "https://", 8)) {
                snprintf(c->error, c->cap, "[webhook] url: not an http:// or https:// URL");
                return 0;
            }
            return copy(c, section, name, value, s->webhooks[s->n_webhooks++], sizeof s->webhooks[0]);
        }
        if (!strcmp(name, "secret_file"))
            return copy(c, section, name, value, s->secret_file, sizeof s->secret_file);
    } else if (!strcmp(section, "console")) {
        if (!strcmp(name, "incident_window")) {
            char *end = NULL;
            errno = 0;
            long v = strtol(value, &end, 10);
            if (!*value || *end || errno || v < 60 || v > 86400) {
                snprintf(c->error, c->cap, "[console] incident_window: '%s' is not a number of seconds from 60 "
                         "to 86400", value);
                return 0;
            }
            s->incident_window = (int)v;
            return 1;
        }
    }
    snprintf(c->error, c->cap, "unknown key '%s' in [%s]", name, section);
    return 0;
}

static const char *const repeatable[] = {"webhook.url", NULL};

static vg_status load(const char *name, const char *text, size_t len, vg_server_settings *s, vg_err *err)
{
    vg_server_settings *work = malloc(sizeof *work);
    if (!work)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory reading %s", name);
    *work = *s;
    ctx c = {.s = work};
    vg_ini_spec spec = {.sections = vg_server_config_sections, .others = vg_engine_config_sections,
                        .repeatable = repeatable};
    vg_status st = text ? vg_ini_load_text(name, text, len, &spec, handler, &c, err)
                        : vg_ini_load_file(name, &spec, handler, &c, err);
    if (st == VG_OK && work->n_webhooks && !work->secret_file[0])
        st = vg_err_set(err, VG_ERR_INVALID, "%s: [webhook] url needs secret_file (the HMAC key's file)", name);
    int exports = work->checkpoint_file[0] || work->checkpoint_syslog[0];
    if (st == VG_OK && work->checkpoint_interval > 0 && !exports)
        st = vg_err_set(err, VG_ERR_INVALID,
                        "%s: [audit] checkpoint_interval needs checkpoint_file or checkpoint_syslog (a "
                        "checkpoint is worth something only outside the database)",
                        name);
    if (st == VG_OK && work->checkpoint_interval == 0 && (exports || work->sign_key[0]))
        st = vg_err_set(err, VG_ERR_INVALID,
                        "%s: [audit] checkpoint_file, checkpoint_syslog and sign_key need checkpoint_interval "
                        "(seconds between checkpoints)",
                        name);
    if (st == VG_OK)
        *s = *work;
    free(work);
    return st;
}

vg_status vg_server_settings_load(const char *path, vg_server_settings *s, vg_err *err)
{
    return load(path, NULL, 0, s, err);
}

vg_status vg_server_settings_load_text(const char *name, const char *text, size_t len, vg_server_settings *s,
                                       vg_err *err)
{
    return load(name, text, len, s, err);
}

void vg_server_settings_apply(const vg_server_settings *s, vg_server_config *cfg)
{
    if (s->listen[0])
        cfg->listen = s->listen;
    if (s->tls_cert[0])
        cfg->tls_cert = s->tls_cert;
    if (s->tls_key[0])
        cfg->tls_key = s->tls_key;
    if (s->body_max)
        cfg->body_max = s->body_max;
    if (s->upload_max)
        cfg->upload_max = s->upload_max;
    if (s->incident_window)
        cfg->incident_window = s->incident_window;
    cfg->n_webhooks = s->n_webhooks;
    for (int i = 0; i < s->n_webhooks; i++)
        cfg->webhooks[i] = s->webhooks[i];
}

vg_status vg_server_secret_read(const char *path, char *buf, size_t cap, vg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "webhook secret %s: cannot open it: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return vg_err_set(err, VG_ERR_INVALID, "webhook secret %s is not a regular file", path);
    }
    if (sb.st_mode & 077) {
        fclose(f);
        return vg_err_set(err, VG_ERR_INVALID, "webhook secret %s is open to group or others (mode %03o): chmod 600 it",
                          path, (unsigned)(sb.st_mode & 0777));
    }
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    if (n == cap)
        return vg_err_set(err, VG_ERR_INVALID, "webhook secret %s is longer than %zu bytes", path, cap - 1);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    buf[n] = '\0';
    if (!n || memchr(buf, '\0', n))
        return vg_err_set(err, VG_ERR_INVALID, "webhook secret %s is empty or holds a NUL byte", path);
    return VG_OK;
}
