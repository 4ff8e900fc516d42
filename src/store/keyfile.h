/* keyfile.h — the store key's file: 32 random bytes, mode 0600, kept outside
 * the database. */
#ifndef VG_STORE_KEYFILE_H
#define VG_STORE_KEYFILE_H

#include <stdint.h>

#include "store/seal.h"

/* Reads the key. The file must be a regular file of exactly 32 bytes with
 * no group or other permission bits. A missing file is VG_ERR_NOT_FOUND (the
 * message says the database needs the key it was made with); loose
 * permissions are VG_ERR_INVALID with the chmod to run. */
vg_status vg_keyfile_load(const char *path, const char *db_path,
                          uint8_t key[VG_STORE_KEY_BYTES], vg_err *err);

/* For a new database: creates the file with 32 random bytes
 * (O_CREAT|O_EXCL, mode 0600, synced), or loads it when it already exists
 * (a key made beforehand, or left by an open that failed later). *created
 * says which. */
vg_status vg_keyfile_create(const char *path, uint8_t key[VG_STORE_KEY_BYTES], int *created,
                            vg_err *err);

#endif
