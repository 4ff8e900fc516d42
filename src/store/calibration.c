/* calibration.c — vg_store_calibration_*: the non-mated score summary that
 * `vigil eval calibrate --save` measured for a model, kept in the meta table
 * under "calibration:MODEL_ID". It holds no face and no template (scores
 * only), but deployments are refused or allowed by it, so it is sealed like
 * a template, bound to its meta row ("meta:calibration:MODEL_ID:value"):
 * a value edited in the database without the key, or another model's
 * calibration copied over it, is refused instead of trusted. Saving is audited
 * (calibration.save: the model and the text's SHA-256). */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/validate.h"

#define CALIB_TEXT_MAX (64 << 20)

static vg_status calib_key(const char *model_id, char *key, size_t len, vg_err *err)
{
    vg_status st = vg_check_field("model", model_id, VG_STORE_NAME_MAX + 1, VG_STORE_NAME_MAX, 1, err);
    if (st)
        return st;
    snprintf(key, len, "calibration:%s", model_id);
    return VG_OK;
}

vg_status vg_store_calibration_get(vg_store *s, const char *model_id, char **text, vg_err *err)
{
    *text = NULL;
    char key[VG_STORE_NAME_MAX + 32];
    vg_status st = calib_key(model_id, key, sizeof key, err);
    if (st)
        return st;
    uint8_t *sealed = NULL, *plain = NULL;
    size_t len = 0, plen = 0;
    vg_err tmp;
    st = vg_db_meta_get(s, key, &sealed, &len, &tmp);
    if (st == VG_ERR_NOT_FOUND)
        return vg_err_set(err, st, "no calibration saved for model %s", model_id);
    if (st) {
        *err = tmp;
        return st;
    }
    char ad[VG_SEAL_AD_MAX];
    vg_db_meta_ad(key, ad);
    st = vg_unseal_ad(s->key, sealed, len, ad, &plain, &plen, err);
    free(sealed);
    if (st)
        return vg_err_prefix(err, st, "the saved calibration of %s", model_id);
    char *t = malloc(plen + 1);
    if (!t) {
        free(plain);
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory");
    }
    memcpy(t, plain, plen);
    t[plen] = '\0';
    free(plain);
    *text = t;
    return VG_OK;
}

vg_status vg_store_calibration_put(vg_store *s, const char *actor, const char *model_id, const char *text,
                                   vg_err *err)
{
    char key[VG_STORE_NAME_MAX + 32];
    vg_status st = calib_key(model_id, key, sizeof key, err);
    if (st)
        return st;
    size_t len = strlen(text);
    if (!len || len > CALIB_TEXT_MAX)
        return vg_err_set(err, VG_ERR_LIMIT, "a calibration of %zu bytes (1 to %d)", len, CALIB_TEXT_MAX);
    uint8_t hash[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof hash + 1];
    crypto_hash_sha256(hash, (const uint8_t *)text, len);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    uint8_t *sealed = NULL;
    size_t slen = 0;
    char ad[VG_SEAL_AD_MAX];
    vg_db_meta_ad(key, ad);
    if ((st = vg_seal_ad(s->key, (const uint8_t *)text, len, ad, &sealed, &slen, err)))
        return st;
    if ((st = vg_store_begin(s, err)) == VG_OK) {
        st = vg_db_meta_put(s, key, sealed, slen, err);
        /* made with groups (vigil eval calibrate --labels): its labels file's hash, from the text's
         * "groups SHA256" line (match/calib.h) */
        const char *g = strstr(text, "\ngroups ");
        char labels[65] = "";
        if (g && strspn(g + 8, "0123456789abcdef") == 64)
            memcpy(labels, g + 8, 64), labels[64] = '\0';
        if (!st)
            st = vg_audit_append_json_tx(s, actor, "calibration.save", model_id,
                                         json_pack("{s:s,s:s,s:I,s:b,s:s?}", "model", model_id, "sha256", hex,
                                                   "bytes", (json_int_t)len, "with_groups", labels[0] != '\0',
                                                   "labels_sha256", labels[0] ? labels : NULL),
                                         err);
        st = vg_store_end(s, st, err);
    }
    free(sealed);
    return st;
}
