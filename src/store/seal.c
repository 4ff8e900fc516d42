/* seal.c — values at rest: XChaCha20-Poly1305 (IETF AEAD) bound to their
 * row by the associated data, and libsodium secretbox (XSalsa20-Poly1305)
 * for the key check and for reading what was sealed before migration 13.
 *
 * Layout of a sealed value: 24-byte random nonce, then the ciphertext and
 * its 16-byte tag (AEAD), or the 16-byte MAC and the ciphertext as
 * crypto_secretbox_easy writes them (secretbox). A nonce is drawn for
 * every value, so two rows with the same plaintext differ on disk. A row's
 * values are bound to it (vg_seal_row): copying a sealed template, photo
 * or crop into another row makes it fail to open, as an altered one does.
 *
 * The key check: a fixed text sealed under the key when the database is
 * created. If it does not open, the key file is the wrong one, and open says
 * so before any template is read; a template that fails to open under a key
 * that passes the check has been altered.
 */
#include "store/seal.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char key_check_text[] = "vigil store key check v1";

size_t vg_seal_overhead(void)
{
    return crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
}

vg_status vg_seal(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *plain, size_t len,
                  uint8_t **out, size_t *out_len, vg_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (len > SIZE_MAX - vg_seal_overhead())
        return vg_err_set(err, VG_ERR_LIMIT, "value of %zu bytes is too large to seal", len);
    size_t n = len + vg_seal_overhead();
    uint8_t *buf = malloc(n);
    if (!buf)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory sealing %zu bytes", len);
    randombytes_buf(buf, crypto_secretbox_NONCEBYTES);
    if (crypto_secretbox_easy(buf + crypto_secretbox_NONCEBYTES, plain, len, buf, key) != 0) {
        free(buf);
        return vg_err_set(err, VG_ERR_INTERNAL, "crypto_secretbox_easy failed");
    }
    *out = buf;
    *out_len = n;
    return VG_OK;
}

vg_status vg_unseal(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *sealed, size_t len,
                    uint8_t **out, size_t *out_len, vg_err *err)
{
    *out = NULL;
    *out_len = 0;
    if (!sealed || len < vg_seal_overhead())
        return vg_err_set(err, VG_ERR_INVALID,
                          "sealed value is %zu bytes, shorter than a nonce and MAC", len);
    size_t n = len - vg_seal_overhead();
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory opening %zu bytes", len);
    if (crypto_secretbox_open_easy(buf, sealed + crypto_secretbox_NONCEBYTES,
                                   len - crypto_secretbox_NONCEBYTES, sealed, key) != 0) {
        free(buf);
        return vg_err_set(err, VG_ERR_INVALID,
                          "sealed value does not authenticate: it was altered");
    }
    *out = buf;
    *out_len = n;
    return VG_OK;
}

vg_status vg_seal_ad(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *plain, size_t len,
                     const char *ad, uint8_t **out, size_t *out_len, vg_err *err)
{
    *out = NULL;
    *out_len = 0;
    const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                 ab = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (len > SIZE_MAX - nb - ab)
        return vg_err_set(err, VG_ERR_LIMIT, "value of %zu bytes is too large to seal", len);
    uint8_t *buf = malloc(len + nb + ab);
    if (!buf)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory sealing %zu bytes", len);
    randombytes_buf(buf, nb);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(buf + nb, &clen, plain, len, (const uint8_t *)ad,
                                               strlen(ad), NULL, buf, key);
    *out = buf;
    *out_len = nb + (size_t)clen;
    return VG_OK;
}

vg_status vg_unseal_ad(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *sealed, size_t len,
                       const char *ad, uint8_t **out, size_t *out_len, vg_err *err)
{
    *out = NULL;
    *out_len = 0;
    const size_t nb = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES,
                 ab = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (!sealed || len < nb + ab)
        return vg_err_set(err, VG_ERR_INVALID,
                          "sealed value is %zu bytes, shorter than a nonce and tag", len);
    uint8_t *buf = malloc(len - nb - ab + 1);
    if (!buf)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory opening %zu bytes", len);
    unsigned long long mlen = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(buf, &mlen, NULL, sealed + nb, len - nb,
                                                   (const uint8_t *)ad, strlen(ad), sealed,
                                                   key) != 0) {
        free(buf);
        return vg_err_set(err, VG_ERR_INVALID,
                          "sealed value does not open as %s: altered, or moved from another row", ad);
    }
    buf[mlen] = 0;
    *out = buf;
    *out_len = (size_t)mlen;
    return VG_OK;
}

void vg_seal_row_ad(char ad[VG_SEAL_AD_MAX], const char *table, int64_t id, int64_t sub,
                    const char *column)
{
    if (sub >= 0)
        snprintf(ad, VG_SEAL_AD_MAX, "%s:%lld.%lld:%s", table, (long long)id, (long long)sub, column);
    else
        snprintf(ad, VG_SEAL_AD_MAX, "%s:%lld:%s", table, (long long)id, column);
}

vg_status vg_seal_row(const uint8_t key[VG_STORE_KEY_BYTES], const char *table, int64_t id, int64_t sub,
                      const char *column, const uint8_t *plain, size_t len, uint8_t **out,
                      size_t *out_len, vg_err *err)
{
    char ad[VG_SEAL_AD_MAX];
    vg_seal_row_ad(ad, table, id, sub, column);
    return vg_seal_ad(key, plain, len, ad, out, out_len, err);
}

vg_status vg_unseal_row(const uint8_t key[VG_STORE_KEY_BYTES], const char *table, int64_t id,
                        int64_t sub, const char *column, const uint8_t *sealed, size_t len,
                        uint8_t **out, size_t *out_len, vg_err *err)
{
    char ad[VG_SEAL_AD_MAX];
    vg_seal_row_ad(ad, table, id, sub, column);
    return vg_unseal_ad(key, sealed, len, ad, out, out_len, err);
}

vg_status vg_seal_key_check(const uint8_t key[VG_STORE_KEY_BYTES], uint8_t **out,
                            size_t *out_len, vg_err *err)
{
    return vg_seal(key, (const uint8_t *)key_check_text, sizeof key_check_text - 1, out, out_len,
                   err);
}

int vg_seal_key_check_ok(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *value, size_t len)
{
    uint8_t *plain = NULL;
    size_t n = 0;
    if (vg_unseal(key, value, len, &plain, &n, NULL) != VG_OK)
        return 0;
    int ok = n == sizeof key_check_text - 1 && memcmp(plain, key_check_text, n) == 0;
    free(plain);
    return ok;
}
