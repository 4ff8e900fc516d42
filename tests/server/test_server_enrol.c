/* test_server_enrol.c — enrolment that helps the person enrolling, over
 * real HTTP with the real model pack, LFW photos and the demo media: the
 * 201 and the 422 carry, per photo, the box, every quality factor with its
 * value, limit and pass, and the face crop as base64 JPEG; a face that
 * dominates a photo of two is proposed (a composite made with ffmpeg); a
 * supervisor's acceptance below the limits is audited, marks the template
 * and the alerts from it; several photos keep those that pass; and a
 * refusal leaves the store and the audit chain as they were, the refused
 * photo's crop in the answer only. Skips without the shared data. */
#include "server/server_upload.h"

#include <unistd.h>

static char lfw_a[1024], lfw_a2[1024], lfw_b[1024], camera[1100], cat[1100];

static int have_data(void)
{
    const char *src = getenv("VIGIL_SRC");
    snprintf(camera, sizeof camera, "%s/deps/media/camera.png", src ? src : ".");
    snprintf(cat, sizeof cat, "%s/deps/media/chelsea.png", src ? src : ".");
    if (access(camera, R_OK) || access(cat, R_OK)) {
        fprintf(stderr, "demo media absent (run scripts/bootstrap): skipping\n");
        return 0;
    }
    return vg_test_data(lfw_a, sizeof lfw_a, "lfw/images_deepfunneled/Colin_Powell/Colin_Powell_0001.jpg") &&
           vg_test_data(lfw_a2, sizeof lfw_a2, "lfw/images_deepfunneled/Colin_Powell/Colin_Powell_0002.jpg") &&
           vg_test_data(lfw_b, sizeof lfw_b, "lfw/images_deepfunneled/Tony_Blair/Tony_Blair_0003.jpg");
}

/* Runs an ffmpeg command line (printf-style). */
static void ffmpeg(const char *fmt, ...)
{
    char cmd[4000];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    assert_int_equal(system(cmd), 0);
}

/* A body with these photos (one: "photo"; several: "photos") and extra
 * fields merged in (a JSON object text, or NULL). */
static char *body_with(const char *name, const char *const *files, int n, const char *extra)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "name", name, "reason", "warrant 4521", "category", "wanted",
                          "source", "custody photo 2023");
    json_t *arr = json_array();
    for (int i = 0; i < n; i++) {
        char *b = b64_file(files[i]);
        assert_non_null(b);
        json_array_append_new(arr, json_string(b));
        free(b);
    }
    if (n == 1)
        json_object_set(o, "photo", json_array_get(arr, 0));
    else
        json_object_set(o, "photos", arr);
    json_decref(arr);
    if (extra) {
        json_t *e = json_loads(extra, 0, NULL);
        assert_non_null(e);
        json_object_update(o, e);
        json_decref(e);
    }
    char *t = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return t;
}

/* The factor of a photo's report by name. */
static json_t *factor(json_t *photo, const char *name)
{
    json_t *fs = json_object_get(photo, "factors");
    for (size_t i = 0; i < json_array_size(fs); i++)
        if (!strcmp(json_string_value(json_object_get(json_array_get(fs, i), "name")), name))
            return json_array_get(fs, i);
    fail_msg("no factor %s", name);
    return NULL;
}

