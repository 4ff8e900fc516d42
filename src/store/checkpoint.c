/* checkpoint.c — signed checkpoints of the audit chain's head
 * (include/vigil/checkpoint.h): made, parsed, and checked against the chain.
 *
 * The chain's hashes link every entry to the one before, but they are not
 * keyed: whoever can write the database can edit an entry and recompute
 * every hash after it, and the chain verifies again. A checkpoint is the
 * head's seq and hash signed with Ed25519 (libsodium crypto_sign) under a
 * key of its own, kept in a file apart from the database and its sealing
 * key, and exported as it is made to places outside the database
 * (checkpoint_export.c: an append-only file, syslog). A rewritten chain no
 * longer holds the hash that a checkpoint signed for its seq: verify
 * --checkpoints names the entry. An attacker who also holds the signing key
 * file can sign new checkpoints, but cannot take back the lines already
 * sent to syslog, so keep the key file on the vigil host only and the
 * exported lines on another.
 */
#include "vigil/checkpoint.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/checkpoint_export.h"
#include "store/keyfile.h"
#include "store/store_internal.h"

#define PREFIX "vigil-checkpoint v1 "

/* The key pair from the key file's 32-byte seed (made 0600 when missing). */
static vg_status load_keys(const char *key_path, uint8_t pk[crypto_sign_PUBLICKEYBYTES],
                           uint8_t sk[crypto_sign_SECRETKEYBYTES], vg_err *err)
{
    if (!key_path || !*key_path)
        return vg_err_set(err, VG_ERR_INVALID, "no checkpoint signing key file named");
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "libsodium failed to initialise");
    uint8_t seed[crypto_sign_SEEDBYTES];
    int created = 0;
    vg_status st = vg_keyfile_create(key_path, seed, &created, err);
    if (st != VG_OK)
        return vg_err_prefix(err, st, "checkpoint signing key");
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(seed, sizeof seed);
    return VG_OK;
}

vg_status vg_checkpoint_public_key(const char *key_path, char out[65], vg_err *err)
{
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    vg_status st = load_keys(key_path, pk, sk, err);
    sodium_memzero(sk, sizeof sk);
    if (st == VG_OK)
        sodium_bin2hex(out, 65, pk, sizeof pk);
    return st;
}

/* The signed text: everything of the line before " sig=". */
static int signed_text(const vg_checkpoint *c, char *buf, size_t cap)
{
    return snprintf(buf, cap, PREFIX "seq=%lld hash=%s time=%lld key=%s", (long long)c->seq,
                    c->hash, (long long)c->time, c->key);
}

vg_status vg_store_audit_checkpoint(vg_store *s, const vg_checkpoint_options *o, vg_checkpoint *out,
                                    vg_err *err)
{
    if (!s || !o || !out)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_audit_checkpoint: NULL argument");
    memset(out, 0, sizeof *out);
    /* a target that cannot be used is refused before anything is made */
    if (o->syslog) {
        vg_status st = vg_checkpoint_syslog_target_check(o->syslog, err);
        if (st != VG_OK)
            return st;
    }
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    vg_status st = load_keys(o->key_path, pk, sk, err);
    if (st != VG_OK)
        return st;
    st = vg_db_audit_tail(s, &out->seq, out->hash, err);
    if (st == VG_OK && out->seq == 0)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "the audit chain of %s is empty: nothing to sign",
                        s->name);
    if (st != VG_OK) {
        sodium_memzero(sk, sizeof sk);
        return st;
    }
    out->time = vg_store_now(s);
    sodium_bin2hex(out->key, sizeof out->key, pk, sizeof pk);
    char text[VG_CHECKPOINT_LINE_MAX];
    int n = signed_text(out, text, sizeof text);
    uint8_t sig[crypto_sign_BYTES];
    crypto_sign_detached(sig, NULL, (const uint8_t *)text, (size_t)n, sk);
    sodium_memzero(sk, sizeof sk);
    sodium_bin2hex(out->sig, sizeof out->sig, sig, sizeof sig);

    char line[VG_CHECKPOINT_LINE_MAX];
    snprintf(line, sizeof line, "%s sig=%s", text, out->sig);
    /* both places are tried; the first failure is the one reported */
    vg_err e2 = {{0}};
    vg_status st_file = o->file ? vg_checkpoint_export_file(o->file, line, err) : VG_OK;
    vg_status st_log = o->syslog ? vg_checkpoint_export_syslog(o->syslog, out, line,
                                                               st_file == VG_OK ? err : &e2)
                                 : VG_OK;
    return st_file != VG_OK ? st_file : st_log;
}

/* n lowercase hex digits at p, and nothing else up to p + n. */
static int hex_run(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return 0;
    return 1;
}

/* "name=" then a decimal number of 1..18 digits ending at a space. */
static const char *number_field(const char *p, const char *end, const char *name, int64_t *v)
{
    size_t nl = strlen(name);
    if ((size_t)(end - p) < nl || memcmp(p, name, nl) != 0)
        return NULL;
    p += nl;
    int64_t x = 0;
    int digits = 0;
    while (p < end && *p >= '0' && *p <= '9' && digits < 18) {
        x = x * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || p >= end || *p != ' ')
        return NULL;
    *v = x;
    return p + 1;
}

