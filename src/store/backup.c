/* backup.c — a SQLite store's file as a whole (backup.h): SQLite's online
 * backup API both ways, and the read-only facts `vigil doctor` reports. */
#include "store/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vigil/store.h"

static vg_status sql_fail(vg_err *err, sqlite3 *db, vg_status st, const char *what, const char *path)
{
    return vg_err_set(err, st, "%s %s: %s", what, path, db ? sqlite3_errmsg(db) : "out of memory");
}

static int64_t file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

vg_status vg_store_file_check(const char *path, vg_store_file_facts *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    struct stat sb;
    if (stat(path, &sb) != 0)
        return vg_err_set(err, errno == ENOENT ? VG_ERR_NOT_FOUND : VG_ERR_IO, "database %s: %s", path,
                          strerror(errno));
    sqlite3 *db = NULL;
    vg_status st = VG_OK;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        st = sql_fail(err, db, VG_ERR_IO, "cannot open database", path);
        sqlite3_close(db);
        return st;
    }
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
        st = sql_fail(err, db, VG_ERR_INVALID, "not a readable SQLite database:", path);
        goto done;
    }
    snprintf(out->integrity, sizeof out->integrity, "%s", (const char *)sqlite3_column_text(q, 0));
    out->integrity_ok = strcmp(out->integrity, "ok") == 0;
    sqlite3_finalize(q);
    q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(max(version), 0) FROM schema_version", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        out->schema_version = sqlite3_column_int(q, 0);
    out->db_bytes = (int64_t)sb.st_size;
    char wal[4200];
    snprintf(wal, sizeof wal, "%s-wal", path);
    out->wal_bytes = file_size(wal);
done:
    sqlite3_finalize(q);
    sqlite3_close(db);
    return st;
}

/* Copies the whole of from's main database into to's. */
static vg_status copy_db(sqlite3 *from, sqlite3 *to, int *pages, const char *what, vg_err *err)
{
    sqlite3_backup *b = sqlite3_backup_init(to, "main", from, "main");
    if (!b)
        return vg_err_set(err, VG_ERR_IO, "%s: %s", what, sqlite3_errmsg(to));
    int rc;
    do {
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
            sqlite3_sleep(50);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    if (pages)
        *pages = sqlite3_backup_pagecount(b);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        return vg_err_set(err, rc == SQLITE_FULL ? VG_ERR_FULL : VG_ERR_IO, "%s: %s", what, sqlite3_errstr(rc));
    return VG_OK;
}

static vg_status sync_file(const char *path, vg_err *err)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0 || fsync(fd) != 0) {
        vg_status st = vg_err_set(err, VG_ERR_IO, "cannot sync %s: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return st;
    }
    close(fd);
    return VG_OK;
}