/* The crop decodes as a 112x112 image; its bytes are returned (malloc'd). */
static uint8_t *check_crop(json_t *photo, size_t *len)
{
    const char *b64 = json_string_value(json_object_get(photo, "crop_jpeg"));
    assert_non_null(b64);
    size_t cap = strlen(b64);
    uint8_t *bin = malloc(cap);
    assert_non_null(bin);
    assert_int_equal(sodium_base642bin(bin, cap, b64, strlen(b64), NULL, len, NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_true(*len > 100 && bin[0] == 0xff && bin[1] == 0xd8);
    vg_image *img = NULL;
    vg_err err = {{0}};
    assert_int_equal(vg_image_decode_mem(bin, *len, 0, &img, &err), VG_OK);
    assert_int_equal(img->width, 112);
    assert_int_equal(img->height, 112);
    vg_image_free(img);
    return bin;
}

/* Every factor present, with a limit text and a pass that agrees with its
 * value and limits. */
static void check_factors(json_t *photo)
{
    static const char *const names[] = {"eye_distance", "yaw", "pitch", "sharpness", "brightness", "detector_score"};
    json_t *fs = json_object_get(photo, "factors");
    assert_int_equal(json_array_size(fs), 6);
    for (int i = 0; i < 6; i++) {
        json_t *f = factor(photo, names[i]);
        assert_true(json_is_string(json_object_get(f, "limit")));
        double v = json_number_value(json_object_get(f, "value"));
        json_t *mn = json_object_get(f, "min"), *mx = json_object_get(f, "max");
        int pass = (!mn || v >= json_number_value(mn) - 1e-4) && (!mx || v <= json_number_value(mx) + 1e-4);
        assert_int_equal(json_is_true(json_object_get(f, "pass")), pass);
    }
    json_t *box = json_object_get(photo, "box");
    assert_int_equal(json_array_size(box), 4);
    assert_true(json_number_value(json_array_get(box, 2)) > json_number_value(json_array_get(box, 0)));
}

/* Posts and expects a refusal with status; the store (audit chain
 * included) is unchanged and the refused crops are nowhere in it. Returns
 * the answer's JSON. */
static json_t *refused(srv_fx *x, const session *s, const char *path, const char *body, long status)
{
    snap before = take_snap(x->f.db);
    resp r = http_post(x, path, s, body);
    if (r.status != status)
        fail_msg("wanted %ld, got %ld: %.500s", status, r.status, r.body);
    json_t *j = resp_json(&r);
    resp_free(&r);
    assert_snap_equal(before, take_snap(x->f.db));
    json_t *photos = json_object_get(j, "photos");
    for (size_t i = 0; i < json_array_size(photos); i++) {
        json_t *p = json_array_get(photos, i);
        if (!json_object_get(p, "crop_jpeg"))
            continue;
        size_t len = 0;
        uint8_t *crop = check_crop(p, &len);
        assert_false(fx_stored_contains(x->f.db, crop, len));
        free(crop);
    }
    return j;
}

static json_t *created(srv_fx *x, const session *s, const char *path, const char *body)
{
    resp r = http_post(x, path, s, body);
    if (r.status != 201)
        fail_msg("wanted 201, got %ld: %.500s", r.status, r.body);
    json_t *j = resp_json(&r);
    resp_free(&r);
    return j;
}

static void enrolment_helps(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_data());
    vg_face_pack *pack = open_pack();
    srv_fx x;
    vg_server_config cfg = {.pack = pack};
    srv_start_cfg(&x, cfg);
    session adam = login(&x, "adam");
    int64_t wl = api_watchlist(&x, &adam, "wanted");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/watchlists/%lld/subjects", (long long)wl);

    /* one good photo: 201 with its box, factors and crop */
    const char *one[] = {lfw_a};
    char *b = body_with("Colin Powell", one, 1, NULL);
    json_t *j = created(&x, &adam, path, b);
    free(b);
    json_t *p0 = json_array_get(json_object_get(j, "photos"), 0);
    assert_true(json_is_true(json_object_get(p0, "kept")));
    assert_false(json_is_true(json_object_get(p0, "low_quality")));
    check_factors(p0);
    for (size_t i = 0; i < 6; i++)
        assert_true(json_is_true(json_object_get(json_array_get(json_object_get(p0, "factors"), i), "pass")));
    size_t len = 0;
    free(check_crop(p0, &len));
    assert_int_equal(json_integer_value(json_object_get(j, "templates")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "subject"), "low_quality")), 0);
    json_decref(j);

    /* the cameraman: face too small and turned. 422 with the failing
     * factors and the crop, nothing stored */
    const char *cam[] = {camera};
    b = body_with("Cameraman", cam, 1, NULL);
    j = refused(&x, &adam, path, b, 422);
    free(b);
    p0 = json_array_get(json_object_get(j, "photos"), 0);
    check_factors(p0);
    assert_false(json_is_true(json_object_get(factor(p0, "eye_distance"), "pass")));
    assert_true(json_is_true(json_object_get(factor(p0, "detector_score"), "pass")));
    assert_true(json_array_size(json_object_get(j, "reasons")) >= 1);
    json_decref(j);

    /* the cat: never enrolled, not even on a supervisor's word */
    const char *cats[] = {cat};
    b = body_with("Chelsea", cats, 1, NULL);
    json_decref(refused(&x, &adam, path, b, 422));
    free(b);
    b = body_with("Chelsea", cats, 1, "{\"accept_low_quality\": \"I insist\", \"supervisor\": \"Insp. Grey\"}");
    json_decref(refused(&x, &adam, path, b, 422));
    free(b);

    /* a grey square and the cameraman: none passes, 422 for the subject,
     * each photo reported */
    char grey[300];
    snprintf(grey, sizeof grey, "%s/grey.png", x.f.dir);
    ffmpeg("ffmpeg -nostdin -v error -y -f lavfi -i color=c=0x808080:s=200x200 -frames:v 1 '%s'", grey);
    const char *none[] = {grey, camera};
    b = body_with("Nobody", none, 2, NULL);
    j = refused(&x, &adam, path, b, 422);
    free(b);
    assert_int_equal(json_array_size(json_object_get(j, "photos")), 2);
    p0 = json_array_get(json_object_get(j, "photos"), 0);
    assert_int_equal(json_integer_value(json_object_get(p0, "faces")), 0);
    assert_null(json_object_get(p0, "crop_jpeg"));
    assert_string_equal(json_string_value(json_array_get(json_object_get(p0, "reasons"), 0)), "no face found");
    json_decref(j);

    /* three photos, the middle one without a face: two kept, one reported */
    const char *three[] = {lfw_b, grey, lfw_b};
    b = body_with("Tony Blair", three, 3, NULL);
    j = created(&x, &adam, path, b);
    free(b);
    assert_int_equal(json_integer_value(json_object_get(j, "templates")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "refused")), 1);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "subject"), "templates")), 2);
    json_t *ps = json_object_get(j, "photos");
    assert_true(json_is_true(json_object_get(json_array_get(ps, 0), "kept")));
    assert_false(json_is_true(json_object_get(json_array_get(ps, 1), "kept")));
    assert_true(json_is_true(json_object_get(json_array_get(ps, 2), "kept")));
    assert_string_equal(json_string_value(json_object_get(json_array_get(ps, 1), "photo")), "photos[1]");
    int64_t tony = json_integer_value(json_object_get(json_object_get(j, "subject"), "id"));
    json_decref(j);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM template t JOIN subject s ON s.id = t.subject_id "
                                     "WHERE s.name = 'Tony Blair'"),
                     2);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM photo p JOIN subject s ON s.id = p.subject_id "
                                     "WHERE s.name = 'Tony Blair'"),
                     2);
    assert_true(tony > 0);

    /* one big face in the middle, a small one in the corner (a composite
     * of two LFW photos): the big face is proposed, the other ignored */
    char dom[300];
    snprintf(dom, sizeof dom, "%s/dominant.png", x.f.dir);
    ffmpeg("ffmpeg -nostdin -v error -y -i '%s' -i '%s' -filter_complex "
           "'[0]pad=500:400:125:75:gray[a];[1]scale=90:90[b];[a][b]overlay=10:10' '%s'",
           lfw_a2, lfw_b, dom);
    const char *doms[] = {dom};
    b = body_with("Colin again", doms, 1, "{\"allow_duplicate\": true}");
    j = created(&x, &adam, path, b);
    free(b);
    p0 = json_array_get(json_object_get(j, "photos"), 0);
    assert_int_equal(json_integer_value(json_object_get(p0, "faces")), 2);
    assert_true(json_is_true(json_object_get(p0, "dominant")));
    assert_int_equal(json_integer_value(json_object_get(p0, "ignored")), 1);
    json_t *box = json_object_get(p0, "box"); /* the big face, in the middle */
    double cx = (json_number_value(json_array_get(box, 0)) + json_number_value(json_array_get(box, 2))) / 2;
    assert_true(cx > 200 && cx < 300);
    json_decref(j);

    /* a supervisor accepts the cameraman: 201, marked, audited */
    b = body_with("Cameraman", cam, 1,
                  "{\"accept_low_quality\": \"the only photo on file, case 2024/117\", \"supervisor\": \"Insp. Grey\"}");
    j = created(&x, &adam, path, b);
    free(b);
    p0 = json_array_get(json_object_get(j, "photos"), 0);
    assert_true(json_is_true(json_object_get(p0, "kept")));
    assert_true(json_is_true(json_object_get(p0, "low_quality")));
    assert_int_equal(json_integer_value(json_object_get(j, "low_quality")), 1);
    json_t *sub = json_object_get(j, "subject");
    assert_int_equal(json_integer_value(json_object_get(sub, "low_quality")), 1);
    int64_t camman = json_integer_value(json_object_get(sub, "id"));
    json_decref(j);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM template WHERE low_quality = 1"), 1);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'subject.add' AND actor = 'adam' "
                                     "AND details LIKE '%\"supervisor\":\"Insp. Grey\"%' "
                                     "AND details LIKE '%case 2024/117%'"),
                     1);
    /* the justification without a supervisor names the admin who sent it */
    b = body_with("Cameraman 2", cam, 1, "{\"accept_low_quality\": \"second copy\", \"allow_duplicate\": true}");
    json_decref(created(&x, &adam, path, b));
    free(b);
    assert_int_equal(raw_int(x.f.db, "SELECT count(*) FROM audit WHERE action = 'subject.add' "
                                     "AND details LIKE '%\"supervisor\":\"adam\"%'"),
                     1);
    /* an operator may not enrol at all, below the limits or not */
    session olivia = login(&x, "olivia");
    b = body_with("Cameraman 3", cam, 1, "{\"accept_low_quality\": \"x\"}");
    json_decref(refused(&x, &olivia, path, b, 403));
    free(b);

    /* alerts: one from the low-quality subject says so, one from Tony not */
    vg_store *w = srv_writer(&x);
    int64_t dep = fx_deployment(w, "high-street", wl, 1);
    uint8_t *crop = fx_jpeg(9, 500);
    int64_t al = 0, al2 = 0;
    vg_err err = {{0}};
    vg_alert a = fx_alert(dep, camman, "uid-camman");
    assert_int_equal(vg_store_alert_add(w, ACTOR, &a, crop, 500, &al, &err), VG_OK);
    a = fx_alert(dep, tony, "uid-tony");
    assert_int_equal(vg_store_alert_add(w, ACTOR, &a, crop, 500, &al2, &err), VG_OK);
    free(crop);
    vg_store_close(w);
    char apath[64];
    snprintf(apath, sizeof apath, "/api/v1/alerts/%lld", (long long)al);
    resp r = http_get(&x, apath, &olivia);
    assert_int_equal(r.status, 200);
    j = resp_json(&r);
    json_t *aj = json_object_get(j, "alert") ? json_object_get(j, "alert") : j;
    assert_true(json_is_true(json_object_get(aj, "low_quality")));
    json_decref(j);
    resp_free(&r);
    snprintf(apath, sizeof apath, "/api/v1/alerts/%lld", (long long)al2);
    r = http_get(&x, apath, &olivia);
    assert_int_equal(r.status, 200);
    j = resp_json(&r);
    aj = json_object_get(j, "alert") ? json_object_get(j, "alert") : j;
    assert_true(json_is_false(json_object_get(aj, "low_quality")));
    json_decref(j);
    resp_free(&r);

    int64_t bad = 0, n = 0;
    assert_int_equal(vg_store_audit_verify(x.f.s, &bad, &n, &err), VG_OK);
    srv_stop(&x);
    vg_face_pack_close(pack);
}

