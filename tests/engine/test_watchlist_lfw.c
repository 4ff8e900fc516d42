/* test_watchlist_lfw.c — a watch list end to end on LFW with a real SQLite
 * store: enrol the first photo of 50 people (vg_enrol: gate, embed, store),
 * load the list into memory, then identify (a) the other photos of those
 * people: rank-1 rate and (b) 1 000 photos of people not on the list: at
 * most 0.1 % may have a candidate above the threshold. Skips without LFW. */
#include "vg_test.h"

#include <unistd.h>

#include "vigil/watchlist.h"

#define LISTED 50
#define MATED_PER_PERSON 4
#define STRANGERS 1000
/* measured 84.5 % (169 of 200) at the default threshold 0.54, with no
 * stranger above it; the margin allows for a changed model build */
/* 84.5 % when the test enrolled only photos with exactly one face; with the
 * context pass more first photos show a second (real) person, the central
 * face is chosen for them, and the 50 people differ: 79.0 % (158 of 200),
 * the same similarities pair for pair (vigil compare and identify give the
 * same scores before and after; docs/pipeline.md §2a) */
#define RANK1_MIN 0.78

typedef struct person {
    char name[96];
    int count;
} person;

static int read_people(const char *dir, person *p, int max)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/lfw/lfw-names.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int n = 0;
    while (n < max && fscanf(f, "%95s %d", p[n].name, &p[n].count) == 2)
        n++;
    fclose(f);
    return n;
}

static const char *photo(char *buf, size_t len, const char *dir, const char *name, int k)
{
    snprintf(buf, len, "%s/lfw/images_deepfunneled/%s/%s_%04d.jpg", dir, name, name, k);
    return buf;
}

/* Top-1 of the central face of a photo. */
static int identify(const vg_face_pack *pack, const vg_watch_gallery *g, const char *path, vg_candidate *c)
{
    vg_image *img = NULL;
    vg_err err;
    float probe[512];
    assert_int_equal(vg_image_decode_file(path, 0, &img, &err), VG_OK);
    vg_status st = vg_face_embed_main(pack, img, VG_FACE_PICK_CENTRAL, probe, NULL, &err);
    vg_image_free(img);
    if (st == VG_ERR_NOT_FOUND)
        return 0;
    assert_int_equal(st, VG_OK);
    return vg_watch_gallery_search(g, probe, 1, c);
}

