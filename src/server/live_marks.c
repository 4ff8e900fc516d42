/* live_marks.c — GET /api/v1/cameras/marks: the labels of the cameras'
 * live views as Server-Sent Events, for the console to lay over the MJPEG
 * pictures: one stream for every camera (a browser keeps six connections
 * to a server, and each picture holds one already). Each view frame the
 * engine publishes gives one event "event: marks\ndata: {"camera","seq",
 * "pts","marks":[...]}\n\n" with, for each matched face shown sharp on
 * that frame (and only those: the engine's marks hold nothing of any other
 * face), its box as fractions of the frame, its track, its subject's id and
 * name, and the alert's id and state. When a camera gave no frame for
 * WAIT_S, an event with seq 0 and no mark says so, once, so that a label
 * never outlives its frame by more than that. The cameras are looked at
 * every POLL_NS (the engine's view makes at most 5 frames a second). Names
 * and states come from the store, each looked up again at most every
 * REFRESH_S. The stream makes no frame by itself (only a live.mjpeg viewer
 * does); it ends when the server stops or every camera has ended, and when
 * the caller's session or token is gone (checked at least every CHECK_S).
 * Same role as the live view. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/strbuf.h"
#include "server/server_internal.h"

#define WAIT_S 1.0
#define POLL_NS 40000000L
#define IDLE_S 15.0
#define REFRESH_S 1.0
#define CHECK_S 2.0
#define NAMES_MAX 16

typedef struct mark_name {
    int64_t alert_id, subject_id;
    char name[VG_STORE_NAME_MAX + 1];
    char state[16];
    double fetched;             /* monotonic s; 0: empty slot */
} mark_name;

typedef struct cam_cursor {
    int64_t seq;                /* the last frame sent */
    double last;                /* monotonic s of that frame (or of the opening) */
    int blank_sent;             /* "no frame" went out since */
    int ended;
} cam_cursor;

typedef struct marks_stream {
    vg_server *srv;
    vg_session who;
    char bearer[VG_STORE_TOKEN_LEN + 1];
    int n_cams;
    cam_cursor *cams;
    double checked;             /* monotonic s of the last credentials check */
    double sent;                /* monotonic s of the last bytes queued */
    mark_name names[NAMES_MAX];
    int next_name;
    vg_engine_view_marks vm;    /* one camera's marks, read into here */
    vg_strbuf out;              /* the events not yet sent, from off */
    size_t off;
} marks_stream;

static const char hello[] = ": vigil live marks\nretry: 1000\n\n";

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The name and state for a mark, from the cache or the store. */
static const mark_name *lookup(marks_stream *ms, const vg_engine_view_mark *m, double now)
{
    mark_name *slot = NULL;
    for (int i = 0; i < NAMES_MAX && !slot; i++)
        if (ms->names[i].fetched > 0 && ms->names[i].alert_id == m->alert_id &&
            ms->names[i].subject_id == m->subject_id)
            slot = &ms->names[i];
    if (slot && now - slot->fetched < REFRESH_S)
        return slot;
    if (!slot) {
        slot = &ms->names[ms->next_name];
        ms->next_name = (ms->next_name + 1) % NAMES_MAX;
    }
    memset(slot, 0, sizeof *slot);
    slot->alert_id = m->alert_id;
    slot->subject_id = m->subject_id;
    slot->fetched = now;
    pthread_mutex_lock(&ms->srv->store_mu);
    vg_alert_detail d;
    vg_subject s;
    if (m->alert_id > 0 && vg_store_alert_detail_get(ms->srv->store, m->alert_id, &d, NULL) == VG_OK) {
        snprintf(slot->name, sizeof slot->name, "%s", d.subject_name);
        snprintf(slot->state, sizeof slot->state, "%s", d.alert.state);
    } else if (m->subject_id > 0 && vg_store_subject_get(ms->srv->store, m->subject_id, &s, NULL) == VG_OK) {
        snprintf(slot->name, sizeof slot->name, "%s", s.name);
    }
    pthread_mutex_unlock(&ms->srv->store_mu);
    return slot;
}

/* The event for one frame's marks (seq 0: no frame in time); NULL when out
 * of memory. */
static char *event_text(marks_stream *ms, int cam, const vg_engine_view_marks *vm)
{
    double now = mono_s();
    json_t *arr = json_array();
    for (int i = 0; arr && i < vm->n; i++) {
        const vg_engine_view_mark *m = &vm->marks[i];
        const mark_name *nm = lookup(ms, m, now);
        json_t *box = json_pack("[ffff]", (double)m->box[0], (double)m->box[1], (double)m->box[2],
                                (double)m->box[3]);
        json_t *o = box ? json_pack("{s:o,s:I,s:I,s:s,s:I,s:s}", "box", box, "track", (json_int_t)m->track_id,
                                    "subject_id", (json_int_t)m->subject_id, "name", nm->name, "alert_id",
                                    (json_int_t)m->alert_id, "state", nm->state)
                        : NULL;
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    json_t *j = arr ? json_pack("{s:i,s:I,s:f,s:o}", "camera", cam + 1, "seq", (json_int_t)vm->seq, "pts", vm->pts,
                                "marks", arr)
                    : NULL;
    char *data = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!data)
        return NULL;
    size_t cap = strlen(data) + 64;
    char *ev = malloc(cap);
    if (ev)
        snprintf(ev, cap, "event: marks\ndata: %s\n\n", data);
    free(data);
    return ev;
}

