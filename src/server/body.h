/* body.h — request bodies parsed in one place: each JSON body becomes a
 * typed struct, or an error that names the field and says what was wanted.
 * The handlers (and fuzz/fuzz_request_body.c) use only these parsers. */
#ifndef VG_SERVER_BODY_H
#define VG_SERVER_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/status.h"
#include "vigil/store.h"

#define VG_BODY_FIELD_MAX 32
#define VG_BODY_MSG_MAX 300

typedef struct vg_body_login {
    char name[VG_STORE_NAME_MAX + 1];
    char password[VG_STORE_PASSWORD_MAX + 1];
} vg_body_login;

typedef struct vg_body_adjudicate {
    char outcome[16];                   /* confirmed, rejected or no_action */
    char note[VG_STORE_TEXT_MAX + 1];   /* "" when absent */
} vg_body_adjudicate;

typedef struct vg_body_watchlist {
    char name[VG_STORE_NAME_MAX + 1];
    char reason[VG_STORE_TEXT_MAX + 1];
    char authorised_by[VG_STORE_NAME_MAX + 1];
    int64_t expires_at;                 /* Unix seconds; 0: none */
    int max_size;                       /* 0: no limit */
} vg_body_watchlist;

#define VG_BODY_PHOTOS_MAX 32

typedef struct vg_body_subject {
    char name[VG_STORE_NAME_MAX + 1];
    char reason[VG_STORE_TEXT_MAX + 1];
    char category[VG_STORE_NAME_MAX + 1];
    char source[VG_STORE_TEXT_MAX + 1];
    char authorised_by[VG_STORE_NAME_MAX + 1];   /* "": the watch list's */
    char justification[VG_STORE_TEXT_MAX + 1];
    char dob[11];                       /* "YYYY-MM-DD" or "" */
    int64_t expires_at;                 /* 0: the watch list's */
    int under_18;
    int allow_duplicate;
    int face;                           /* which face of the photo; -1: the only one */
    /* "photo" or "photos", decoded from base64 (malloc'd: vg_body_subject_free) */
    uint8_t *photos[VG_BODY_PHOTOS_MAX];
    size_t photos_len[VG_BODY_PHOTOS_MAX];
    int n_photos;
    uint8_t *photo;                     /* photos[0] (not owned apart from it) */
    size_t photo_len;
    /* accepting a photo below the quality limits: the written justification
     * ("" : not asked for) and the supervisor ("": the admin who sends it) */
    char accept_low_quality[VG_STORE_TEXT_MAX + 1];
    char supervisor[VG_STORE_NAME_MAX + 1];
} vg_body_subject;

typedef struct vg_body_user {
    char name[VG_STORE_NAME_MAX + 1];
    char role[16];
    char password[VG_STORE_PASSWORD_MAX + 1];
} vg_body_user;

typedef struct vg_body_token {
    char name[VG_STORE_NAME_MAX + 1];
    char role[16];
} vg_body_token;

/* Each returns VG_OK with *out filled, or VG_ERR_INVALID with field (the
 * field's name, "" for the body as a whole) and msg set. json need not be
 * NUL-terminated. On error *out holds nothing that needs freeing. */
vg_status vg_body_parse_login(const char *json, size_t len, vg_body_login *out, char field[VG_BODY_FIELD_MAX],
                              char msg[VG_BODY_MSG_MAX]);
vg_status vg_body_parse_adjudicate(const char *json, size_t len, vg_body_adjudicate *out,
                                   char field[VG_BODY_FIELD_MAX], char msg[VG_BODY_MSG_MAX]);
vg_status vg_body_parse_watchlist(const char *json, size_t len, vg_body_watchlist *out,
                                  char field[VG_BODY_FIELD_MAX], char msg[VG_BODY_MSG_MAX]);
vg_status vg_body_parse_subject(const char *json, size_t len, vg_body_subject *out,
                                char field[VG_BODY_FIELD_MAX], char msg[VG_BODY_MSG_MAX]);
void vg_body_subject_free(vg_body_subject *s);
vg_status vg_body_parse_user(const char *json, size_t len, vg_body_user *out, char field[VG_BODY_FIELD_MAX],
                             char msg[VG_BODY_MSG_MAX]);
vg_status vg_body_parse_token(const char *json, size_t len, vg_body_token *out, char field[VG_BODY_FIELD_MAX],
                              char msg[VG_BODY_MSG_MAX]);

#endif
