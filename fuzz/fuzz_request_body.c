/* fuzz_request_body.c — libFuzzer target for the request-body parsers of
 * src/server/body.c: the first byte picks the parser (login, adjudicate,
 * watch list, subject, user, token), the rest is the body. Any bytes must be
 * accepted into a well-formed struct (every string NUL-terminated inside
 * its array, one-line fields without control characters, a decoded photo
 * when a subject is accepted) or refused with a field name and a message —
 * never a crash, an overflow or a leak. */
#include "server/body.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void terminated(const char *s, size_t cap)
{
    if (!memchr(s, '\0', cap))
        abort();
}

static void one_line(const char *s, size_t cap)
{
    terminated(s, cap);
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *json = (const char *)data + 1;
    size_t len = size - 1;
    char field[VG_BODY_FIELD_MAX], msg[VG_BODY_MSG_MAX];
    vg_status st = VG_OK;
    switch (data[0] % 6) {
    case 0: {
        vg_body_login b;
        if ((st = vg_body_parse_login(json, len, &b, field, msg)) == VG_OK) {
            one_line(b.name, sizeof b.name);
            terminated(b.password, sizeof b.password);
        }
        break;
    }
    case 1: {
        vg_body_adjudicate b;
        if ((st = vg_body_parse_adjudicate(json, len, &b, field, msg)) == VG_OK) {
            if (strcmp(b.outcome, "confirmed") && strcmp(b.outcome, "rejected") && strcmp(b.outcome, "no_action"))
                abort();
            terminated(b.note, sizeof b.note);
        }
        break;
    }
    case 2: {
        vg_body_watchlist b;
        if ((st = vg_body_parse_watchlist(json, len, &b, field, msg)) == VG_OK) {
            one_line(b.name, sizeof b.name);
            one_line(b.authorised_by, sizeof b.authorised_by);
            terminated(b.reason, sizeof b.reason);
            if (!b.name[0] || b.expires_at < 0 || b.max_size < 0)
                abort();
        }
        break;
    }
    case 3: {
        vg_body_subject b;
        if ((st = vg_body_parse_subject(json, len, &b, field, msg)) == VG_OK) {
            one_line(b.name, sizeof b.name);
            one_line(b.category, sizeof b.category);
            one_line(b.dob, sizeof b.dob);
            terminated(b.reason, sizeof b.reason);
            terminated(b.source, sizeof b.source);
            terminated(b.justification, sizeof b.justification);
            one_line(b.accept_low_quality, sizeof b.accept_low_quality);
            one_line(b.supervisor, sizeof b.supervisor);
            if (!b.photo || !b.photo_len || (b.under_18 && !b.justification[0]) || b.face < -1 || b.face > 63)
                abort();
            if (b.n_photos < 1 || b.n_photos > VG_BODY_PHOTOS_MAX || b.photo != b.photos[0] ||
                (b.supervisor[0] && !b.accept_low_quality[0]))
                abort();
            for (int i = 0; i < b.n_photos; i++)
                if (!b.photos[i] || !b.photos_len[i])
                    abort();
            vg_body_subject_free(&b);
        } else if (b.photo || b.n_photos) {
            abort(); /* nothing to free after a refusal */
        }
        break;
    }
    case 4: {
        vg_body_user b;
        if ((st = vg_body_parse_user(json, len, &b, field, msg)) == VG_OK) {
            one_line(b.name, sizeof b.name);
            if (strlen(b.password) < 8)
                abort();
        }
        break;
    }
    default: {
        vg_body_token b;
        if ((st = vg_body_parse_token(json, len, &b, field, msg)) == VG_OK)
            one_line(b.name, sizeof b.name);
        break;
    }
    }
    if (st != VG_OK) {
        if (st != VG_ERR_INVALID)
            abort();
        terminated(field, VG_BODY_FIELD_MAX);
        terminated(msg, VG_BODY_MSG_MAX);
        if (!msg[0])
            abort();
    }
    return 0;
}
