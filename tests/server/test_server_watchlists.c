/* test_server_watchlists.c — watch lists and enrolment over real HTTP with
 * the real model pack and LFW photos: a list created, a subject enrolled
 * from a base64 JPEG (name with HTML markup returned verbatim), listed, its
 * photo read (audited), removed; refusals — the gate's 422 with its reasons
 * (no face, blurred), a duplicate (422), bad base64 and undecodable bytes
 * (400 naming photo), missing and mistyped fields, unknown ids (404), an
 * oversize upload (413), roles and CSRF — each leaving the store and the
 * audit chain as they were; a list re-embedded (admin only, audited, a
 * second call a no-op). Skips without the shared data. */
#include "server/server_upload.h"

static char photo[1024], photo2[1024], other[1024];

static int have_data(void)
{
    return vg_test_data(photo, sizeof photo, "lfw/images_deepfunneled/Colin_Powell/Colin_Powell_0001.jpg") &&
           vg_test_data(photo2, sizeof photo2, "lfw/images_deepfunneled/Colin_Powell/Colin_Powell_0003.jpg") &&
           vg_test_data(other, sizeof other, "lfw/images_deepfunneled/Tony_Blair/Tony_Blair_0003.jpg");
}

static void verify_chain(srv_fx *x)
{
    int64_t bad = 0, n = 0;
    vg_err err = {{0}};
    assert_int_equal(vg_store_audit_verify(x->f.s, &bad, &n, &err), VG_OK);
}

static void enrol_list_photo_remove(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_data());
    vg_face_pack *pack = open_pack();
    srv_fx x;
    vg_server_config cfg = {.pack = pack};
    srv_start_cfg(&x, cfg);
    session adam = login(&x, "adam"), olivia = login(&x, "olivia"), aud = login(&x, "aud");
    int64_t wl = api_watchlist(&x, &adam, "wanted");
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'watchlist.create' AND actor = 'adam'"),
                     1);

    const char *markup = "<img src=x onerror=alert(1)> & \"Colin\" </script>";
    char *b64 = b64_file(photo);
    char *body = subject_body(markup, b64);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/watchlists/%lld/subjects", (long long)wl);
    resp r = http_post(&x, path, &adam, body);
    if (r.status != 201)
        fail_msg("enrol: %ld %s", r.status, r.body);
    assert_non_null(strstr(r.headers, "Content-Type: application/json"));
    json_t *j = resp_json(&r);
    json_t *sub = json_object_get(j, "subject");
    int64_t sid = json_integer_value(json_object_get(sub, "id"));
    assert_true(sid > 0);
    assert_string_equal(json_string_value(json_object_get(sub, "name")), markup);
    assert_string_equal(json_string_value(json_object_get(sub, "authorised_by")), "Supt. Test");
    json_decref(j);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'subject.add' AND actor = 'adam'"), 1);

    /* listed by every role that may, the name as the same JSON string */
    const session *readers[3] = {&adam, &olivia, &aud};
    for (int i = 0; i < 3; i++) {
        r = http_get(&x, path, readers[i]);
        assert_int_equal(r.status, 200);
        assert_null(strstr(r.body, "&lt;")); /* JSON, not HTML-escaped: the console shows it as text */
        j = resp_json(&r);
        json_t *arr = json_object_get(j, "subjects");
        assert_int_equal(json_array_size(arr), 1);
        assert_string_equal(json_string_value(json_object_get(json_array_get(arr, 0), "name")), markup);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(arr, 0), "templates")), 1);
        json_decref(j);
        resp_free(&r);
    }

    /* the photo: operator (and admin) only, a JPEG, audited */
    char ppath[96];
    snprintf(ppath, sizeof ppath, "/api/v1/subjects/%lld/photo", (long long)sid);
    long long reads = raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'photo.read'");
    r = http_get(&x, ppath, &olivia);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "Content-Type: image/jpeg"));
    assert_true(r.len > 1000 && (uint8_t)r.body[0] == 0xFF && (uint8_t)r.body[1] == 0xD8);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'photo.read' AND actor = 'olivia'"),
                     reads + 1);
    r = http_get(&x, ppath, &aud);
    assert_int_equal(r.status, 403);
    resp_free(&r);

    /* a second photo of the same man: a duplicate, 422, unless allowed */
    char *b64b = b64_file(photo2);
    char *dup = subject_body("Colin again", b64b);
    snap before_dup = take_snap(x.f.db);
    r = http_post(&x, path, &adam, dup);
    assert_error(&r, 422, "photo");
    /* issue 14: the comparison read the list's templates, and that read is
     * the one entry the refusal leaves (DESIGN §5.4), as the docs say */
    snap after_dup = take_snap(x.f.db);
    assert_int_equal(after_dup.subjects, before_dup.subjects);
    assert_int_equal(after_dup.templates, before_dup.templates);
    assert_int_equal(after_dup.photos, before_dup.photos);
    assert_int_equal(after_dup.audit, before_dup.audit + 1);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE seq = (SELECT max(seq) FROM audit) AND "
                                     "action = 'templates.read' AND details LIKE '%duplicate check at enrolment%'"),
                     1);
    j = resp_json(&r);
    assert_non_null(strstr(json_string_value(json_array_get(json_object_get(j, "reasons"), 0)), "matches subject"));
    assert_null(strstr(json_string_value(json_array_get(json_object_get(j, "reasons"), 0)), "--")); /* no CLI option */
    json_decref(j);
    resp_free(&r);
    json_t *o = json_loads(dup, 0, NULL);
    json_object_set_new(o, "allow_duplicate", json_true());
    char *dup2 = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    r = http_post(&x, path, &adam, dup2);
    assert_int_equal(r.status, 201);
    resp_free(&r);

    /* removal: operator may not; admin may, once; the photo is gone */
    char spath[96];
    snprintf(spath, sizeof spath, "/api/v1/subjects/%lld", (long long)sid);
    r = http_req(&x, "DELETE", spath, &olivia, olivia.csrf, NULL, 0);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    r = http_req(&x, "DELETE", spath, &adam, NULL, NULL, 0);
    assert_error(&r, 403, "X-CSRF-Token");
    resp_free(&r);
    r = http_req(&x, "DELETE", spath, &adam, adam.csrf, NULL, 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'subject.remove' AND actor = 'adam'"),
                     1);
    r = http_req(&x, "DELETE", spath, &adam, adam.csrf, NULL, 0);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    r = http_get(&x, ppath, &olivia);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    verify_chain(&x);

    free(b64);
    free(b64b);
    free(body);
    free(dup);
    free(dup2);
    srv_stop(&x);
    vg_face_pack_close(pack);
}