static void test_enrol_and_identify(void **state)
{
    (void)state;
    const char *dir = vg_test_data_dir();
    VG_SKIP_UNLESS(dir);
    static person people[6000];
    int np = read_people(dir, people, 6000);
    VG_SKIP_UNLESS(np > 2000);

    char tmp[] = "/tmp/vg_wl_XXXXXX";
    assert_non_null(mkdtemp(tmp));
    char db[256];
    snprintf(db, sizeof db, "%s/vigil.db", tmp);
    vg_store_options so = {.path = db};
    vg_store *store = NULL;
    vg_err err;
    assert_int_equal(vg_store_open(&so, &store, &err), VG_OK);
    vg_face_config fc = {.min_face = 20};
    vg_face_pack *pack = NULL;
    assert_int_equal(vg_face_pack_open(&fc, &pack, &err), VG_OK);

    vg_watchlist w;
    memset(&w, 0, sizeof w);
    snprintf(w.name, sizeof w.name, "lfw-50");
    snprintf(w.reason, sizeof w.reason, "test");
    snprintf(w.authorised_by, sizeof w.authorised_by, "test");
    int64_t wid = 0;
    assert_int_equal(vg_store_watchlist_create(store, "test", &w, &wid, &err), VG_OK);

    /* the first 50 people with 5 or more photos whose first photo passes the
     * gate. LFW photos often show other people too; the gate refuses such a
     * photo and asks for --face: the central face is chosen, as an officer
     * would (LFW centres its subject) */
    int listed[LISTED], nl = 0;
    vg_enrol_options opt;
    vg_enrol_defaults(&opt);
    for (int i = 0; i < np && nl < LISTED; i++) {
        if (people[i].count < 1 + MATED_PER_PERSON)
            continue;
        char path[1024];
        const char *photos[1] = {photo(path, sizeof path, dir, people[i].name, 1)};
        vg_subject s;
        memset(&s, 0, sizeof s);
        s.watchlist_id = wid;
        snprintf(s.name, sizeof s.name, "%s", people[i].name);
        snprintf(s.authorised_by, sizeof s.authorised_by, "test");
        snprintf(s.reason, sizeof s.reason, "test");
        int64_t sid;
        opt.face_index = -1;
        vg_status st = vg_enrol(pack, store, "test", &s, photos, 1, &opt, &sid, &err);
        if (st && strstr(err.msg, "faces found: choose one with --face")) {
            vg_image *img = NULL;
            vg_face *faces = NULL;
            int n = 0;
            if (vg_image_decode_file(photos[0], 0, &img, NULL) == VG_OK &&
                vg_face_detect(pack, img, &faces, &n, NULL) == VG_OK && n > 1) {
                opt.face_index = vg_face_pick_main(faces, n, img->width, img->height, VG_FACE_PICK_CENTRAL);
                st = vg_enrol(pack, store, "test", &s, photos, 1, &opt, &sid, &err);
            }
            free(faces);
            vg_image_free(img);
        }
        if (st) {
            fprintf(stderr, "not enrolled: %s\n", err.msg);
            continue;
        }
        listed[nl++] = i;
    }
    assert_int_equal(nl, LISTED);

    vg_watch_gallery *g = NULL;
    assert_int_equal(vg_watch_gallery_load(store, "test", "test", wid, vg_face_pack_model_id(pack), 0, &g, &err), VG_OK);
    assert_int_equal(vg_watch_gallery_subjects(g), nl);

    /* mated: photos 2..5 of each listed person */
    vg_subject *subjects = NULL;
    int ns = 0;
    assert_int_equal(vg_store_subject_list(store, wid, &subjects, &ns, &err), VG_OK);
    int mated = 0, rank1 = 0;
    for (int k = 0; k < nl; k++) {
        const person *p = &people[listed[k]];
        int before = rank1;
        for (int j = 2; j < 2 + MATED_PER_PERSON; j++) {
            char path[1024];
            vg_candidate c;
            mated++;
            if (identify(pack, g, photo(path, sizeof path, dir, p->name, j), &c) == 1 &&
                c.score >= VG_WATCHLIST_THRESHOLD_DEFAULT) {
                for (int s = 0; s < ns; s++)
                    if (subjects[s].id == c.subject_id && strcmp(subjects[s].name, p->name) == 0)
                        rank1++;
            }
        }
        if (rank1 - before < 2)
            fprintf(stderr, "  %s: %d of %d found\n", p->name, rank1 - before, MATED_PER_PERSON);
    }
    /* non-mated: the first photo of 1 000 people not on the list */
    int strangers = 0, false_alarms = 0;
    for (int i = 0; i < np && strangers < STRANGERS; i++) {
        int on_list = 0;
        for (int k = 0; k < nl && !on_list; k++)
            on_list = listed[k] == i;
        if (on_list)
            continue;
        char path[1024];
        vg_candidate c;
        strangers++;
        if (identify(pack, g, photo(path, sizeof path, dir, people[i].name, 1), &c) == 1 &&
            c.score >= VG_WATCHLIST_THRESHOLD_DEFAULT) {
            false_alarms++;
            fprintf(stderr, "stranger %s matched subject %lld at %.3f\n", people[i].name, (long long)c.subject_id,
                    c.score);
        }
    }
    double rate = (double)rank1 / mated;
    fprintf(stderr, "watch list of %d: rank-1 at threshold %.2f: %d of %d (%.1f %%); strangers above it: %d of %d\n",
            nl, VG_WATCHLIST_THRESHOLD_DEFAULT, rank1, mated, 100 * rate, false_alarms, strangers);
    assert_true(rate >= RANK1_MIN);
    assert_true(false_alarms * 1000 <= strangers);

    vg_store_subject_free(subjects);
    vg_watch_gallery_free(g);
    vg_face_pack_close(pack);
    vg_store_close(store);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enrol_and_identify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
