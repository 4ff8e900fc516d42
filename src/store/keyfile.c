/* keyfile.c — reading and creating the store's key file.
 *
 * The key never enters the database: a stolen database file alone does not
 * reveal templates or photos. The file is checked through the descriptor
 * that reads it (fstat), so the mode and size checked are those of the bytes
 * read. A new key is only ever made for a new database; an existing database
 * without its key is an error, because a fresh key would silently turn its
 * templates into noise.
 */
#include "store/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef O_CLOEXEC
#define O_CLOEXEC 0
#endif

static vg_status read_all(int fd, const char *path, uint8_t key[VG_STORE_KEY_BYTES],
                          vg_err *err)
{
    size_t got = 0;
    while (got < VG_STORE_KEY_BYTES) {
        ssize_t r = read(fd, key + got, VG_STORE_KEY_BYTES - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return vg_err_set(err, VG_ERR_IO, "cannot read key file %s: %s", path,
                              strerror(errno));
        if (r == 0)
            return vg_err_set(err, VG_ERR_INVALID, "key file %s is shorter than %d bytes", path,
                              VG_STORE_KEY_BYTES);
        got += (size_t)r;
    }
    return VG_OK;
}

vg_status vg_keyfile_load(const char *path, const char *db_path,
                          uint8_t key[VG_STORE_KEY_BYTES], vg_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return vg_err_set(err, VG_ERR_NOT_FOUND,
                              "key file %s is missing, and database %s holds data sealed with "
                              "it: restore the key file (a new key cannot open this database)",
                              path, db_path);
        return vg_err_set(err, VG_ERR_IO, "cannot open key file %s: %s", path, strerror(errno));
    }
    struct stat st;
    vg_status s = VG_OK;
    if (fstat(fd, &st) != 0)
        s = vg_err_set(err, VG_ERR_IO, "cannot stat key file %s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        s = vg_err_set(err, VG_ERR_INVALID, "key file %s is not a regular file", path);
    else if (st.st_mode & 077)
        s = vg_err_set(err, VG_ERR_INVALID,
                       "key file %s is readable by others (mode %04o): chmod 600 %s", path,
                       (unsigned)(st.st_mode & 07777), path);
    else if (st.st_size != VG_STORE_KEY_BYTES)
        s = vg_err_set(err, VG_ERR_INVALID, "key file %s is %lld bytes, not %d: not a vigil key",
                       path, (long long)st.st_size, VG_STORE_KEY_BYTES);
    else
        s = read_all(fd, path, key, err);
    close(fd);
    if (s != VG_OK)
        sodium_memzero(key, VG_STORE_KEY_BYTES);
    return s;
}

vg_status vg_keyfile_create(const char *path, uint8_t key[VG_STORE_KEY_BYTES], int *created,
                            vg_err *err)
{
    *created = 0;
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return vg_keyfile_load(path, "(new)", key, err);
        return vg_err_set(err, VG_ERR_IO, "cannot create key file %s: %s", path,
                          strerror(errno));
    }
    randombytes_buf(key, VG_STORE_KEY_BYTES);
    vg_status s = VG_OK;
    size_t put = 0;
    /* the umask may have taken bits away, never added: make it exactly 0600 */
    if (fchmod(fd, 0600) != 0)
        s = vg_err_set(err, VG_ERR_IO, "cannot chmod key file %s: %s", path, strerror(errno));
    while (s == VG_OK && put < VG_STORE_KEY_BYTES) {
        ssize_t w = write(fd, key + put, VG_STORE_KEY_BYTES - put);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            s = vg_err_set(err, VG_ERR_IO, "cannot write key file %s: %s", path,
                           w < 0 ? strerror(errno) : "no progress");
        else
            put += (size_t)w;
    }
    if (s == VG_OK && fsync(fd) != 0)
        s = vg_err_set(err, VG_ERR_IO, "cannot sync key file %s: %s", path, strerror(errno));
    if (close(fd) != 0 && s == VG_OK)
        s = vg_err_set(err, VG_ERR_IO, "cannot close key file %s: %s", path, strerror(errno));
    if (s != VG_OK) {
        unlink(path);
        sodium_memzero(key, VG_STORE_KEY_BYTES);
        return s;
    }
    *created = 1;
    return VG_OK;
}
