/* fuzz_pack_manifest.c — libFuzzer target for vg_manifest_parse, the reader
 * of a model pack's manifest.json: any bytes must be accepted or refused
 * cleanly (invalid, unsupported, over the limit), never crash or leak; a
 * refused manifest yields nothing, an accepted one holds whole facts. */
#include "face/manifest.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vg_pack_manifest *m = malloc(sizeof *m);
    if (!m)
        return 0;
    vg_err err;
    vg_status st = vg_manifest_parse((const char *)data, size, m, &err);
    if (st != VG_OK && st != VG_ERR_INVALID && st != VG_ERR_UNSUPPORTED && st != VG_ERR_LIMIT)
        abort();
    if (st != VG_OK && (m->n != 0 || m->name[0]))
        abort();
    if (st == VG_OK) {
        if (m->n < 1 || m->n > VG_PACK_MAX_MODELS || !m->name[0])
            abort();
        for (int i = 0; i < m->n; i++)
            if (strlen(m->models[i].sha256) != 64 || !m->models[i].file[0] || !m->models[i].licence[0] ||
                m->models[i].role == VG_ROLE_NONE)
                abort();
    }
    free(m);
    return 0;
}
