/* document.h — between inputs.c and render.c: a document's content as JSON
 * (title, notice, warnings, blank fields, sections of rows with sources). */
#ifndef VG_PAPERWORK_DOCUMENT_H
#define VG_PAPERWORK_DOCUMENT_H

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>

#define VG_PAPERWORK_NOTICE                                                                                          \
    "This document was assembled by vigil from its records to support a person's assessment. It does not replace "   \
    "that assessment, nor legal advice: the fields marked TO COMPLETE are for the responsible people, and every "     \
    "figure names the record it comes from so that it can be checked."

/* The document of inputs (NULL: out of memory); the caller's. */
json_t *vg_paperwork_document(const json_t *inputs, int version, const char *inputs_sha256);

#endif
