/* fuzz_url_redact.c — libFuzzer target for vg_url_redact, which makes camera
 * URLs safe to log: any bytes must give a terminated string shorter than the
 * buffer, a smaller buffer must give a prefix of the full result (so a cut
 * never exposes what the full result hides), and redacting twice must change
 * nothing more. Input is cut at its first NUL, as a C string would be. */
#include "vigil/video.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *url = malloc(size + 1);
    if (!url)
        return 0;
    memcpy(url, data, size);
    url[size] = '\0';

    size_t cap = 2 * size + 16; /* "***" can replace a one-byte value */
    char *full = malloc(cap), *small = malloc(cap), *again = malloc(cap);
    if (!full || !small || !again)
        abort();
    vg_url_redact(url, full, cap);
    size_t n = strlen(full);
    if (n >= cap)
        abort();
    size_t len = 1 + (size ? data[0] % cap : 0);
    vg_url_redact(url, small, len);
    if (strlen(small) >= len || strncmp(small, full, strlen(small)) != 0)
        abort();
    if (n + 1 < cap) { /* not truncated: a second pass is a no-op */
        vg_url_redact(full, again, cap);
        if (strcmp(again, full) != 0)
            abort();
    }
    free(full);
    free(small);
    free(again);
    free(url);
    return 0;
}
