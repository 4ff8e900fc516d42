/* fuzz_checkpoint_line.c — libFuzzer target for vg_checkpoint_parse, which
 * reads the signed checkpoint lines of `vigil audit verify --checkpoints`
 * from a file anyone may have handed in: any bytes must give VG_OK or
 * VG_ERR_INVALID with a message, never a crash or a read past the input;
 * a line that parses must print back to exactly its own bytes. */
#include "vigil/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *line = malloc(size ? size : 1); /* not terminated: the parser must keep to len */
    if (!line)
        return 0;
    memcpy(line, data, size);
    vg_checkpoint c;
    vg_err err = {{0}};
    vg_status st = vg_checkpoint_parse(line, size, &c, &err);
    if (st != VG_OK && (st != VG_ERR_INVALID || !err.msg[0]))
        abort();
    if (st == VG_OK) {
        char back[VG_CHECKPOINT_LINE_MAX + 1];
        int n = snprintf(back, sizeof back, "vigil-checkpoint v1 seq=%lld hash=%s time=%lld key=%s sig=%s",
                         (long long)c.seq, c.hash, (long long)c.time, c.key, c.sig);
        if (n < 0 || (size_t)n != size || memcmp(back, line, size) != 0)
            abort();
    }
    free(line);
    return 0;
}