/* Appends text to the buffer to send; 0 when out of memory. */
static int put(marks_stream *ms, const char *text)
{
    vg_strbuf_puts(&ms->out, text);
    return !ms->out.failed;
}

/* The events due now, for every camera, into the buffer: -1 out of
 * memory, else how many (0: every camera ended when *all_ended). */
static int collect(marks_stream *ms, double now, int *all_ended)
{
    int n = 0;
    *all_ended = 1;
    for (int c = 0; c < ms->n_cams; c++) {
        cam_cursor *cc = &ms->cams[c];
        if (cc->ended)
            continue;
        vg_engine_view_marks *vm = &ms->vm;
        vg_status st = vg_engine_view_marks_next(ms->srv->engine, c, cc->seq, 0, vm, NULL);
        if (st != VG_OK) /* the camera ended or the engine stops: its last word is "no frame" */
            cc->ended = 1;
        else
            *all_ended = 0;
        if (vm->seq > 0) {
            cc->seq = vm->seq;
            cc->last = now;
            cc->blank_sent = 0;
        } else if ((cc->ended || now - cc->last >= WAIT_S) && !cc->blank_sent) {
            cc->blank_sent = 1;
        } else {
            continue;
        }
        char *ev = event_text(ms, c, vm);
        int ok = ev && put(ms, ev);
        free(ev);
        if (!ok)
            return -1;
        n++;
    }
    return n;
}

static ssize_t reader(void *cls, uint64_t pos, char *out, size_t max)
{
    (void)pos;
    marks_stream *ms = cls;
    while (ms->off == ms->out.len) {
        ms->off = ms->out.len = 0;
        if (atomic_load(&ms->srv->stopping))
            return MHD_CONTENT_READER_END_OF_STREAM;
        double now = mono_s();
        if (now - ms->checked >= CHECK_S) {
            if (!vg_auth_still_valid(ms->srv, &ms->who, ms->bearer))
                return MHD_CONTENT_READER_END_OF_STREAM;
            ms->checked = now;
        }
        int all_ended = 0, n = collect(ms, now, &all_ended);
        if (n < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (n == 0 && all_ended)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (n == 0 && now - ms->sent >= IDLE_S && !put(ms, ": idle\n\n"))
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (ms->out.len == 0) {
            struct timespec ts = {0, POLL_NS};
            nanosleep(&ts, NULL);
        } else {
            ms->sent = now;
        }
    }
    size_t n = ms->out.len - ms->off < max ? ms->out.len - ms->off : max;
    memcpy(out, ms->out.p + ms->off, n);
    ms->off += n;
    return (ssize_t)n;
}

static void done(void *cls)
{
    marks_stream *ms = cls;
    sodium_memzero(ms->bearer, sizeof ms->bearer);
    sodium_memzero(&ms->who, sizeof ms->who);
    sodium_memzero(ms->names, sizeof ms->names);
    free(ms->out.p);
    free(ms->cams);
    free(ms);
}

enum MHD_Result vg_api_live_marks(vg_request *r)
{
    vg_engine *e = r->srv->engine;
    if (!e)
        return vg_http_error(r, MHD_HTTP_SERVICE_UNAVAILABLE,
                             "no engine runs in this server (vigil serve): no live view", NULL);
    marks_stream *ms = calloc(1, sizeof *ms);
    int n = vg_engine_camera_count(e);
    if (ms && n > 0)
        ms->cams = calloc((size_t)n, sizeof *ms->cams);
    if (!ms || (n > 0 && !ms->cams) || !put(ms, hello)) {
        if (ms)
            done(ms);
        return vg_http_error(r, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory", NULL);
    }
    ms->srv = r->srv;
    ms->n_cams = n;
    ms->who = r->session;
    ms->checked = ms->sent = mono_s();
    for (int i = 0; i < n; i++)
        ms->cams[i].last = ms->checked;
    const char *auth = vg_http_header(r, "Authorization");
    if (r->session.bearer && auth && strlen(auth) > 7) {
        const char *t = auth + 7;
        while (*t == ' ')
            t++;
        snprintf(ms->bearer, sizeof ms->bearer, "%s", t);
    }
    struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, reader, ms, done);
    if (!resp) {
        done(ms);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", "text/event-stream");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Accel-Buffering", "no");
    return vg_http_queue(r, MHD_HTTP_OK, resp);
}
