/* cmd_doctor.c — `vigil doctor`: checks an installation and prints one line
 * per check (ok, WARN or FAIL): the model pack's hashes, ONNX Runtime, the
 * database (integrity, schema version, WAL size), the key file (exists, mode,
 * opens the store), the clock and the free disk. Exit 0 when all are ok, 1
 * with a warning, 2 with a failure. It writes nothing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>

#include "cli/cli.h"
#include "cli/options.h"
#include "infer/infer.h"
#include "store/backup.h"
#include "vigil/checkpoint.h"
#include "vigil/store.h"

static const vg_cli_cmd_def def = {
    "doctor", "", 0, 0, "checks the models, ONNX Runtime, database, key file, clock and free disk; writes nothing",
    "One line per check: ok, WARN or FAIL, the check's name and what was found.\n"
    "Exit status: 0 every check ok; 1 a warning (a large WAL, little free disk, migrations\n"
    "pending); 2 a failure (a model altered or missing, no database, a corrupt one, the key\n"
    "file missing, readable by others or not opening the store, the clock before 2025).\n",
    {{"--wal-warn-mib", "N", "warn when the database's WAL is larger, 1 to 1e6 MiB (default 256)", 0},
     {"--disk-warn-mib", "N", "warn when the database's filesystem has less free, 1 to 1e9 MiB (default 1024)", 0},
     {0}}};

enum { OK = 0, WARN = 1, FAIL = 2 };

typedef struct doctor {
    const vg_cli *cli;
    int worst;
} doctor;

static void report(doctor *d, int level, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void report(doctor *d, int level, const char *check, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    static const char *const names[] = {"ok", "WARN", "FAIL"};
    if (level > d->worst)
        d->worst = level;
    if (d->cli->json)
        vg_cli_print_json(json_pack("{s:s,s:s,s:s}", "check", check, "result", level == OK ? "ok" : level == WARN ?
                                    "warn" : "fail", "detail", msg));
    else
        printf("%-4s  %-9s %s\n", names[level], check, msg);
}

static void check_models(doctor *d)
{
    vg_face_listing *l = NULL;
    vg_err err = {{0}};
    if (vg_face_listing_open(d->cli->models, &l, &err)) {
        report(d, FAIL, "models", "%s", err.msg);
        return;
    }
    int bad = 0, n = vg_face_listing_count(l);
    vg_face_model m;
    for (int i = 0; vg_face_listing_model(l, i, &m); i++) {
        if (strcmp(m.state, "ok") != 0) {
            bad++;
            report(d, FAIL, "models", "%s %s: %s (sha256 %s)", m.role, m.path, m.state,
                   m.actual_sha256 ? m.actual_sha256 : "-");
        }
    }
    if (n == 0)
        report(d, FAIL, "models", "no models in %s", vg_face_listing_dir(l));
    else if (!bad)
        report(d, OK, "models", "%d models match their SHA-256 in %s", n, vg_face_listing_dir(l));
    vg_face_listing_free(l);
}

static void check_runtime(doctor *d)
{
    vg_infer_env *env = NULL;
    vg_err err = {{0}};
    if (vg_infer_env_new(&env, &err))
        report(d, FAIL, "onnxrt", "ONNX Runtime does not start: %s", err.msg);
    else
        report(d, OK, "onnxrt", "ONNX Runtime %s loaded", vg_infer_runtime_version());
    vg_infer_env_free(env);
}

/* The key file: exists, 0600 (no group or other bits), owned by us. */
static int check_key(doctor *d, const char *key)
{
    struct stat sb;
    if (stat(key, &sb) != 0) {
        report(d, FAIL, "key", "%s: %s (the database needs the key it was made with)", key, strerror(errno));
        return -1;
    }
    if (!S_ISREG(sb.st_mode)) {
        report(d, FAIL, "key", "%s is not a regular file", key);
        return -1;
    }
    if (sb.st_mode & 077) {
        report(d, FAIL, "key", "%s has mode %04o: readable by others; run chmod 600 %s", key,
               (unsigned)(sb.st_mode & 07777), key);
        return -1;
    }
    return 0;
}

