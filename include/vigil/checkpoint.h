/* checkpoint.h — signed checkpoints of the audit chain's head, kept outside
 * the database, so that a chain rewritten consistently by someone able to
 * write the database (every hash recomputed) is still found out.
 *
 * A checkpoint is one line of text:
 *
 *   vigil-checkpoint v1 seq=N hash=H time=T key=K sig=S
 *
 * N the last entry's seq, H its hash (64 lowercase hex), T the time it was
 * made (Unix seconds), K the Ed25519 public key (64 hex) and S the Ed25519
 * signature (128 hex) of everything before " sig=". The signing key is a
 * file of its own (32 random bytes, the seed, mode 0600), never the
 * database's key and never in the database. */
#ifndef VIGIL_CHECKPOINT_H
#define VIGIL_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/api.h"
#include "vigil/status.h"
#include "vigil/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VG_CHECKPOINT_LINE_MAX 320

typedef struct vg_checkpoint {
    int64_t seq, time;
    char hash[65];
    char key[65];  /* public key, hex */
    char sig[129]; /* signature, hex */
} vg_checkpoint;

typedef struct vg_checkpoint_options {
    const char *key_path; /* the signing key file; made (0600) if missing */
    const char *file;     /* append the line here (O_APPEND, synced); NULL: not */
    const char *syslog;   /* "udp://HOST:PORT": an RFC 5424 message; NULL: not */
} vg_checkpoint_options;

/* Signs the chain's head and exports the line to every place named in o;
 * *out gets the checkpoint. An empty chain is VG_ERR_NOT_FOUND. A place
 * that cannot be written is VG_ERR_IO: the checkpoint was still made, and
 * written where it could be. */
VG_API vg_status vg_store_audit_checkpoint(vg_store *s, const vg_checkpoint_options *o, vg_checkpoint *out,
                                    vg_err *err);

/* Parses one line (without its '\n') and checks its signature against the
 * key it names. VG_ERR_INVALID with a message for anything else. */
VG_API vg_status vg_checkpoint_parse(const char *line, size_t len, vg_checkpoint *out, vg_err *err);

/* The public key (hex) of the signing key file at key_path, made if
 * missing (0600). */
VG_API vg_status vg_checkpoint_public_key(const char *key_path, char out[65], vg_err *err);

/* Checks every checkpoint in file against the chain: each must be signed
 * by public_key (hex), and the chain must hold an entry with its seq and
 * that hash. *checked counts the checkpoints read, *bad_seq names the first
 * that the chain contradicts. VG_ERR_INVALID when one does not hold (the
 * chain was rewritten, or the file was forged or damaged), with the file's
 * line in the message. */
VG_API vg_status vg_store_audit_verify_checkpoints(vg_store *s, const char *file, const char *public_key,
                                            int *checked, int64_t *bad_seq, vg_err *err);

#ifdef __cplusplus
}
#endif

#endif
