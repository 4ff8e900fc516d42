/* ini.c — the strict INI reader behind every vigil config loader. inih does
 * the parsing; a first pass over the text refuses, by line number, what
 * inih would accept silently or get wrong: lines longer than its fixed
 * buffer (which it splits, so a long comment could set a key), NUL bytes
 * (which end its line early), text that is not UTF-8, indented continuation lines, keys given
 * twice, unknown sections (at their header, even with no key), and files
 * with nothing in them. Every message has the form "file:LINE: what". */
#include "base/ini.h"
#include "base/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct seen_key {
    char section[64];
    char key[64];
    int line;
} seen_key;

typedef struct parse_ctx {
    const vg_ini_spec *spec;
    vg_ini_key_fn fn;
    void *user;
    int failed;
    char msg[VG_ERR_MSG_MAX - 80];
} parse_ctx;

static int listed(const char *const *list, const char *name, size_t n)
{
    for (const char *const *p = list; p && *p; p++)
        if (strlen(*p) == n && !strncmp(*p, name, n))
            return 1;
    return 0;
}

static int repeatable(const vg_ini_spec *spec, const char *section, const char *key)
{
    for (const char *const *p = spec->repeatable; p && *p; p++) {
        const char *dot = strchr(*p, '.');
        if (dot && (size_t)(dot - *p) == strlen(section) && !strncmp(*p, section, strlen(section)) &&
            !strcmp(dot + 1, key))
            return 1;
    }
    return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *p = user;
    if (p->failed)
        return 0;
    if (!listed(p->spec->sections, section, strlen(section)))
        return 1; /* another loader's: the first pass let only those through */
    if (!p->fn(p->user, section, name, value, p->msg, sizeof p->msg)) {
        p->failed = 1;
        if (!p->msg[0])
            snprintf(p->msg, sizeof p->msg, "[%s] %s: refused", section, name);
        return 0;
    }
    return 1;
}

static void known_list(const vg_ini_spec *spec, char *out, size_t cap)
{
    out[0] = '\0';
    const char *const *lists[2] = {spec->sections, spec->others};
    for (int l = 0; l < 2; l++)
        for (const char *const *p = lists[l]; p && *p; p++) {
            size_t k = strlen(out);
            snprintf(out + k, cap - k, "%s[%s]", k ? ", " : "", *p);
        }
}

/* The first pass: 0 when the text is fine, else the line of the first fault
 * with its message in msg. */
static int check_lines(const char *text, size_t len, const vg_ini_spec *spec, char *msg, size_t cap)
{
    seen_key *keys = NULL;
    size_t n_keys = 0, cap_keys = 0;
    char section[64] = "";
    int have_section = 0, own = 0, prev_key = 0, n_settings = 0, bad = 0;
    size_t pos = 0;
    if (len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3))
        pos = 3;
    for (int line = 1; pos < len && !bad; line++) {
        size_t end = pos;
        while (end < len && text[end] != '\n')
            end++;
        const char *s = text + pos;
        size_t n = end - pos;
        pos = end + 1;
        const char *nul = memchr(s, '\0', n);
        if (nul) {
            snprintf(msg, cap, "a NUL byte at column %zu", (size_t)(nul - s) + 1);
            bad = line;
            break;
        }
        size_t bad_byte = vg_utf8_bad_at(s, n);
        if (bad_byte < n) { /* every value vigil keeps must be valid text */
            snprintf(msg, cap, "not valid UTF-8 at column %zu", bad_byte + 1);
            bad = line;
            break;
        }
        if (n > VG_INI_LINE_MAX) {
            snprintf(msg, cap, "the line is %zu bytes long, over the limit of %d", n, VG_INI_LINE_MAX);
            bad = line;
            break;
        }
        size_t i = 0;
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        if (i == n || s[i] == ';' || s[i] == '#')
            continue;
        if (s[i] == '[') {
            const char *close = memchr(s + i, ']', n - i);
            if (!close) {
                snprintf(msg, cap, "a section header without ']'");
                bad = line;
                break;
            }
            const char *name = s + i + 1;
            size_t nn = (size_t)(close - name);
            if (nn == 0 || nn >= sizeof section) {
                snprintf(msg, cap, "a section name must have 1 to %zu characters", sizeof section - 1);
                bad = line;
                break;
            }
            own = listed(spec->sections, name, nn);
            if (!own && !listed(spec->others, name, nn)) {
                char known[256];
                known_list(spec, known, sizeof known);
                snprintf(msg, cap, "unknown section [%.*s] (known: %s)", (int)nn, name, known);
                bad = line;
                break;
            }
            memcpy(section, name, nn);
            section[nn] = '\0';
            have_section = 1;
            prev_key = 0;
            n_settings++;
            continue;
        }
        if (i > 0 && prev_key) {
            snprintf(msg, cap, "an indented line would continue the value of the key above: write it on one "
                               "line, without leading spaces");
            bad = line;
            break;
        }
        size_t eq = i;
        while (eq < n && s[eq] != '=' && s[eq] != ':')
            eq++;
        size_t kend = eq;
        while (kend > i && isspace((unsigned char)s[kend - 1]))
            kend--;
        if (eq == n || kend == i) {
            snprintf(msg, cap, "not a section header, a comment or key = value");
            bad = line;
            break;
        }
        if (!have_section) {
            snprintf(msg, cap, "key '%.*s' before any [section]", (int)(kend - i > 60 ? 60 : kend - i), s + i);
            bad = line;
            break;
        }
        prev_key = 1;
        n_settings++;
        if (!own)
            continue;
        size_t kn = kend - i;
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)kn, s + i);
        if (kn >= sizeof key || repeatable(spec, section, key))
            continue; /* too long to be a known key: the loader refuses it by name */
        for (size_t k = 0; k < n_keys; k++)
            if (!strcmp(keys[k].section, section) && !strcmp(keys[k].key, key)) {
                snprintf(msg, cap, "duplicate key '%s' in [%s] (first set on line %d)", key, section, keys[k].line);
                bad = line;
                break;
            }
        if (bad)
            break;
        if (n_keys == cap_keys) {
            size_t nc = cap_keys ? 2 * cap_keys : 16;
            seen_key *grown = realloc(keys, nc * sizeof *grown);
            if (!grown) {
                snprintf(msg, cap, "out of memory");
                bad = line;
                break;
            }
            keys = grown;
            cap_keys = nc;
        }
        snprintf(keys[n_keys].section, sizeof keys[n_keys].section, "%s", section);
        snprintf(keys[n_keys].key, sizeof keys[n_keys].key, "%s", key);
        keys[n_keys++].line = line;
    }
    free(keys);
    if (!bad && n_settings == 0) {
        snprintf(msg, cap, "the file has no section and no key");
        return -1;
    }
    return bad;
}

