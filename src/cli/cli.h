/* cli.h — what the `vigil` subcommands share: global options, the command
 * table, opening the model pack, loading images, and output helpers. */
#ifndef VG_CLI_H
#define VG_CLI_H

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>

#include "vigil/face.h"
#include "vigil/image.h"
#include "vigil/status.h"

/* Exit statuses (README.md, "Exit status"). */
enum { VG_EXIT_OK = 0, VG_EXIT_FAIL = 1, VG_EXIT_USAGE = 2 };

typedef struct vg_cli {
    int json;               /* --json: one JSON object per line on stdout */
    const char *models;     /* --models DIR */
    const char *detector;   /* --detector SPEC */
    int landmark_fit;       /* --landmark-fit: VG_FACE_FIT_* */
    int landmarks_68;       /* --landmarks 68: the pack's 68 points align with any detector */
    const char *db;         /* --db PATH (default $VIGIL_DB, else ./vigil.db) */
    const char *key;        /* --key PATH (default $VIGIL_KEY, else the db path + ".key") */
    const char *actor;      /* --actor NAME (default $VIGIL_ACTOR, else the login name) */
    int threads;            /* --threads N (0: cores) */
    long long max_pixels;   /* --max-pixels N */
    float min_face;         /* --min-face PX */
    const char *provider;   /* [infer] provider of a --config file (NULL: cpu) */
} vg_cli;

typedef struct vg_cli_command {
    const char *name;
    const char *summary;
    /* argv[0] is the command; it answers -h/--help itself, from its table
     * of options (options.h) */
    int (*run)(const vg_cli *cli, int argc, char **argv);
} vg_cli_command;

int vg_cmd_version(const vg_cli *cli, int argc, char **argv);
int vg_cmd_detect(const vg_cli *cli, int argc, char **argv);
int vg_cmd_compare(const vg_cli *cli, int argc, char **argv);
int vg_cmd_eval(const vg_cli *cli, int argc, char **argv);
int vg_cmd_watchlist(const vg_cli *cli, int argc, char **argv);
int vg_cmd_subject(const vg_cli *cli, int argc, char **argv);
int vg_cmd_identify(const vg_cli *cli, int argc, char **argv);
int vg_cmd_audit(const vg_cli *cli, int argc, char **argv);
int vg_cmd_retention(const vg_cli *cli, int argc, char **argv);
int vg_cmd_deployment(const vg_cli *cli, int argc, char **argv);
int vg_cmd_run(const vg_cli *cli, int argc, char **argv);
int vg_cmd_replay(const vg_cli *cli, int argc, char **argv);
int vg_cmd_alert(const vg_cli *cli, int argc, char **argv);
int vg_cmd_report(const vg_cli *cli, int argc, char **argv);
int vg_cmd_serve(const vg_cli *cli, int argc, char **argv);
int vg_cmd_user(const vg_cli *cli, int argc, char **argv);
int vg_cmd_models(const vg_cli *cli, int argc, char **argv);
int vg_cmd_paperwork(const vg_cli *cli, int argc, char **argv);
int vg_cmd_doctor(const vg_cli *cli, int argc, char **argv);
int vg_cmd_backup(const vg_cli *cli, int argc, char **argv);
int vg_cmd_restore(const vg_cli *cli, int argc, char **argv);

/* Exit status for a library status: bad input -> 2, anything else -> 1. */
int vg_cli_exit_for(vg_status st);

/* Prints "vigil: <msg>" to stderr and returns the exit status for st. */
int vg_cli_fail(vg_status st, const vg_err *err);
/* The same for a config file's error, which starts "file:LINE: " and is
 * printed without the "vigil: " prefix. */
int vg_cli_fail_config(vg_status st, const vg_err *err);
int vg_cli_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

vg_status vg_cli_open_pack(const vg_cli *cli, vg_face_pack **pack, vg_err *err);

vg_status vg_cli_load_image(const vg_cli *cli, const char *path, vg_image **img, vg_err *err);