/* Posts body to path and checks the answer; the store (audit included)
 * must be unchanged. */
static void refused(srv_fx *x, const session *s, const char *path, const char *body, long status,
                    const char *field, const char *reason)
{
    snap before = take_snap(x->f.db);
    resp r = http_post(x, path, s, body);
    assert_error(&r, status, field);
    if (reason && status != 422) { /* then a part of the error message */
        json_t *j = resp_json(&r);
        if (!strstr(json_string_value(json_object_get(j, "error")), reason))
            fail_msg("no \"%s\" in %s", reason, r.body);
        json_decref(j);
    } else if (reason) {
        json_t *j = resp_json(&r);
        json_t *rs = json_object_get(j, "reasons");
        int found = 0;
        for (size_t i = 0; i < json_array_size(rs); i++)
            found |= strstr(json_string_value(json_array_get(rs, i)), reason) != NULL;
        if (!found)
            fail_msg("no reason with \"%s\" in %s", reason, r.body);
        json_decref(j);
    }
    resp_free(&r);
    assert_snap_equal(before, take_snap(x->f.db));
}

static void refusals_change_nothing(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_data());
    vg_face_pack *pack = open_pack();
    srv_fx x;
    vg_server_config cfg = {.pack = pack};
    srv_start_cfg(&x, cfg);
    session adam = login(&x, "adam"), olivia = login(&x, "olivia");
    int64_t wl = api_watchlist(&x, &adam, "wanted");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/watchlists/%lld/subjects", (long long)wl);

    /* the gate: a grey square (no face), a blurred dark photo (two reasons) */
    char grey[300], blur[300], cmd[2000];
    snprintf(grey, sizeof grey, "%s/grey.png", x.f.dir);
    snprintf(blur, sizeof blur, "%s/blur.png", x.f.dir);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x808080:s=200x200 -frames:v 1 '%s'",
             grey);
    assert_int_equal(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' -vf gblur=sigma=2.5,eq=brightness=-0.42 '%s'", photo, blur);
    assert_int_equal(system(cmd), 0);
    char *g64 = b64_file(grey), *bl64 = b64_file(blur), *ok64 = b64_file(photo);
    char *b = subject_body("Nobody", g64);
    refused(&x, &adam, path, b, 422, "photo", "no face found");
    free(b);
    b = subject_body("Blurred", bl64);
    refused(&x, &adam, path, b, 422, "photo", "too blurred: sharpness");
    refused(&x, &adam, path, b, 422, "photo", "too dark: mean grey"); /* every reason, not the first */
    free(b);

    /* bad base64, bytes that are no image, a data URL that is fine */
    b = subject_body("X", "!!!not base64!!!");
    refused(&x, &adam, path, b, 400, "photo", "not valid base64");
    free(b);
    b = subject_body("X", "bm90IGFuIGltYWdlIGF0IGFsbCwganVzdCB0ZXh0");
    refused(&x, &adam, path, b, 400, "photo", "not an image that can be decoded");
    free(b);
    /* an image over the decoder's pixel limit (48 MP of grey: a small file) */
    char huge_png[300];
    snprintf(huge_png, sizeof huge_png, "%s/huge.png", x.f.dir);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x808080:s=8000x6000 -frames:v 1 '%s'",
             huge_png);
    assert_int_equal(system(cmd), 0);
    char *h64 = b64_file(huge_png);
    b = subject_body("X", h64);
    refused(&x, &adam, path, b, 400, "photo", "too many pixels");
    free(b);
    free(h64);

    /* fields: missing, mistyped, unknown, malformed JSON, not an object */
    refused(&x, &adam, path, "{\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"AAAA\"}", 400, "name",
            NULL);
    refused(&x, &adam, path, "{\"name\":7,\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"AAAA\"}",
            400, "name", NULL);
    refused(&x, &adam, path,
            "{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"AAAA\",\"nmae\":1}", 400,
            "nmae", NULL);
    refused(&x, &adam, path,
            "{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"AAAA\",\"under_18\":true}",
            400, "justification", NULL);
    refused(&x, &adam, path, "{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":12}", 400,
            "photo", NULL);
    refused(&x, &adam, path, "{\"name\": \"n\",", 400, "", NULL);
    refused(&x, &adam, path, "[]", 400, "", NULL);
    refused(&x, &adam, "/api/v1/watchlists", "{\"name\":\"w\",\"reason\":\"r\"}", 400, "authorised_by", NULL);
    refused(&x, &adam, "/api/v1/watchlists", "{\"name\":\"w\",\"reason\":\"r\",\"authorised_by\":\"a\",\"max_size\":\"5\"}",
            400, "max_size", NULL);
    refused(&x, &adam, "/api/v1/watchlists", "{\"name\":\"wanted\",\"reason\":\"r\",\"authorised_by\":\"a\"}", 409,
            "name", NULL);
    /* issue 14 point 8: a name of blanks alone */
    refused(&x, &adam, "/api/v1/watchlists", "{\"name\":\"    \",\"reason\":\"r\",\"authorised_by\":\"a\"}", 400,
            "name", "only whitespace");

    /* an unknown list; the wrong role; no CSRF header; no session */
    b = subject_body("Colin", ok64);
    refused(&x, &adam, "/api/v1/watchlists/999/subjects", b, 404, NULL, NULL);
    refused(&x, &olivia, path, b, 403, NULL, NULL);
    snap before = take_snap(x.f.db);
    resp r = http_req(&x, "POST", path, &adam, NULL, b, strlen(b));
    assert_error(&r, 403, "X-CSRF-Token");
    resp_free(&r);
    r = http_req(&x, "POST", path, NULL, NULL, b, strlen(b));
    assert_int_equal(r.status, 401);
    resp_free(&r);
    assert_snap_equal(before, take_snap(x.f.db));
    r = http_get(&x, "/api/v1/watchlists/999/subjects", &olivia);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    free(b);

    /* size: over upload_max (8 MiB) is 413; the photo route takes bodies
     * beyond body_max (64 KiB), which other routes refuse */
    size_t big = 9u << 20;
    char *huge = malloc(big + 1);
    assert_non_null(huge);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = '\0';
    refused(&x, &adam, path, huge, 413, NULL, NULL);
    char *tb = b64_file(other);
    char *tbody = subject_body("Tony", tb);
    size_t tl = strlen(tbody), padded = 200000;
    assert_true(tl < padded);
    memset(huge, ' ', padded);
    memcpy(huge, tbody, tl - 1); /* without its closing brace */
    huge[padded - 1] = '}';
    huge[padded] = '\0';
    refused(&x, &adam, "/api/v1/watchlists", huge, 413, NULL, NULL);
    r = http_post(&x, path, &adam, huge);
    if (r.status != 201)
        fail_msg("a 200 kB upload: %ld %s", r.status, r.body);
    resp_free(&r);
    free(huge);
    free(tb);
    free(tbody);
    /* two faces: refused naming the face field; accepted once it picks one */
    char two[300];
    snprintf(two, sizeof two, "%s/two.png", x.f.dir);
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -y -i '%s' -i '%s' -filter_complex '[0][1]hstack' '%s'", photo,
             other, two);
    assert_int_equal(system(cmd), 0);
    char *two64 = b64_file(two);
    b = subject_body("Two", two64);
    refused(&x, &adam, path, b, 422, "photo", "2 faces found: choose one with \"face\": 0 to 1");
    json_t *o = json_loads(b, 0, NULL);
    json_object_set_new(o, "face", json_integer(0));
    json_object_set_new(o, "allow_duplicate", json_true()); /* both men are on the list by now */
    char *b2 = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    resp r0 = http_post(&x, path, &adam, b2);
    if (r0.status != 201)
        fail_msg("face 0 of two: %ld %s", r0.status, r0.body);
    resp_free(&r0);
    free(b2);
    free(b);
    free(two64);

    verify_chain(&x);
    free(g64);
    free(bl64);
    free(ok64);
    srv_stop(&x);
    vg_face_pack_close(pack);
}