/* "name=" then exactly n hex digits, then a space (or the end when last). */
static const char *hex_field(const char *p, const char *end, const char *name, size_t n, char *out,
                             int last)
{
    size_t nl = strlen(name);
    if ((size_t)(end - p) < nl + n || memcmp(p, name, nl) != 0 || !hex_run(p + nl, n))
        return NULL;
    memcpy(out, p + nl, n);
    out[n] = '\0';
    p += nl + n;
    if (last)
        return p == end ? p : NULL;
    return p < end && *p == ' ' ? p + 1 : NULL;
}

vg_status vg_checkpoint_parse(const char *line, size_t len, vg_checkpoint *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    const char *p = line, *end = line + len;
    size_t pl = sizeof PREFIX - 1;
    if (!line || len >= VG_CHECKPOINT_LINE_MAX || len < pl || memcmp(p, PREFIX, pl) != 0)
        return vg_err_set(err, VG_ERR_INVALID, "not a vigil checkpoint (\"" PREFIX "...\")");
    p += pl;
    if (!(p = number_field(p, end, "seq=", &out->seq)) ||
        !(p = hex_field(p, end, "hash=", 64, out->hash, 0)) ||
        !(p = number_field(p, end, "time=", &out->time)) ||
        !(p = hex_field(p, end, "key=", 64, out->key, 0)) ||
        !(p = hex_field(p, end, "sig=", 128, out->sig, 1)) || out->seq < 1)
        return vg_err_set(err, VG_ERR_INVALID,
                          "a malformed checkpoint: want seq=N hash=<64 hex> time=T key=<64 hex> "
                          "sig=<128 hex>");
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sig[crypto_sign_BYTES];
    if (sodium_init() < 0)
        return vg_err_set(err, VG_ERR_INTERNAL, "libsodium failed to initialise");
    sodium_hex2bin(pk, sizeof pk, out->key, 64, NULL, NULL, NULL);
    sodium_hex2bin(sig, sizeof sig, out->sig, 128, NULL, NULL, NULL);
    char text[VG_CHECKPOINT_LINE_MAX];
    int n = signed_text(out, text, sizeof text);
    /* the signed text must be the line's own bytes: the number fields are
     * re-printed, so "seq=007" cannot pass for "seq=7" */
    if ((size_t)n != (size_t)(end - line) - 5 - 128 || memcmp(text, line, (size_t)n) != 0)
        return vg_err_set(err, VG_ERR_INVALID, "a malformed checkpoint: numbers must be written "
                                               "without leading zeros");
    if (crypto_sign_verify_detached(sig, (const uint8_t *)text, (size_t)n, pk) != 0)
        return vg_err_set(err, VG_ERR_INVALID,
                          "the signature of checkpoint %lld does not verify: the line was altered",
                          (long long)out->seq);
    return VG_OK;
}

vg_status vg_store_audit_verify_checkpoints(vg_store *s, const char *file, const char *public_key,
                                            int *checked, int64_t *bad_seq, vg_err *err)
{
    *checked = 0;
    *bad_seq = 0;
    if (!s || !file || !public_key)
        return vg_err_set(err, VG_ERR_INVALID, "vg_store_audit_verify_checkpoints: NULL argument");
    FILE *f = fopen(file, "r");
    if (!f)
        return vg_err_set(err, errno == ENOENT ? VG_ERR_NOT_FOUND : VG_ERR_IO,
                          "%s: cannot read it: %s", file, strerror(errno));
    char buf[VG_CHECKPOINT_LINE_MAX + 2];
    vg_status st = VG_OK;
    int line = 0;
    while (st == VG_OK && fgets(buf, sizeof buf, f)) {
        line++;
        size_t n = strlen(buf);
        if (n == 0 || buf[n - 1] != '\n') {
            st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: the line is too long or not ended",
                            file, line);
            break;
        }
        buf[--n] = '\0';
        vg_checkpoint c;
        vg_err e2 = {{0}};
        if (vg_checkpoint_parse(buf, n, &c, &e2) != VG_OK) {
            st = vg_err_set(err, VG_ERR_INVALID, "%s:%d: %s", file, line, e2.msg);
            break;
        }
        if (strcmp(c.key, public_key) != 0) {
            st = vg_err_set(err, VG_ERR_INVALID,
                            "%s:%d: checkpoint %lld is signed by key %.16s..., not by this "
                            "deployment's key %.16s...",
                            file, line, (long long)c.seq, c.key, public_key);
            *bad_seq = c.seq;
            break;
        }
        char hash[65];
        int found = 0;
        if ((st = vg_db_audit_hash_at(s, c.seq, hash, &found, err)) != VG_OK)
            break;
        if (!found) {
            st = vg_err_set(err, VG_ERR_INVALID,
                            "%s:%d: the chain has no entry %lld, which checkpoint %d signed: "
                            "entries were removed",
                            file, line, (long long)c.seq, line);
            *bad_seq = c.seq;
        } else if (strcmp(hash, c.hash) != 0) {
            st = vg_err_set(err, VG_ERR_INVALID,
                            "%s:%d: entry %lld's hash is %.16s... in the database, but the "
                            "checkpoint signed %.16s...: the chain was rewritten at or before "
                            "entry %lld",
                            file, line, (long long)c.seq, hash, c.hash, (long long)c.seq);
            *bad_seq = c.seq;
        } else {
            (*checked)++;
        }
    }
    if (st == VG_OK && ferror(f))
        st = vg_err_set(err, VG_ERR_IO, "%s: read error", file);
    fclose(f);
    if (st == VG_OK && *checked == 0)
        st = vg_err_set(err, VG_ERR_INVALID, "%s holds no checkpoint", file);
    return st;
}