/* The body's new fields: photos (an array), accept_low_quality and
 * supervisor; each mistake named. */
static void body_fields(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_data());
    vg_face_pack *pack = open_pack();
    srv_fx x;
    vg_server_config cfg = {.pack = pack};
    srv_start_cfg(&x, cfg);
    session adam = login(&x, "adam");
    int64_t wl = api_watchlist(&x, &adam, "wanted");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/watchlists/%lld/subjects", (long long)wl);
    static const char *const bad[][2] = {
        {"{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"aGVsbG8h\",\"photos\":[\"aGVsbG8h\"]}",
         "photos"},
        {"{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photos\":[]}", "photos"},
        {"{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photos\":\"aGVsbG8h\"}", "photos"},
        {"{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photos\":[\"aGVsbG8h\",\"!!\"]}", "photos"},
        {"{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"aGVsbG8h\",\"supervisor\":\"x\"}",
         "supervisor"},
        {"{\"name\":\"n\",\"reason\":\"r\",\"category\":\"c\",\"source\":\"s\",\"photo\":\"aGVsbG8h\","
         "\"accept_low_quality\":\"two\\nlines\"}",
         "accept_low_quality"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snap before = take_snap(x.f.db);
        resp r = http_post(&x, path, &adam, bad[i][0]);
        assert_error(&r, 400, bad[i][1]);
        resp_free(&r);
        assert_snap_equal(before, take_snap(x.f.db));
    }
    srv_stop(&x);
    vg_face_pack_close(pack);
}