/* POST /api/v1/watchlists/{id}/reembed: admin only; the list re-made with
 * the server's pack, audited under the admin's name; a second call changes
 * nothing and says so; an unknown list is 404 and changes nothing. */
static void reembed_over_http(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_data());
    vg_face_pack *pack = open_pack();
    srv_fx x;
    vg_server_config cfg = {.pack = pack};
    srv_start_cfg(&x, cfg);
    session adam = login(&x, "adam"), olivia = login(&x, "olivia");
    int64_t wl = api_watchlist(&x, &adam, "wanted");
    char path[128], rpath[128];
    snprintf(path, sizeof path, "/api/v1/watchlists/%lld/subjects", (long long)wl);
    snprintf(rpath, sizeof rpath, "/api/v1/watchlists/%lld/reembed", (long long)wl);
    const char *files[2] = {photo, other};
    for (int i = 0; i < 2; i++) {
        char *b64 = b64_file(files[i]);
        char *body = subject_body(i ? "Tony Blair" : "Colin Powell", b64);
        resp r = http_post(&x, path, &adam, body);
        assert_int_equal(r.status, 201);
        resp_free(&r);
        free(body);
        free(b64);
    }

    snap before = take_snap(x.f.db);
    resp r = http_post(&x, rpath, &olivia, "");
    assert_int_equal(r.status, 403);
    resp_free(&r);
    assert_snap_equal(before, take_snap(x.f.db));

    r = http_post(&x, rpath, &adam, "");
    if (r.status != 200)
        fail_msg("reembed: %ld %s", r.status, r.body);
    json_t *j = resp_json(&r);
    assert_string_equal(json_string_value(json_object_get(j, "watchlist")), "wanted");
    assert_int_equal(json_integer_value(json_object_get(j, "subjects")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "photos")), 2);
    assert_string_equal(json_string_value(json_object_get(j, "new_model")), vg_face_pack_model_id(pack));
    assert_string_equal(json_string_value(json_object_get(j, "old_model")), vg_face_pack_model_id(pack));
    json_decref(j);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'watchlist.reembed' AND actor = 'adam'"),
                     1);

    /* again: nothing to change */
    long long max_id = raw_int(x.f.db, "SELECT max(id) FROM template");
    r = http_post(&x, rpath, &adam, "");
    assert_int_equal(r.status, 200);
    j = resp_json(&r);
    assert_false(json_is_true(json_object_get(j, "changed")));
    assert_int_equal(json_integer_value(json_object_get(j, "templates_added")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "subjects_unchanged")), 2);
    json_decref(j);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT max(id) FROM template"), max_id);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM template"), 2);

    before = take_snap(x.f.db);
    r = http_post(&x, "/api/v1/watchlists/999/reembed", &adam, "");
    assert_int_equal(r.status, 404);
    resp_free(&r);
    assert_snap_equal(before, take_snap(x.f.db));
    verify_chain(&x);
    srv_stop(&x);
    vg_face_pack_close(pack);
}

