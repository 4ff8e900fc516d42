/* bench.h — the benchmark entry points that bench/main.c strings together into
 * one JSON document. Each prints one complete JSON object value to out. */
#ifndef VG_BENCH_H
#define VG_BENCH_H

#include <stdio.h>

#include "vigil/watchlist.h"

/* 1:N top-5 search over 10 000 random 512-D templates, auto and scalar
 * kernels, against the time to stream the same bytes (bench_match.c). */
void vg_bench_match(FILE *out);

/* Identify latency over galleries of 1 000, 10 000 and 100 000 synthetic
 * 512-D templates (int8 search with exact re-ranking beside the float scan),
 * against streaming the same bytes; memory per template (bench_gallery.c). */
void vg_bench_gallery(FILE *out);

/* The still-image pipeline per stage beside raw ORT (bench_face.c). */
void vg_bench_face(FILE *out, const char *data_dir, const char *models_dir);
/* bench_frontend.c: the issue-11 front end against the first pass alone */
void vg_bench_frontend(FILE *out, const char *data_dir, const char *models_dir);

/* Enrolment throughput on one core: LFW photos gated, embedded, re-encoded
 * and stored per second (bench_enrol.c). */
void vg_bench_enrol(FILE *out, const char *data_dir, const char *models_dir);

/* The live engine: concurrent 1080p streams under 1 % drops, CPU per stream,
 * engine cost against decode + detect alone, alert latency (bench_engine.c). */
void vg_bench_engine(FILE *out, const char *data_dir, const char *models_dir, const char *source_dir);

/* The decision per track against the decision per frame, with and without
 * flip augmentation: true and false alerts on the ASL identity test, the
 * walk-by, the demo clip and the crowd against 1 000 LFW people, embeddings
 * and CPU per frame (bench_track.c). */
void vg_bench_track(FILE *out, const char *data_dir, const char *models_dir, const char *source_dir);

/* bench_track.c's helpers, shared with bench_schedule.c: a subject
 * enrolled from one photo (face_index -1: the main face), a new watch list
 * (its id, 0 on failure), a watch list's gallery (NULL on failure). */
vg_status vg_bench_enrol_photo(const vg_face_pack *pack, vg_store *store, int64_t wid, const char *path,
                               const char *name, int face_index, float min_sharpness, int64_t *sid);
int64_t vg_bench_new_list(vg_store *store, const char *name);
vg_watch_gallery *vg_bench_load_gallery(vg_store *store, const vg_face_pack *pack, int64_t wid);

/* Detect and track (issue 17) against every-frame detection in one run:
 * tracks found, frames per track, best shots, alerts and their latency on
 * the crowd clip, the ASL clips and the walk-by; the most concurrent
 * 1080p streams under 1 % drops in each mode, CPU per stream
 * (bench_schedule.c). */
void vg_bench_schedule(FILE *out, const char *data_dir, const char *models_dir, const char *source_dir, int streams_too);
void vg_bench_schedule_replay(FILE *out, const char *data_dir, const char *models_dir, double hz);

/* The live view: its parts on a 1080p frame, and in the engine with one
 * viewer (bench_view.c). */
void vg_bench_view(FILE *out, const char *data_dir, const char *models_dir);
/* The HTTP server beside the engine on 2 streams: wrk against the alert
 * list (paced at ~500/s and flat out), 100 SSE clients and the time from an
 * alert's creation to its arrival at all of them (bench_server.c). */
void vg_bench_server(FILE *out, const char *data_dir, const char *models_dir);

/* Decoding a 12-megapixel phone photo with and without an EXIF
 * orientation to apply, and the turn alone (bench_orient.c). */
void vg_bench_orient(FILE *out, const char *data_dir);

/* The shared store (issue 7): alerts per second from three writer
 * processes and from one, watch-list change propagation p50/p99, the load
 * of a 10 000-template gallery, on PostgreSQL and SQLite (bench_nodes.c). */
void vg_bench_nodes(FILE *out, const char *source_dir);
/* `vg_bench nodes-inner` (under with_postgres.sh) and `vg_bench nodes-writer`. */
int vg_bench_nodes_inner(const char *self);
int vg_bench_nodes_writer(int argc, char **argv);

#endif
