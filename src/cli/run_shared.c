/* run_shared.c — what `vigil run` and `vigil replay` share: the log line writer,
 * the alert printer, the engine's statistics as key=value lines, and the
 * wait for the end (of the files, or of SIGINT/SIGTERM) and what the other
 * signals do meanwhile: SIGHUP reloads (or is ignored, logged), SIGUSR1 and
 * SIGUSR2 log the statistics, SIGPIPE is ignored (EPIPE on stdout is logged
 * once and printing stops). */
#include "cli/run_shared.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void vg_cli_log_line(void *ctx, const char *line)
{
    (void)ctx;
    char ts[32];
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct tm tm;
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "ts=%s.%03ldZ %s\n", ts, now.tv_nsec / 1000000, line);
}

void vg_cli_print_alert(void *ctx, const vg_engine_alert *a)
{
    const vg_cli *cli = ctx;
    if (cli->json) {
        vg_cli_print_json(json_pack("{s:s,s:s?,s:s,s:I,s:s,s:f,s:I,s:f,s:f,s:f,s:[f,f,f,f],s:I,s:b}", "type", "alert",
                                    "uid", a->alert.uid, "camera", a->alert.camera, "subject",
                                    (json_int_t)a->alert.subject_id, "name", a->subject_name, "score",
                                    (double)a->alert.score, "track", (json_int_t)a->track_id, "frame_time",
                                    a->alert.frame_time, "raised_at", a->alert.raised_at, "latency_ms",
                                    a->latency_ms, "box", (double)a->box[0], (double)a->box[1],
                                    (double)a->box[2], (double)a->box[3], "id", (json_int_t)a->alert.id, "scene",
                                    a->scene != NULL));
    } else {
        printf("ALERT camera=%s subject=%lld name=\"%s\" score=%.4f track=%lld latency_ms=%.0f\n", a->alert.camera,
               (long long)a->alert.subject_id, a->subject_name, a->alert.score, (long long)a->track_id,
               a->latency_ms);
    }
    int failed_before = ferror(stdout);
    if (fflush(stdout) != 0 && !failed_before) /* EPIPE: a closed reader; said once */
        vg_cli_log_line(NULL, "event=stdout_closed action=continue note=\"alerts are still stored and served; "
                              "they are no longer printed\"");
}

void vg_cli_log_stats(vg_engine *e)
{
    for (int i = 0; i < vg_engine_camera_count(e); i++) {
        vg_engine_camera_stats s;
        vg_engine_camera_stats_get(e, i, &s);
        vg_log_line l;
        vg_log_start(&l, "stats");
        vg_log_str(&l, "camera", s.name);
        vg_log_fmt(&l, "frames_in", "%lld", (long long)s.source.frames_decoded);
        vg_log_fmt(&l, "frames_processed", "%lld", (long long)s.frames_processed);
        vg_log_fmt(&l, "frames_dropped", "%lld", (long long)s.source.frames_dropped);
        vg_log_fmt(&l, "decode_ms", "%.1f",
                   s.source.frames_decoded ? s.source.decode_ms_total / (double)s.source.frames_decoded : 0.0);
        vg_log_fmt(&l, "detect_ms", "%.1f",
                   s.frames_processed ? s.detect_ms_total / (double)s.frames_processed : 0.0);
        vg_log_fmt(&l, "faces", "%lld", (long long)s.faces);
        vg_log_fmt(&l, "tracks", "%lld", (long long)s.tracks_started);
        vg_log_fmt(&l, "tracks_active", "%lld", (long long)s.tracks_active);
        vg_log_fmt(&l, "embeddings", "%lld", (long long)s.embeddings);
        vg_log_fmt(&l, "alerts", "%lld", (long long)s.alerts);
        vg_log_fmt(&l, "reconnects", "%lld", (long long)s.source.reconnects);
        vg_cli_log_line(NULL, l.buf);
    }
}

