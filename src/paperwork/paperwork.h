/* paperwork.h — the documents a deployment needs (issue 20): the Data
 * Protection Impact Assessment, the Equality Impact Assessment, the
 * watch-list criteria, the authorisation record and the post-deployment
 * review, assembled from what the store holds and has measured.
 *
 * Three steps, each a pure function of the one before but the first:
 *  1. inputs (inputs.c): the facts a document of a kind rests on, read from
 *     the store (deployment, watch list, calibration, evaluation runs,
 *     counts, adjudications, audit chain) into one JSON object, each figure
 *     with where it comes from. Nothing in it depends on the time it is
 *     read but what the store holds, so the same store gives the same
 *     inputs;
 *  2. the document (document.c): headings per the College of Policing's
 *     APP on live facial recognition and the ICO's opinion, rows of
 *     figures with their sources, warnings, and the fields a person must
 *     complete;
 *  3. rendering (render.c): JSON, Markdown or printable A4 HTML.
 * vg_paperwork_produce records each production as a version (the inputs,
 * sealed, with their SHA-256) and audits it; a version is made again from
 * its stored inputs byte for byte.
 *
 * The documents support a person's assessment; they do not replace it, and
 * say so. They hold no face, no image and no subject's name. */
#ifndef VG_PAPERWORK_H
#define VG_PAPERWORK_H

#include <jansson.h>
#include <stddef.h>

#include "vigil/status.h"
#include "vigil/store.h"

/* 1 when kind is dpia, eia, watchlist-criteria, authorisation or review. */
int vg_paperwork_kind_ok(const char *kind);
/* 1 when format is html, md or json. */
int vg_paperwork_format_ok(const char *format);

/* The inputs of a document of `kind` for the deployment named `deployment`
 * (VG_ERR_NOT_FOUND when there is none). calibration_path: the default
 * calibration file used when the store has none for the model (NULL or ""
 * none), as `vigil run` uses it. *out: a JSON object, the caller's. */
vg_status vg_paperwork_inputs(vg_store *s, const char *deployment, const char *kind, const char *calibration_path,
                              json_t **out, vg_err *err);

/* The document of inputs in format (malloc'd text in *out, *len bytes).
 * version and inputs_sha256 are printed in it. */
vg_status vg_paperwork_render(const json_t *inputs, const char *format, int version, const char *inputs_sha256,
                              char **out, size_t *len, vg_err *err);

/* Produces a document: version 0 reads the store now and records the
 * inputs (a new version when they changed, vg_store_paperwork_record);
 * version N renders version N's stored inputs (and audits that too).
 * *doc malloc'd (*len bytes); *version_out the version printed. */
vg_status vg_paperwork_produce(vg_store *s, const char *actor, const char *deployment, const char *kind,
                               const char *format, int version, const char *calibration_path, char **doc, size_t *len,
                               int *version_out, vg_err *err);

/* What changed between two versions of a document (watch list, threshold,
 * model, calibration, evaluations, ...): a JSON array of
 * {"path","from","to"} for each fact that differs, in a fixed order. */
vg_status vg_paperwork_diff(vg_store *s, const char *deployment, const char *kind, int from, int to, json_t **out,
                            vg_err *err);

/* The report's SVG charts (charts.c), appended to a text buffer. */
typedef struct vg_pw_buf {
    char *p;
    size_t len, cap;
    int failed; /* out of memory at some point: the text is incomplete */
} vg_pw_buf;
void vg_pw_printf(vg_pw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void vg_pw_puts(vg_pw_buf *b, const char *s);
/* s escaped for HTML text and attribute values. */
void vg_pw_html(vg_pw_buf *b, const char *s);
void vg_pw_free(vg_pw_buf *b);

/* Vertical bars: alerts by the officer's decision. */
void vg_paperwork_svg_outcomes(vg_pw_buf *b, long long confirmed, long long rejected, long long no_action,
                               long long pending);
/* Horizontal bars on a log scale: faces processed, alerts, false alerts. */
void vg_paperwork_svg_faces(vg_pw_buf *b, long long faces, long long alerts, long long rejected);

#endif
