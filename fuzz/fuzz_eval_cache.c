/* fuzz_eval_cache.c — libFuzzer target for vg_eval_cache_parse, which reads
 * the evaluation cache of `vigil eval groups --cache FILE` (a file the user
 * names, which may be damaged or not a cache at all). The input is parsed
 * twice: as it is (the SHA-256 trailer check), and with its own SHA-256
 * appended, so that the body's parser is reached. Any bytes must give VG_OK
 * or VG_ERR_INVALID with a message, never a crash or a read past the input;
 * a cache that parses has its keys sorted, distinct and non-empty. */
#include "eval/eval.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const unsigned char *buf, size_t len)
{
    vg_eval_cache c;
    vg_err err = {{0}};
    vg_status st = vg_eval_cache_parse("fuzz", buf, len, &c, &err);
    if (st != VG_OK && (st != VG_ERR_INVALID || !err.msg[0]))
        abort();
    for (size_t i = 0; st == VG_OK && i < c.n; i++) {
        if (!c.e[i].key[0] || (i && strcmp(c.e[i - 1].key, c.e[i].key) >= 0))
            abort();
        volatile float x = c.e[i].emb[c.dim - 1]; /* inside the storage (ASan checks) */
        (void)x;
    }
    vg_eval_cache_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    unsigned char *buf = malloc(size + crypto_hash_sha256_BYTES);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    check(buf, size);
    crypto_hash_sha256(buf + size, data, size);
    check(buf, size + crypto_hash_sha256_BYTES);
    free(buf);
    return 0;
}
