/* paperwork.c — vg_store_paperwork_*: the versions of a deployment's
 * documents (issue 20). A version is the inputs a document was made from
 * (JSON text, sealed bound to its row, "paperwork:<id>:inputs": an edited
 * row, or another version's inputs copied into it, is refused rather than
 * reprinted), with
 * their SHA-256; the document is made again from them byte for byte. The
 * same inputs as the latest version's are that version again: a new
 * version means something the document rests on changed. Every production
 * is audited (paperwork.generate), a repeated one too. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sql.h"
#include "store/store_internal.h"

#define INPUTS_MAX (32 << 20)

static int known_kind(const char *k)
{
    static const char *const kinds[] = {"dpia", "eia", "watchlist-criteria", "authorisation", "review"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (!strcmp(k, kinds[i]))
            return 1;
    return 0;
}

/* The id of the deployment named `name`. */
static vg_status dep_id(vg_store *s, const char *name, int64_t *id, vg_err *err)
{
    vg_sql q;
    vg_status st = vg_sql_prepare(&q, s, "SELECT id FROM deployment WHERE name = ?1", "reading a deployment", err);
    if (st)
        return st;
    vg_sql_text(&q, 1, name);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && !row)
        st = vg_err_set(err, VG_ERR_NOT_FOUND, "no deployment named \"%s\"", name);
    if (!st)
        *id = vg_sql_col_i64(&q, 0);
    vg_sql_finish(&q);
    return st;
}

static vg_status latest(vg_store *s, int64_t dep, const char *kind, int version, int with_inputs,
                        vg_paperwork_version *out, vg_err *err)
{
    memset(out, 0, sizeof *out);
    vg_sql q;
    vg_status st = vg_sql_prepare_bytes(&q, s,
                                        "SELECT version, inputs_sha256, created_at, created_by, inputs, id FROM paperwork "
                                        "WHERE deployment_id = ?1 AND kind = ?2 AND (?3 = 0 OR version = ?3) "
                                        "ORDER BY version DESC LIMIT 1",
                                        "reading a document version", err);
    if (st)
        return st;
    vg_sql_i64(&q, 1, dep);
    vg_sql_text(&q, 2, kind);
    vg_sql_i64(&q, 3, version);
    int row = 0;
    if ((st = vg_sql_step(&q, &row, err)) == VG_OK && !row)
        st = version ? vg_err_set(err, VG_ERR_NOT_FOUND, "no version %d of the %s of this deployment", version, kind)
                     : vg_err_set(err, VG_ERR_NOT_FOUND, "no %s of this deployment was produced yet", kind);
    if (!st) {
        out->deployment_id = dep;
        snprintf(out->kind, sizeof out->kind, "%s", kind);
        out->version = (int)vg_sql_col_i64(&q, 0);
        vg_sql_col_copy(&q, 1, out->inputs_sha256, sizeof out->inputs_sha256);
        out->created_at = vg_sql_col_i64(&q, 2);
        vg_sql_col_copy(&q, 3, out->created_by, sizeof out->created_by);
        if (with_inputs) {
            size_t len = 0, plen = 0;
            const uint8_t *sealed = vg_sql_col_blob(&q, 4, &len);
            uint8_t *plain = NULL;
            st = vg_unseal_row(s->key, "paperwork", vg_sql_col_i64(&q, 5), -1, "inputs", sealed, len,
                               &plain, &plen, err);
            if (st)
                st = vg_err_prefix(err, st, "version %d of the %s", out->version, kind);
            else if (!(out->inputs = malloc(plen + 1)))
                st = vg_err_set(err, VG_ERR_NOMEM, "out of memory");
            else {
                memcpy(out->inputs, plain, plen);
                out->inputs[plen] = '\0';
            }
            free(plain);
        }
    }
    vg_sql_finish(&q);
    return st;
}

vg_status vg_store_paperwork_get(vg_store *s, const char *deployment, const char *kind, int version,
                                 vg_paperwork_version *out, vg_err *err)
{
    int64_t deployment_id = 0;
    if (!known_kind(kind))
        return vg_err_set(err, VG_ERR_INVALID, "unknown document kind '%.40s'", kind);
    if (version < 0)
        return vg_err_set(err, VG_ERR_INVALID, "a version is a number from 1");
    vg_status st = dep_id(s, deployment, &deployment_id, err);
    if (st)
        return st;
    return latest(s, deployment_id, kind, version, 1, out, err);
}

vg_status vg_store_paperwork_record(vg_store *s, const char *actor, const char *deployment, const char *kind,
                                    const char *inputs, const char *format, int *version,
                                    vg_err *err)
{
    if (!known_kind(kind))
        return vg_err_set(err, VG_ERR_INVALID, "unknown document kind '%.40s'", kind);
    size_t len = strlen(inputs);
    if (!len || len > INPUTS_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "document inputs of %zu bytes (1 to %d)", len, INPUTS_MAX);
    uint8_t hash[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof hash + 1];
    crypto_hash_sha256(hash, (const uint8_t *)inputs, len);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    static const uint8_t none[1] = {0};
    vg_status st = VG_OK;
    int v = 0;
    int64_t deployment_id = 0;
    if ((st = vg_store_begin(s, err)) == VG_OK) {
        if ((st = dep_id(s, deployment, &deployment_id, err)))
            goto end;
        vg_paperwork_version last;
        vg_err tmp;
        vg_status lst = latest(s, deployment_id, kind, 0, 0, &last, &tmp);
        if (lst && lst != VG_ERR_NOT_FOUND) {
            *err = tmp;
            st = lst;
        } else if (lst == VG_OK && !strcmp(last.inputs_sha256, hex)) {
            v = last.version;
        } else {
            v = lst == VG_OK ? last.version + 1 : 1;
            vg_sql q;
            int64_t pid = 0;
            st = vg_sql_prepare_insert(&q, s,
                                "INSERT INTO paperwork (deployment_id, kind, version, inputs_sha256, created_at, "
                                "created_by, inputs) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                                "recording a document version", err);
            if (!st) {
                vg_sql_i64(&q, 1, deployment_id);
                vg_sql_text(&q, 2, kind);
                vg_sql_i64(&q, 3, v);
                vg_sql_text(&q, 4, hex);
                vg_sql_i64(&q, 5, vg_store_now(s));
                vg_sql_text(&q, 6, actor);
                vg_sql_blob(&q, 7, none, 0); /* sealed below, bound to the new id */
                if ((st = vg_sql_run(&q, err)) == VG_OK)
                    pid = vg_sql_last_id(&q);
                vg_sql_finish(&q);
            }
            if (!st)
                st = vg_db_sealed_put(s, "UPDATE paperwork SET inputs = ?2 WHERE id = ?1", "paperwork",
                                      pid, -1, "inputs", (const uint8_t *)inputs, len,
                                      "sealing a document's inputs", err);
        }
        if (!st) {
            char obj[VG_STORE_NAME_MAX + 64];
            snprintf(obj, sizeof obj, "deployment:%s", deployment);
            st = vg_audit_append_json_tx(s, actor, "paperwork.generate", obj,
                                         json_pack("{s:s,s:i,s:s,s:s}", "kind", kind, "version", v,
                                                   "inputs_sha256", hex, "format", format ? format : ""),
                                         err);
        }
    end:
        st = vg_store_end(s, st, err);
    }
    if (!st && version)
        *version = v;
    return st;
}