json_t *vg_cli_summary_json(vg_engine *e)
{
    vg_counters c;
    vg_engine_counters(e, &c);
    int64_t ended = 0, started = 0;
    for (int i = 0; i < vg_engine_camera_count(e); i++) {
        vg_engine_camera_stats s;
        vg_engine_camera_stats_get(e, i, &s);
        ended += s.tracks_ended;
        started += s.tracks_started;
    }
    /* alerts the store could not take at once: held (in the spool), stored
     * later, lost (the spool's bound, or still in memory at the stop), and
     * waiting in a spool file for the next start */
    vg_store_spool_stats sp;
    vg_engine_spool_stats(e, &sp);
    json_int_t lost = (json_int_t)(sp.dropped + (sp.in_memory ? sp.pending : 0) + vg_engine_alerts_dropped(e));
    return json_pack("{s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:I,s:I,s:I,s:I}", "type", "summary",
                     "frames_in",
                     (json_int_t)c.frames_in, "frames_processed", (json_int_t)c.frames_processed, "frames_dropped",
                     (json_int_t)c.frames_dropped, "faces", (json_int_t)c.faces, "tracks", (json_int_t)started,
                     "tracks_freed", (json_int_t)ended, "embeddings", (json_int_t)c.embeddings, "comparisons",
                     (json_int_t)c.comparisons, "alerts", (json_int_t)c.alerts, "reconnects",
                     (json_int_t)c.reconnects, "latency_ms_p50", vg_engine_latency_ms(e, 50), "latency_ms_p99",
                     vg_engine_latency_ms(e, 99), "alerts_held", (json_int_t)sp.spooled, "alerts_stored_late",
                     (json_int_t)sp.written, "alerts_lost", lost, "alerts_waiting",
                     (json_int_t)(sp.in_memory ? 0 : sp.pending));
}

/* The name of a signal the wait handles. */
static const char *signal_name(int sig)
{
    switch (sig) {
    case SIGINT:
        return "SIGINT";
    case SIGTERM:
        return "SIGTERM";
    case SIGHUP:
        return "SIGHUP";
    case SIGUSR1:
        return "SIGUSR1";
    default:
        return "SIGUSR2";
    }
}

static void wait_set(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGINT);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGHUP);
    sigaddset(set, SIGUSR1);
    sigaddset(set, SIGUSR2);
}

int vg_cli_wait_engine(vg_engine *e, double stats_every_s, vg_cli_tick_fn tick, void *ctx)
{
    sigset_t set;
    wait_set(&set);
    double last = 0;
    for (;;) {
        struct timespec ts = {0, 200 * 1000000L};
        int sig = sigtimedwait(&set, NULL, &ts);
        char line[160];
        if (sig == SIGINT || sig == SIGTERM) {
            snprintf(line, sizeof line, "event=stopping signal=%s", signal_name(sig));
            vg_cli_log_line(NULL, line);
            return 1;
        }
        if (sig == SIGHUP) {
            /* a closed terminal or `systemctl reload`: never a reason to stop */
            if (tick) {
                vg_cli_log_line(NULL, "event=signal signal=SIGHUP action=reload");
                tick(ctx, VG_CLI_TICK_RELOAD);
            } else {
                vg_cli_log_line(NULL, "event=signal signal=SIGHUP action=ignored note=\"nothing to reload\"");
            }
        }
        int stats = 0;
        if (sig == SIGUSR1 || sig == SIGUSR2) {
            snprintf(line, sizeof line, "event=signal signal=%s action=stats", signal_name(sig));
            vg_cli_log_line(NULL, line);
            vg_cli_log_stats(e);
            stats = 1;
        }
        if (!vg_engine_running(e))
            return 0;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double t = (double)now.tv_sec + (double)now.tv_nsec * 1e-9;
        if (stats_every_s > 0 && t - last >= stats_every_s) {
            if (last > 0) {
                vg_cli_log_stats(e);
                stats = 1;
            }
            last = t;
        }
        if (tick)
            tick(ctx, stats ? VG_CLI_TICK_STATS : VG_CLI_TICK);
    }
}

void vg_cli_block_signals(void)
{
    /* A closed stdout or a peer gone must not kill the process: writes
     * fail with EPIPE instead, and the callers handle it. */
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    wait_set(&set);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}