static void check_store(doctor *d, long long wal_warn_mib)
{
    const vg_cli *cli = d->cli;
    const char *db = cli->db && *cli->db ? cli->db : "vigil.db";
    char key[4200];
    const char *k = cli->key && *cli->key ? cli->key : getenv("VIGIL_KEY");
    if (k && *k)
        snprintf(key, sizeof key, "%s", k);
    else
        snprintf(key, sizeof key, "%s.key", db);
    vg_err err = {{0}};
    int key_ok = 0;
    if (!vg_cli_store_shared(cli)) {
        vg_store_file_facts f;
        vg_status st = vg_store_file_check(db, &f, &err);
        if (st) {
            report(d, FAIL, "database", "%s", err.msg);
            check_key(d, key);
            return;
        }
        if (!f.integrity_ok)
            report(d, FAIL, "database", "%s is corrupt: %s", db, f.integrity);
        else if (f.schema_version == 0)
            report(d, FAIL, "database", "%s is not a vigil database (no schema_version)", db);
        else if (f.schema_version > vg_store_schema_version())
            report(d, FAIL, "database", "%s is at schema %d, newer than this vigil's %d", db, f.schema_version,
                   vg_store_schema_version());
        else if (f.schema_version < vg_store_schema_version())
            report(d, WARN, "database", "%s is at schema %d; this vigil migrates it to %d on its next open", db,
                   f.schema_version, vg_store_schema_version());
        else
            report(d, OK, "database", "%s: integrity ok, schema %d, %lld bytes", db, f.schema_version,
                   (long long)f.db_bytes);
        if (f.wal_bytes > wal_warn_mib * 1024 * 1024)
            report(d, WARN, "wal", "%s-wal is %lld MiB (over %lld): a reader holds it open?", db,
                   (long long)(f.wal_bytes >> 20), wal_warn_mib);
        else
            report(d, OK, "wal", "%lld bytes", (long long)f.wal_bytes);
        if (!f.integrity_ok || f.schema_version != vg_store_schema_version())
            return;
        key_ok = check_key(d, key) == 0;
        if (!key_ok)
            return;
    }
    /* Opens the store with its key (the check value): on the current
     * schema this writes nothing. */
    vg_store *s = NULL;
    if (vg_cli_open_store(cli, &s, &err))
        report(d, FAIL, vg_cli_store_shared(cli) ? "database" : "key", "%s", err.msg);
    else if (vg_cli_store_shared(cli))
        report(d, OK, "database", "PostgreSQL store opens, schema %d", vg_store_db_schema_version(s));
    else
        report(d, OK, "key", "%s: mode 0600, opens the store", key);
    vg_store_close(s);
}

/* The audit checkpoints' signing key ($VIGIL_SIGN_KEY, else the database's
 * path + ".sign.key", as `vigil audit checkpoint` finds it): none yet is
 * fine (the first checkpoint makes it); one that others can read, or that
 * is not a key, is a fault. Never made here: doctor writes nothing. */
static void check_sign_key(doctor *d)
{
    const vg_cli *cli = d->cli;
    char path[4200];
    const char *k = getenv("VIGIL_SIGN_KEY");
    if (k && *k)
        snprintf(path, sizeof path, "%s", k);
    else if (vg_cli_store_shared(cli))
        return; /* PostgreSQL: the key is named on the command line only */
    else
        snprintf(path, sizeof path, "%s.sign.key", cli->db && *cli->db ? cli->db : "vigil.db");
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
            report(d, OK, "sign-key", "%s: none yet (`vigil audit checkpoint` makes it)", path);
        else
            report(d, FAIL, "sign-key", "%s: %s", path, strerror(errno));
        return;
    }
    if (!S_ISREG(sb.st_mode) || (sb.st_mode & 077)) {
        report(d, FAIL, "sign-key", "%s has mode %04o: %s; run chmod 600 %s", path, (unsigned)(sb.st_mode & 07777),
               S_ISREG(sb.st_mode) ? "readable by others" : "not a regular file", path);
        return;
    }
    char pub[65];
    vg_err err = {{0}};
    if (vg_checkpoint_public_key(path, pub, &err))
        report(d, FAIL, "sign-key", "%s", err.msg);
    else
        report(d, OK, "sign-key", "%s: mode 0600, public key %.16s...", path, pub);
}

static void check_clock(doctor *d)
{
    time_t now = time(NULL);
    if (now < 1735689600) /* 2025-01-01 */
        report(d, FAIL, "clock", "the clock says %lld, before 2025: alerts and the audit chain would carry it",
               (long long)now);
    else if (now > 4102444800LL) /* 2100-01-01 */
        report(d, FAIL, "clock", "the clock says %lld, after 2100", (long long)now);
    else {
        char buf[32];
        report(d, OK, "clock", "%s UTC", vg_cli_format_time((long long)now, buf, sizeof buf));
    }
}

static void check_disk(doctor *d, long long warn_mib)
{
    const vg_cli *cli = d->cli;
    if (vg_cli_store_shared(cli))
        return;
    const char *db = cli->db && *cli->db ? cli->db : "vigil.db";
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", db);
    char *slash = strrchr(dir, '/');
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    struct statvfs v;
    if (statvfs(dir, &v) != 0) {
        report(d, FAIL, "disk", "%s: %s", dir, strerror(errno));
        return;
    }
    long long free_mib = (long long)((unsigned long long)v.f_bavail * v.f_frsize >> 20);
    report(d, free_mib < warn_mib ? WARN : OK, "disk", "%lld MiB free in %s%s", free_mib, dir,
           free_mib < warn_mib ? " (low)" : "");
}

int vg_cmd_doctor(const vg_cli *cli, int argc, char **argv)
{
    vg_cli_parsed p;
    int r = vg_cli_parse(&def, argc, argv, 1, &p);
    if (r)
        return r == VG_CLI_HELPED ? VG_EXIT_OK : r;
    long long wal = 256, disk = 1024;
    const char *w = vg_cli_val(&p, "--wal-warn-mib"), *k = vg_cli_val(&p, "--disk-warn-mib");
    if (w && vg_cli_parse_int(w, 1, 1000000, &wal))
        return vg_cli_usage("--wal-warn-mib takes a number from 1 to 1000000");
    if (k && vg_cli_parse_int(k, 1, 1000000000, &disk))
        return vg_cli_usage("--disk-warn-mib takes a number from 1 to 1000000000");
    doctor d = {.cli = cli};
    check_models(&d);
    check_runtime(&d);
    check_store(&d, wal);
    check_sign_key(&d);
    check_clock(&d);
    check_disk(&d, disk);
    return d.worst;
}