/* Copies the database src_path (opened read-only) to a new file tmp. */
static vg_status copy_file(const char *src_path, const char *tmp, int *pages, vg_err *err)
{
    sqlite3 *from = NULL, *to = NULL;
    vg_status st = VG_OK;
    if (sqlite3_open_v2(src_path, &from, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        st = sql_fail(err, from, VG_ERR_IO, "cannot open database", src_path);
        goto done;
    }
    sqlite3_busy_timeout(from, 5000);
    if (sqlite3_open_v2(tmp, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        st = sql_fail(err, to, VG_ERR_IO, "cannot create", tmp);
        goto done;
    }
    char what[4200];
    snprintf(what, sizeof what, "copying %s", src_path);
    st = copy_db(from, to, pages, what, err);
    /* the copy as one file, whatever journal mode it came with */
    if (!st && sqlite3_exec(to, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK)
        st = sql_fail(err, to, VG_ERR_IO, "cannot finish", tmp);
done:
    sqlite3_close(from);
    if (to && sqlite3_close(to) != SQLITE_OK && !st)
        st = vg_err_set(err, VG_ERR_IO, "cannot close %s", tmp);
    if (!st)
        st = sync_file(tmp, err);
    return st;
}

vg_status vg_store_file_backup(const char *db_path, const char *dest, int *pages, vg_err *err)
{
    struct stat sb;
    if (stat(db_path, &sb) != 0)
        return vg_err_set(err, errno == ENOENT ? VG_ERR_NOT_FOUND : VG_ERR_IO, "database %s: %s", db_path,
                          strerror(errno));
    if (lstat(dest, &sb) == 0)
        return vg_err_set(err, VG_ERR_EXISTS, "backup %s exists already: give a new file name", dest);
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", dest) >= sizeof tmp)
        return vg_err_set(err, VG_ERR_INVALID, "backup file name is too long");
    if (lstat(tmp, &sb) == 0)
        return vg_err_set(err, VG_ERR_EXISTS, "%s exists (a backup running, or one that failed): remove it first",
                          tmp);
    vg_status st = copy_file(db_path, tmp, pages, err);
    if (!st && rename(tmp, dest) != 0)
        st = vg_err_set(err, VG_ERR_IO, "cannot rename %s to %s: %s", tmp, dest, strerror(errno));
    if (st)
        unlink(tmp);
    return st;
}

vg_status vg_store_file_restore(const char *src, const char *db_path, const char *key_path, vg_err *err)
{
    struct stat sb;
    if (stat(src, &sb) != 0)
        return vg_err_set(err, errno == ENOENT ? VG_ERR_NOT_FOUND : VG_ERR_IO, "backup %s: %s", src,
                          strerror(errno));
    char tmp[4200];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.restore-tmp", db_path) >= sizeof tmp)
        return vg_err_set(err, VG_ERR_INVALID, "database file name is too long");
    unlink(tmp);
    vg_store_file_facts facts;
    vg_status st = vg_store_file_check(src, &facts, err);
    if (!st && (!facts.integrity_ok || facts.schema_version == 0))
        st = vg_err_set(err, VG_ERR_INVALID, "%s is not a sound vigil database (%s)", src,
                        facts.integrity_ok ? "no schema_version" : facts.integrity);
    if (!st)
        st = copy_file(src, tmp, NULL, err);
    /* The key must open the copy (and its migrations, if older, apply to
     * the copy): a wrong key is refused before anything is replaced. */
    if (!st) {
        char key_default[4200];
        snprintf(key_default, sizeof key_default, "%s.key", db_path);
        vg_store_options opt = {.path = tmp, .key_path = key_path && *key_path ? key_path : key_default};
        vg_store *s = NULL;
        st = vg_store_open(&opt, &s, err);
        if (st)
            vg_err_prefix(err, st, "backup %s does not open with key file %s", src, opt.key_path);
        vg_store_close(s);
    }
    sqlite3 *from = NULL, *to = NULL;
    if (!st && sqlite3_open_v2(tmp, &from, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        st = sql_fail(err, from, VG_ERR_IO, "cannot open", tmp);
    if (!st && sqlite3_open_v2(db_path, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
        st = sql_fail(err, to, VG_ERR_IO, "cannot open database", db_path);
    /* An exclusive lock on the file: held by nobody else only when no other
     * connection (a running vigil) has the database open. */
    if (!st && (sqlite3_exec(to, "PRAGMA locking_mode=EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK ||
                sqlite3_exec(to, "BEGIN EXCLUSIVE; COMMIT", NULL, NULL, NULL) != SQLITE_OK))
        st = vg_err_set(err, VG_ERR_EXISTS,
                        "database %s is in use (%s): stop every vigil process using it "
                        "(systemctl stop vigil-serve 'vigil@*') and restore again",
                        db_path, sqlite3_errmsg(to));
    if (!st) {
        char what[4200];
        snprintf(what, sizeof what, "restoring into %s", db_path);
        st = copy_db(from, to, NULL, what, err);
    }
    sqlite3_close(from);
    if (to)
        sqlite3_close(to);
    unlink(tmp);
    char side[4300];
    snprintf(side, sizeof side, "%s-journal", tmp);
    unlink(side);
    snprintf(side, sizeof side, "%s-wal", tmp);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", tmp);
    unlink(side);
    return st;
}
