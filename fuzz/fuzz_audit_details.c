/* fuzz_audit_details.c — libFuzzer target for vg_audit_details_check, the
 * check (with jansson) that an audit entry's details are one JSON object:
 * any bytes must be accepted or refused cleanly, never crash or leak. Input
 * is cut at its first NUL, as a C string from a caller would be. */
#include "store/audit.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    vg_err err;
    vg_status st = vg_audit_details_check(text, &err);
    if (st != VG_OK && st != VG_ERR_INVALID && st != VG_ERR_LIMIT)
        abort();
    free(text);
    return 0;
}
