/* seal.h — encryption at rest of templates and photos (libsodium secretbox)
 * and the key-check value that tells a wrong key from a tampered row. */
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

/* The key-check value written into a new database's meta table. */
vg_status vg_seal_key_check(const uint8_t key[VG_STORE_KEY_BYTES], uint8_t **out,
                            size_t *out_len, vg_err *err);
/* True when the value opens under key and holds the key-check text. */
int vg_seal_key_check_ok(const uint8_t key[VG_STORE_KEY_BYTES], const uint8_t *value,
                         size_t len);

#endif
