/* faceness.h — is a detected box a face? Two checks that separate faces from
 * the textures, animals and objects the detector also scores highly. */
#ifndef VG_FACE_FACENESS_H
#define VG_FACE_FACENESS_H

#include "face/pack_internal.h"

/* A face re-detects at VG_FACENESS_MIN_REDETECT or more, and its landmarks
 * drift at most VG_FACENESS_MAX_DRIFT eye distances; up to
 * VG_FACENESS_MAX_DRIFT_SURE when it re-detects at VG_FACENESS_SURE or more
 * (close-ups and tight crops drift more: the square box leaves the image).
 * docs/pipeline.md, "Faceness", has the measurements. */
#define VG_FACENESS_MIN_REDETECT 0.5f
#define VG_FACENESS_MAX_DRIFT 0.2f
#define VG_FACENESS_SURE 0.9f
#define VG_FACENESS_MAX_DRIFT_SURE 0.4f

/* Measures f->check from the image and f's five points (f->lm must be set):
 * re-detection, the detector's score on the face warped upright into the
 * middle of a canvas with context around it; drift, how far the 68 points
 * move (in eye distances) when the landmark model is run again on the box
 * its own points give (-1 where the pack has no 68-point model). Sets
 * f->check.is_face. */
vg_status vg_faceness_measure(const vg_face_pack *pack, const vg_image *img, vg_face *f, vg_err *err);

#endif
