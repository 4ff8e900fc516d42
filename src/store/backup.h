/* backup.h — a SQLite store's file as a whole: an online copy (SQLite's
 * backup API), a restore refused while the store is open elsewhere, and the
 * facts `vigil doctor` checks (integrity, schema version, WAL size). */
#ifndef VG_STORE_BACKUP_H
#define VG_STORE_BACKUP_H

#include <stdint.h>

#include "vigil/status.h"

typedef struct vg_store_file_facts {
    int integrity_ok;       /* PRAGMA quick_check said "ok" */
    char integrity[256];    /* its first line otherwise */
    int schema_version;     /* newest applied migration; 0: none (not a vigil database) */
    int64_t db_bytes;       /* the database file */
    int64_t wal_bytes;      /* its -wal file; 0 when absent */
} vg_store_file_facts;

/* Reads the facts of the SQLite database at path without writing to it
 * (opened read-only). VG_ERR_NOT_FOUND when the file does not exist;
 * VG_ERR_INVALID when it is not a SQLite database. */
vg_status vg_store_file_check(const char *path, vg_store_file_facts *out, vg_err *err);

/* Copies the database at db_path, as one consistent snapshot taken while
 * other processes may write, to dest: written to dest.tmp, synced, renamed.
 * dest must not exist (VG_ERR_EXISTS). *pages: pages copied. The key file is
 * not part of it. */
vg_status vg_store_file_backup(const char *db_path, const char *dest, int *pages, vg_err *err);

/* Replaces the database at db_path by the backup src. src is first copied
 * beside db_path and opened as a store with key_path (so a backup the key
 * does not open, or that is no vigil database, changes nothing); then the
 * copy goes in under an exclusive lock, refused (VG_ERR_EXISTS, "in use")
 * while any other connection has db_path open. */
vg_status vg_store_file_restore(const char *src, const char *db_path, const char *key_path, vg_err *err);

#endif