/* issue 14 point 6: an upload is decoded only as JPEG or PNG. The same
 * face as BMP, GIF, TIFF, WebP, a one-frame video (FFV1, and JPEG frames
 * inside Matroska) and an HLS playlist naming a URL: each 400 naming the
 * accepted formats, nothing stored; as PNG it is enrolled. */
static void only_jpeg_and_png(void **state)
{
    (void)state;
    VG_SKIP_UNLESS(have_data());
    vg_face_pack *pack = open_pack();
    srv_fx x;
    vg_server_config cfg = {.pack = pack};
    srv_start_cfg(&x, cfg);
    session adam = login(&x, "adam");
    int64_t wl = api_watchlist(&x, &adam, "wanted");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/watchlists/%lld/subjects", (long long)wl);
    static const char *const kinds[][2] = {
        {"bmp", ""}, {"gif", ""}, {"tiff", ""}, {"webp", ""}, {"mkv", "-c:v ffv1"}, {"mkv", "-c:v mjpeg"},
    };
    char file[400];
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        snprintf(file, sizeof file, "%s/face%zu.%s", x.f.dir, i, kinds[i][0]);
        ffmpeg("ffmpeg -nostdin -v error -y -i '%s' -frames:v 1 %s '%s'", lfw_a, kinds[i][1], file);
        const char *files[] = {file};
        char *b = body_with("Colin Powell", files, 1, NULL);
        snap before = take_snap(x.f.db);
        json_t *j = refused(&x, &adam, path, b, 400);
        free(b);
        const char *e = json_string_value(json_object_get(j, "error"));
        if (!e || !strstr(e, "only JPEG and PNG are accepted"))
            fail_msg("%s %s: %s", kinds[i][0], kinds[i][1], e ? e : "(no error)");
        assert_string_equal(json_string_value(json_object_get(j, "field")), "photo");
        json_decref(j);
        assert_snap_equal(before, take_snap(x.f.db));
    }
    snprintf(file, sizeof file, "%s/list.m3u8", x.f.dir);
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    fprintf(f, "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nhttp://127.0.0.1:1/a.ts\n#EXT-X-ENDLIST\n");
    fclose(f);
    const char *files[] = {file};
    char *b = body_with("Colin Powell", files, 1, NULL);
    json_t *j = refused(&x, &adam, path, b, 400);
    free(b);
    assert_non_null(strstr(json_string_value(json_object_get(j, "error")), "only JPEG and PNG are accepted"));
    json_decref(j);

    snprintf(file, sizeof file, "%s/face.png", x.f.dir);
    ffmpeg("ffmpeg -nostdin -v error -y -i '%s' '%s'", lfw_a, file);
    b = body_with("Colin Powell", files, 1, NULL);
    json_decref(created(&x, &adam, path, b));
    free(b);
    srv_stop(&x);
    vg_face_pack_close(pack);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(enrolment_helps),
        cmocka_unit_test(body_fields),
        cmocka_unit_test(only_jpeg_and_png),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