/* Whether the store is shared by several nodes (a PostgreSQL URL). */
int vg_cli_store_shared(const vg_cli *cli);
/* Opens the store at --db / $VIGIL_DB / ./vigil.db with its key file. */
struct vg_store;
vg_status vg_cli_open_store(const vg_cli *cli, struct vg_store **store, vg_err *err);
/* Who is acting, for the audit chain. */
const char *vg_cli_actor(const vg_cli *cli);

/* "YYYY-MM-DD" (00:00 UTC) or "YYYY-MM-DDTHH:MM[:SS][Z]" -> Unix seconds;
 * 0 on success. */
int vg_cli_parse_time(const char *s, long long *out);
/* Unix seconds -> "YYYY-MM-DD HH:MM:SS" UTC (buf >= 20 bytes); "-" for 0. */
const char *vg_cli_format_time(long long t, char *buf, size_t len);

/* The deployment's false-alert ceiling (deploy_check.c): VG_OK when the
 * calibrated false-alert rate of threshold, for a watch list of list_size
 * subjects and the embedder model_id, is at most one in ceiling_faces faces
 * (0: 6000), with the figures as key=value text in summary; otherwise
 * VG_ERR_INVALID with a message naming the deployment and the numbers. */
vg_status vg_cli_check_false_alerts(struct vg_store *store, const char *deployment, const char *model_id,
                                    int list_size, double threshold, double ceiling_faces, char *summary, size_t len,
                                    vg_err *err);

/* The calibration of the embedder model_id (deploy_check.c): the store's,
 * else the default file's ($VIGIL_CALIBRATION, else the build's
 * calibration/default.txt) when it is of that model; source says which.
 * VG_ERR_NOT_FOUND, with the reason, when there is none for this model.
 * *out is released with vg_calib_free on success. */
struct vg_calib;
vg_status vg_cli_calibration_for(struct vg_store *store, const char *model_id, struct vg_calib *out, char *source,
                                 size_t len, vg_err *err);

/* The default calibration file (deploy_check.c): $VIGIL_CALIBRATION, else
 * the install prefix's, else the build's calibration/default.txt; buf (len
 * bytes, 4096 will do) holds the path when it is built. */
const char *vg_cli_default_calibration(char *buf, size_t len);

/* Number of worker threads to use (--threads or the cores). */
int vg_cli_threads(const vg_cli *cli);

/* json_stderr.c: under --json, stderr's lines as JSON objects (errors as
 * {"error":...,"field":...}) through a pipe and a reader thread. */
typedef struct vg_cli_json_stderr {
    int real_fd, pipe_rd, started;
    pthread_t thread;
} vg_cli_json_stderr;
int vg_cli_json_stderr_start(vg_cli_json_stderr *j);  /* 0, or -1 (stderr left as it was) */
void vg_cli_json_stderr_stop(vg_cli_json_stderr *j);  /* flushes, restores stderr */

/* Writes obj as one compact line to stdout (vg_cli_json_text) and releases
 * it. VG_EXIT_OK, or VG_EXIT_FAIL with a message on stderr when obj is NULL
 * (json_pack refused a value: invalid UTF-8) or could not be written: a
 * record that cannot be printed is an error, never left out. */
int vg_cli_print_json(json_t *obj);
/* json_out.c: v as one compact line of JSON, reals in the shortest form that
 * reads back as the same double; NULL when out of memory. Free it. */
char *vg_cli_json_text(const json_t *v);
/* The shortest text of v that strtod reads back as v ("0.1", "283.835",
 * "1.0"); buf of at least 32 bytes. */
void vg_cli_json_real(double v, char *buf, size_t len);
json_t *vg_cli_face_json(const vg_face *f);

/* Parses a float/int option value; 0 on success. */
int vg_cli_parse_float(const char *s, float *out);
int vg_cli_parse_int(const char *s, long long lo, long long hi, long long *out);

#endif
