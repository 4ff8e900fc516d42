/* util.c — helpers shared by the subcommands: errors and exit statuses,
 * opening the pack, loading images, JSON output, number parsing. */
#include "cli/cli.h"

#include <errno.h>
#include <time.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <unistd.h>

#include "vigil/store.h"

/* The one rule (README "Exit status"): 2 when what was given is wrong — the
 * command line, or a file it names that cannot be read or used; 1 when a
 * well-formed request could not be done — a named thing not found or
 * already there, no face, a check that failed, the runtime or database. */
int vg_cli_exit_for(vg_status st)
{
    switch (st) {
    case VG_OK:
        return VG_EXIT_OK;
    case VG_ERR_INVALID:
    case VG_ERR_LIMIT:
    case VG_ERR_UNSUPPORTED:
    case VG_ERR_IO:
        return VG_EXIT_USAGE;
    case VG_ERR_NOT_FOUND:
    case VG_ERR_EXISTS:
    case VG_ERR_NOMEM:
    case VG_ERR_MODEL:
    case VG_ERR_INTERNAL:
    default:
        return VG_EXIT_FAIL;
    }
}

int vg_cli_fail(vg_status st, const vg_err *err)
{
    fprintf(stderr, "vigil: %s\n", err && err->msg[0] ? err->msg : vg_status_name(st));
    return vg_cli_exit_for(st);
}

int vg_cli_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("vigil: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputs(" (see --help)\n", stderr);
    va_end(ap);
    return VG_EXIT_USAGE;
}

int vg_cli_threads(const vg_cli *cli)
{
    if (cli->threads > 0)
        return cli->threads;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

vg_status vg_cli_open_pack(const vg_cli *cli, vg_face_pack **pack, vg_err *err)
{
    vg_face_config cfg = {
        .models_dir = cli->models,
        .detector = cli->detector,
        .threads = 1,
        .min_face = (int)cli->min_face,
        .landmarks_68 = cli->landmarks_68,
        .landmark_fit = cli->landmark_fit,
        .provider = cli->provider,
    };
    return vg_face_pack_open(&cfg, pack, err);
}

vg_status vg_cli_load_image(const vg_cli *cli, const char *path, vg_image **img, vg_err *err)
{
    vg_status st = vg_image_decode_file(path, cli->max_pixels, img, err);
    if (st && err && strncmp(err->msg, path, strlen(path)) != 0)
        vg_err_prefix(err, st, "%s", path);
    return st;
}

int vg_cli_print_json(json_t *obj)
{
    /* obj is NULL when json_pack refused a value (text that is not UTF-8,
     * from a database written before the store refused it); the record is
     * reported, never silently left out of the output (issue 14) */
    char *s = vg_cli_json_text(obj);
    json_decref(obj);
    if (!s) {
        fprintf(stderr, "vigil: cannot write a record as JSON: %s\n",
                obj ? "out of memory" : "a stored text is not valid UTF-8 (or memory ran out)");
        return VG_EXIT_FAIL;
    }
    int ok = puts(s) >= 0;
    free(s);
    if (!ok) {
        fprintf(stderr, "vigil: cannot write to standard output\n");
        return VG_EXIT_FAIL;
    }
    return VG_EXIT_OK;
}

static double round3(double v)
{
    return round(v * 1000.0) / 1000.0;
}

json_t *vg_cli_face_json(const vg_face *f)
{
    json_t *lm = json_array();
    for (int i = 0; i < VG_LM_COUNT; i++)
        json_array_append_new(lm, json_pack("[f,f]", round3(f->lm[i].x), round3(f->lm[i].y)));
    return json_pack("{s:[f,f,f,f],s:f,s:o,s:{s:f,s:f,s:f,s:f,s:f,s:f}}",
                     "box", round3(f->x1), round3(f->y1), round3(f->x2), round3(f->y2),
                     "score", round3(f->score), "landmarks", lm,
                     "quality", "score", round3(f->quality.score), "eye_dist", round3(f->quality.eye_dist),
                     "sharpness", round3(f->quality.sharpness), "yaw", round3(f->quality.yaw),
                     "pitch", round3(f->quality.pitch), "brightness", round3(f->quality.brightness));
}

int vg_cli_parse_float(const char *s, float *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || *end || !isfinite(v))
        return -1;
    *out = (float)v;
    return 0;
}

int vg_cli_parse_int(const char *s, long long lo, long long hi, long long *out)
{
    if (!s || !*s)
        return -1;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

int vg_cli_store_shared(const vg_cli *cli)
{
    return cli->db && (strncmp(cli->db, "postgresql://", 13) == 0 || strncmp(cli->db, "postgres://", 11) == 0);
}

vg_status vg_cli_open_store(const vg_cli *cli, vg_store **store, vg_err *err)
{
    vg_store_options opt = {
        .path = cli->db && *cli->db ? cli->db : "vigil.db",
        .key_path = cli->key && *cli->key ? cli->key : getenv("VIGIL_KEY"),
    };
    if (opt.key_path && !*opt.key_path)
        opt.key_path = NULL;
    return vg_store_open(&opt, store, err);
}

const char *vg_cli_actor(const vg_cli *cli)
{
    if (cli->actor && *cli->actor)
        return cli->actor;
    const char *env = getenv("VIGIL_ACTOR");
    if (env && *env)
        return env;
    struct passwd *pw = getpwuid(getuid());
    return pw && pw->pw_name ? pw->pw_name : "unknown";
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int vg_cli_parse_time(const char *s, long long *out)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
        return -1;
    const char *rest = s + 10;
    if (*rest == 'T' || *rest == ' ') {
        int m2 = 0;
        if (sscanf(rest + 1, "%2d:%2d%n", &h, &mi, &m2) != 2 || m2 != 5)
            return -1;
        rest += 1 + m2;
        if (*rest == ':') {
            int m3 = 0;
            if (sscanf(rest + 1, "%2d%n", &sec, &m3) != 1 || m3 != 2)
                return -1;
            rest += 3;
        }
        if (*rest == 'Z')
            rest++;
    }
    if (*rest || y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
        h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 || sec < 0)
        return -1;
    *out = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}

const char *vg_cli_format_time(long long t, char *buf, size_t len)
{
    if (t == 0) {
        snprintf(buf, len, "-");
        return buf;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm))
        snprintf(buf, len, "%lld", t);
    else
        strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

int vg_cli_fail_config(vg_status st, const vg_err *err)
{
    /* "file:LINE: what" at the start of the line, as compilers write it,
     * so that an editor can jump to it */
    fprintf(stderr, "%s\n", err && err->msg[0] ? err->msg : vg_status_name(st));
    return vg_cli_exit_for(st);
}