static void no_pack_is_503(void **state)
{
    (void)state;
    srv_fx x;
    srv_start(&x, 0);
    session adam = login(&x, "adam");
    int64_t wl = api_watchlist(&x, &adam, "wanted");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/watchlists/%lld/subjects", (long long)wl);
    snap before = take_snap(x.f.db);
    resp r = http_post(&x, path, &adam, "{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"AAAA\"}");
    assert_error(&r, 503, "photo");
    resp_free(&r);
    assert_snap_equal(before, take_snap(x.f.db));
    srv_stop(&x);
}

/* issue 15: the card's watch-list side is the face of the enrolment photo,
 * upright with a margin (256x320), not the whole portrait: the detector
 * finds one face filling the middle of it; operators only, audited; a
 * subject enrolled before the face's place was kept gets the photo. */
static void face_crop_for_the_card(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_data());
    vg_face_pack *pack = open_pack();
    srv_fx x;
    vg_server_config cfg = {.pack = pack};
    srv_start_cfg(&x, cfg);
    session adam = login(&x, "adam"), olivia = login(&x, "olivia"), aud = login(&x, "aud");
    int64_t wl = api_watchlist(&x, &adam, "wanted");
    char *b64 = b64_file(photo);
    char *body = subject_body("Colin", b64);
    char path[128];
    snprintf(path, sizeof path, "/api/v1/watchlists/%lld/subjects", (long long)wl);
    resp r = http_post(&x, path, &adam, body);
    assert_int_equal(r.status, 201);
    json_t *j = resp_json(&r);
    int64_t sid = json_integer_value(json_object_get(json_object_get(j, "subject"), "id"));
    json_decref(j);
    resp_free(&r);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM photo WHERE face_x1 IS NOT NULL AND lm4y IS NOT NULL"), 1);

    char fpath[96], ppath[96];
    snprintf(fpath, sizeof fpath, "/api/v1/subjects/%lld/face", (long long)sid);
    snprintf(ppath, sizeof ppath, "/api/v1/subjects/%lld/photo", (long long)sid);
    long long reads = raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'photo.read'");
    r = http_get(&x, fpath, &olivia);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "Content-Type: image/jpeg"));
    vg_image *img = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_image_decode_mem((const uint8_t *)r.body, r.len, 0, &img, &err), VG_OK);
    resp_free(&r);
    assert_int_equal(img->width, 256);
    assert_int_equal(img->height, 320);
    vg_face *faces = NULL;
    int n = 0;
    assert_int_equal(vg_face_detect(pack, img, &faces, &n, &err), VG_OK);
    assert_true(n >= 1);
    float cx = (faces[0].x1 + faces[0].x2) / 2, cy = (faces[0].y1 + faces[0].y2) / 2;
    float fh = faces[0].y2 - faces[0].y1;
    if (!(cx > 96 && cx < 160 && cy > 110 && cy < 210 && fh > 120))
        fail_msg("the face is not in the middle of the crop: centre %.0f,%.0f height %.0f", cx, cy, fh);
    free(faces);
    vg_image_free(img);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'photo.read' AND actor = 'olivia' "
                                     "AND details LIKE '%\"face\":true%'"),
                     1);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'photo.read'"), reads + 1);
    r = http_get(&x, fpath, &aud);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    r = http_get(&x, "/api/v1/subjects/999/face", &olivia);
    assert_int_equal(r.status, 404);
    resp_free(&r);

    /* enrolled before schema 14: no place kept, the whole photo */
    raw_exec(x.f.db, "UPDATE photo SET face_x1 = NULL, face_y1 = NULL, face_x2 = NULL, face_y2 = NULL, lm0x = NULL, "
                     "lm0y = NULL, lm1x = NULL, lm1y = NULL, lm2x = NULL, lm2y = NULL, lm3x = NULL, lm3y = NULL, "
                     "lm4x = NULL, lm4y = NULL");
    resp whole = http_get(&x, ppath, &olivia);
    r = http_get(&x, fpath, &olivia);
    assert_int_equal(whole.status, 200);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, whole.len);
    assert_memory_equal(r.body, whole.body, r.len);
    resp_free(&r);
    resp_free(&whole);
    free(b64);
    free(body);
    verify_chain(&x);
    srv_stop(&x);
    vg_face_pack_close(pack);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(enrol_list_photo_remove),
        cmocka_unit_test(face_crop_for_the_card),
        cmocka_unit_test(refusals_change_nothing),
        cmocka_unit_test(reembed_over_http),
        cmocka_unit_test(no_pack_is_503),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