vg_status vg_ini_load_text(const char *name, const char *text, size_t len, const vg_ini_spec *spec,
                           vg_ini_key_fn fn, void *user, vg_err *err)
{
    if (len == 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s: the file is empty", name);
    if (len > VG_INI_FILE_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "%s: over %d bytes: not a config file", name, VG_INI_FILE_MAX);
    char first[VG_ERR_MSG_MAX - 80] = "";
    int bad = check_lines(text, len, spec, first, sizeof first);
    if (bad < 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s: %s", name, first);
    /* inih reads the text up to the first pass's fault, so that the earlier
     * of the two faults is the one reported */
    size_t upto = len;
    if (bad > 0) {
        upto = 0;
        for (int l = 1; l < bad; l++)
            upto = (size_t)((const char *)memchr(text + upto, '\n', len - upto) - text) + 1;
    }
    char *copy = malloc(upto + 1);
    if (!copy)
        return vg_err_set(err, VG_ERR_NOMEM, "%s: out of memory", name);
    memcpy(copy, text, upto);
    copy[upto] = '\0';
    parse_ctx p = {.spec = spec, .fn = fn, .user = user};
    int line = ini_parse_string(copy, handler, &p);
    free(copy);
    if (line > 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s:%d: %s", name, line,
                          p.msg[0] ? p.msg : "not a section header, a comment or key = value");
    if (line < 0)
        return vg_err_set(err, VG_ERR_NOMEM, "%s: out of memory", name);
    if (bad > 0)
        return vg_err_set(err, VG_ERR_INVALID, "%s:%d: %s", name, bad, first);
    return VG_OK;
}

vg_status vg_ini_load_file(const char *path, const vg_ini_spec *spec, vg_ini_key_fn fn, void *user, vg_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return vg_err_set(err, VG_ERR_NOT_FOUND, "%s: cannot open it: %s", path, strerror(errno));
    struct stat sb;
    if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
        fclose(f);
        return vg_err_set(err, VG_ERR_INVALID, "%s: not a regular file%s", path,
                          S_ISDIR(sb.st_mode) ? " (a directory)" : "");
    }
    if (sb.st_size > VG_INI_FILE_MAX) {
        fclose(f);
        return vg_err_set(err, VG_ERR_LIMIT, "%s: over %d bytes: not a config file", path, VG_INI_FILE_MAX);
    }
    char *text = malloc((size_t)sb.st_size + 1);
    if (!text) {
        fclose(f);
        return vg_err_set(err, VG_ERR_NOMEM, "%s: out of memory", path);
    }
    size_t n = fread(text, 1, (size_t)sb.st_size + 1, f);
    int rerr = ferror(f);
    fclose(f);
    vg_status st = rerr ? vg_err_set(err, VG_ERR_IO, "%s: cannot read it", path)
                        : vg_ini_load_text(path, text, n, spec, fn, user, err);
    free(text);
    return st;
}

int vg_ini_number(const char *v, double lo, double hi, int integer, double *out)
{
    const char *c = v;
    if (*c == '+' || *c == '-')
        c++;
    int digits = 0;
    while (isdigit((unsigned char)*c))
        c++, digits++;
    if (!integer) {
        if (*c == '.') {
            c++;
            while (isdigit((unsigned char)*c))
                c++, digits++;
        }
        if (digits && (*c == 'e' || *c == 'E')) {
            c++;
            if (*c == '+' || *c == '-')
                c++;
            if (!isdigit((unsigned char)*c))
                return -1;
            while (isdigit((unsigned char)*c))
                c++;
        }
    }
    if (!digits || *c)
        return -1;
    errno = 0;
    double d = strtod(v, NULL);
    if (errno || !isfinite(d) || d < lo || d > hi)
        return -1;
    *out = d;
    return 0;
}
