/* seal.h — encryption at rest of templates, photos, crops and the other
 * sealed values: AEAD bound to the row that holds the value (vg_seal_row),
 * the secretbox of the values written before migration 13 and of the key
 * check, and the key-check value that tells a wrong key from a tampered
 * row. */
#ifndef VG_STORE_SEAL_H
#define VG_STORE_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/status.h"

#define VG_STORE_KEY_BYTES 32

/* Bytes a sealed value adds to its plaintext (nonce + MAC). */
size_t vg_seal_overhead(void);

/* nonce || secretbox(plain) with a fresh random nonce, malloc'd into *out. */
vg_status vg_seal(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *plain, size_t len,
                  uint8_t **out, size_t *out_len, vg_err *err);

/* Opens a sealed value into a malloc'd buffer (NULL-safe for len 0: a
 * 1-byte buffer). VG_ERR_INVALID when it does not authenticate: altered, or
 * sealed under another key. */
vg_status vg_unseal(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *sealed, size_t len,
                    uint8_t **out, size_t *out_len, vg_err *err);

/* nonce || XChaCha20-Poly1305 (IETF AEAD) of plain, with associated data
 * ad: the value opens only with the same ad, so a sealed value bound to
 * its row ("deployment_camera:12:0:url") does not open when moved to
 * another. malloc'd into *out. */
vg_status vg_seal_ad(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *plain, size_t len,
                     const char *ad, uint8_t **out, size_t *out_len, vg_err *err);
/* Opens a vg_seal_ad value into a malloc'd, NUL-terminated buffer (*out_len
 * bytes before the NUL). VG_ERR_INVALID when it does not authenticate:
 * altered, moved to another row (another ad), or another key. */
vg_status vg_unseal_ad(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *sealed, size_t len,
                       const char *ad, uint8_t **out, size_t *out_len, vg_err *err);

/* The associated data that binds a value to its row:
 * "<table>:<id>:<column>" ("templates:42:vector", "alerts:7:crop"), or for
 * a row named by two numbers (sub >= 0) "<table>:<id>.<sub>:<column>"
 * ("photos:42.0:jpeg": subject 42's photo 0). table and column are fixed
 * names from the code (docs/storage.md lists them), never input. */
#define VG_SEAL_AD_MAX 256
void vg_seal_row_ad(char ad[VG_SEAL_AD_MAX], const char *table, int64_t id, int64_t sub,
                    const char *column);

/* vg_seal_ad / vg_unseal_ad with the row's associated data (sub -1: a row
 * named by its id alone). A value moved to another row, or another column,
 * does not open: VG_ERR_INVALID "sealed value does not open as <ad>: ...". */
vg_status vg_seal_row(const uint8_t key[VG_STORE_KEY_BYTES], const char *table, int64_t id, int64_t sub,
                      const char *column, const uint8_t *plain, size_t len, uint8_t **out,
                      size_t *out_len, vg_err *err);
vg_status vg_unseal_row(const uint8_t key[VG_STORE_KEY_BYTES], const char *table, int64_t id,
                        int64_t sub, const char *column, const uint8_t *sealed, size_t len,
                        uint8_t **out, size_t *out_len, vg_err *err);

/* The key-check value written into a new database's meta table. */
vg_status vg_seal_key_check(const uint8_t key[VG_STORE_KEY_BYTES], uint8_t **out,
                            size_t *out_len, vg_err *err);
/* True when the value opens under key and holds the key-check text. */
int vg_seal_key_check_ok(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *value,
                         size_t len);

#endif
