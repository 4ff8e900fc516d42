/* known_models.h — the public face models vigil recognises by SHA-256, with
 * the facts needed to run each, so a pack of them needs no manifest; and the
 * facts each detector and landmark family fixes. */
#ifndef VG_FACE_KNOWN_MODELS_H
#define VG_FACE_KNOWN_MODELS_H

#include "face/manifest.h"

/* The table entry for a SHA-256 (lowercase hex), or NULL. */
const vg_model_facts *vg_known_model_by_sha(const char *sha256);
/* The table entry whose usual file name is file, or NULL. */
const vg_model_facts *vg_known_model_by_file(const char *file);
int vg_known_model_count(void);
const vg_model_facts *vg_known_model_at(int index);

/* What a detector or landmark family fixes (layout, colour, normalisation;
 * size 0 x 0 with input_set 0: read from the model's graph); NULL for an
 * embedder family, which fixes nothing. */
const vg_model_facts *vg_known_family(vg_model_role role, const char *family);

#endif
