/* test_privacy_strangers.c — DESIGN.md §5, invariant 1, proven on the
 * real process: the London crowd clip runs as the camera of a deployment
 * (`vigil run`, the binary CTest built) whose watch list holds one LFW
 * person who is not in it. Everything the process could leave is then
 * scanned, byte by byte: the database and its side files, the log output
 * (stderr and stdout), the working directory and the temporary directory
 * (TMPDIR points into the test's own folder, so other processes' files are
 * not mistaken for ours), and every response of its HTTP API that an
 * operator and an auditor read while the strangers walked past (alerts,
 * the alert stream, cameras, deployments, the report, watch lists, the
 * audit chain, /metrics; the blurred live view is test_server_live's).
 * Nothing may hold
 *   - a JPEG (the start of a JPEG stream: FF D8 FF then E0, E1, DB or EE);
 *   - a template of a stranger: the test embeds every face of every fifth
 *     frame itself (the same library and model) and looks, at every byte
 *     offset, for 512 floats of unit norm whose cosine with any of them is
 *     above 0.6 (the same person: LFW impostors stay below 0.5);
 *   - a stranger's bounding box: four consecutive numbers in the logs or
 *     the HTTP responses within 2 px of a box the test found (x1 y1 x2 y2
 *     or x y w h);
 * and the working and temporary directories must stay empty. The clip is
 * looped and the run stopped (SIGTERM) once its counters in the store hold
 * more than 100 faces: how many frames a real-time run of one 4.2 s pass
 * gets through depends on the machine's load, not on what is tested here
 * (an ASan build at load 13 processed 4 of its 105 frames). The scanner is
 * first run on planted data (a template at an odd offset, a JPEG, a box in
 * a log line) to show that each check fails when its invariant breaks. */
#include "engine_fixtures.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DIM 512
#define SAME_PERSON 0.6

typedef struct strangers {
    float *emb;   /* n x DIM */
    float (*box)[4];
    int n, cap;
} strangers;

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) {
        b[n] = '\0';
        *len = (size_t)n;
    }
    return b;
}

static int has_jpeg(const unsigned char *b, size_t n)
{
    for (size_t i = 0; i + 4 <= n; i++)
        if (b[i] == 0xff && b[i + 1] == 0xd8 && b[i + 2] == 0xff &&
            (b[i + 3] == 0xe0 || b[i + 3] == 0xe1 || b[i + 3] == 0xdb || b[i + 3] == 0xee))
            return 1;
    return 0;
}

/* A window of DIM floats (little-endian, any byte offset) of norm ~1 that is
 * the same person as a stranger. */
static int has_template(const unsigned char *b, size_t n, const strangers *s)
{
    if (n < DIM * 4)
        return 0;
    for (size_t a = 0; a < 4; a++) {
        size_t m = (n - a) / 4;
        if (m < DIM)
            continue;
        double *sq = malloc(m * sizeof *sq);
        float *v = malloc(m * sizeof *v);
        assert_non_null(sq);
        assert_non_null(v);
        for (size_t k = 0; k < m; k++) {
            memcpy(&v[k], b + a + 4 * k, 4);
            sq[k] = isfinite(v[k]) && fabsf(v[k]) < 1.5f ? (double)v[k] * v[k] : 1e9;
        }
        double sum = 0;
        for (size_t k = 0; k < m; k++) {
            sum += sq[k];
            if (k >= DIM)
                sum -= sq[k - DIM];
            if (k + 1 < DIM || sum < 0.9 || sum > 1.1)
                continue;
            const float *w = v + k + 1 - DIM;
            for (int j = 0; j < s->n; j++) {
                double dot = 0;
                for (int d = 0; d < DIM; d++)
                    dot += (double)w[d] * s->emb[(size_t)j * DIM + (size_t)d];
                if (dot > SAME_PERSON) {
                    free(sq);
                    free(v);
                    return 1;
                }
            }
        }
        free(sq);
        free(v);
    }
    return 0;
}

static int near(double a, double b)
{
    return fabs(a - b) <= 2.0;
}

/* A text with four consecutive numbers, in order, that are a stranger's box
 * (x1 y1 x2 y2, or x y w h), within 2 px: a box written anywhere, in a log
 * line ("x=.. y=.. w=.. h=..") or in JSON ([x1,y1,x2,y2]), has its four
 * numbers side by side. Digits inside a word (a hex hash, an id like
 * "a1b2") are not numbers. Looking for the four anywhere on a line instead
 * found false boxes in a one-line JSON audit log of hundreds of numbers. */
static int has_box(const char *text, const strangers *s)
{
    size_t len = strlen(text), cap = 1024, k = 0;
    double *num = malloc(cap * sizeof *num);
    assert_non_null(num);
    for (size_t i = 0; i < len;) {
        int starts = (text[i] >= '0' && text[i] <= '9') ||
                     (text[i] == '-' && i + 1 < len && text[i + 1] >= '0' && text[i + 1] <= '9');
        int in_word = i > 0 && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '.');
        if (!starts || in_word) {
            i++;
            continue;
        }
        char *e;
        double v = strtod(text + i, &e);
        size_t j = (size_t)(e - text);
        if (j < len && isalpha((unsigned char)text[j])) { /* "3f9a...": part of a word */
            while (j < len && isalnum((unsigned char)text[j]))
                j++;
            i = j;
            continue;
        }
        if (k == cap) {
            cap *= 2;
            num = realloc(num, cap * sizeof *num);
            assert_non_null(num);
        }
        num[k++] = v;
        i = j > i ? j : i + 1;
    }
    int found = 0;
    for (size_t q = 0; q + 4 <= k && !found; q++)
        for (int j = 0; j < s->n && !found; j++) {
            const float *bx = s->box[j];
            double want[2][4] = {{bx[0], bx[1], bx[2], bx[3]}, {bx[0], bx[1], bx[2] - bx[0], bx[3] - bx[1]}};
            for (int form = 0; form < 2 && !found; form++)
                found = near(num[q], want[form][0]) && near(num[q + 1], want[form][1]) &&
                        near(num[q + 2], want[form][2]) && near(num[q + 3], want[form][3]);
        }
    free(num);
    return found;
}

/* Every regular file under dir: JPEG and template checks; counts files. */
static void scan_tree(const char *dir, const strangers *s, int *files, int *jpegs, int *templates)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char path[2048];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat st;
        assert_int_equal(lstat(path, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            scan_tree(path, s, files, jpegs, templates);
            continue;
        }
        (*files)++;
        size_t n = 0;
        unsigned char *b = (unsigned char *)read_all(path, &n);
        assert_non_null(b);
        if (has_jpeg(b, n)) {
            fprintf(stderr, "JPEG in %s\n", path);
            (*jpegs)++;
        }
        if (has_template(b, n, s)) {
            fprintf(stderr, "a stranger's template in %s\n", path);
            (*templates)++;
        }
        free(b);
    }
    closedir(d);
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

/* Runs the vigil binary in cwd with the test's environment; output appended
 * to log. Returns the exit status. */
static int run_vigil(const char *root, const char *log, char *const argv[])
{
    char db[600], tmpdir[600], work[600];
    snprintf(db, sizeof db, "%s/db/vigil.db", root);
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", root);
    snprintf(work, sizeof work, "%s/work", root);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd < 0 || chdir(work) != 0)
            _exit(127);
        dup2(fd, 1);
        dup2(fd, 2);
        setenv("VIGIL_DB", db, 1);
        setenv("TMPDIR", tmpdir, 1);
        setenv("SQLITE_TMPDIR", tmpdir, 1);
        setenv("VIGIL_ACTOR", "test", 1);
        unsetenv("VIGIL_KEY");
        execv(getenv("VIGIL_BIN"), argv);
        _exit(127);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    if (rc) { /* say why */
        size_t n = 0;
        char *text = read_all(log, &n);
        fprintf(stderr, "vigil %s exited %d; its output:\n%s\n", argv[1], rc, text ? text : "(none)");
        free(text);
    }
    return rc;
}

/* Starts the vigil binary like run_vigil, stdout to out, stderr to log;
 * returns its pid. */
static pid_t spawn_vigil(const char *root, const char *out, const char *log, char *const argv[])
{
    char db[600], tmpdir[600], work[600];
    snprintf(db, sizeof db, "%s/db/vigil.db", root);
    snprintf(tmpdir, sizeof tmpdir, "%s/tmp", root);
    snprintf(work, sizeof work, "%s/work", root);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fo = open(out, O_WRONLY | O_CREAT | O_APPEND, 0600), fe = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fo < 0 || fe < 0 || chdir(work) != 0)
            _exit(127);
        dup2(fo, 1);
        dup2(fe, 2);
        setenv("VIGIL_DB", db, 1);
        setenv("TMPDIR", tmpdir, 1);
        setenv("SQLITE_TMPDIR", tmpdir, 1);
        setenv("VIGIL_ACTOR", "test", 1);
        unsetenv("VIGIL_KEY");
        execv(getenv("VIGIL_BIN"), argv);
        _exit(127);
    }
    return pid;
}

/* The faces the run's counters hold in the store so far (0 before the
 * first write, or while the database is busy). */
static long long stored_faces(const char *db)
{
    sqlite3 *h = NULL;
    long long faces = 0;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(h, 1000);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(h, "SELECT coalesce(sum(faces), 0) FROM counters", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            faces = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(h);
    return faces;
}

static void add_stranger(strangers *s, const float *emb, const vg_face *f)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->emb = realloc(s->emb, (size_t)s->cap * DIM * sizeof *s->emb);
        s->box = realloc(s->box, (size_t)s->cap * sizeof *s->box);
        assert_non_null(s->emb);
        assert_non_null(s->box);
    }
    memcpy(s->emb + (size_t)s->n * DIM, emb, DIM * sizeof *emb);
    s->box[s->n][0] = f->x1, s->box[s->n][1] = f->y1, s->box[s->n][2] = f->x2, s->box[s->n][3] = f->y2;
    s->n++;
}

static void test_strangers_leave_nothing(void **state)
{
    (void)state;
    char clip[1024], photo[1024];
    const char *bin = getenv("VIGIL_BIN");
    VG_SKIP_UNLESS(vg_test_data(clip, sizeof clip, "video/crowd-1080p.mp4"));
    VG_SKIP_UNLESS(vg_test_data(photo, sizeof photo, "lfw/images_deepfunneled/Aaron_Peirsol/Aaron_Peirsol_0001.jpg"));
    VG_SKIP_UNLESS(bin && *bin);

    char root[] = "/tmp/vg_privacy_XXXXXX", own[] = "/tmp/vg_privacy_own_XXXXXX";
    assert_non_null(mkdtemp(root));
    assert_non_null(mkdtemp(own));
    char path[1200], log[1200];
    for (int i = 0; i < 4; i++) {
        static const char *const sub[] = {"db", "work", "tmp", "log"};
        snprintf(path, sizeof path, "%s/%s", root, sub[i]);
        assert_int_equal(mkdir(path, 0700), 0);
    }
    snprintf(log, sizeof log, "%s/log/vigil.log", root);

    /* a deployment whose watch list holds one person who is not in the clip */
    time_t now = time(NULL);
    char from[32], until[32];
    strftime(from, sizeof from, "%Y-%m-%dT%H:%M:%SZ", gmtime(&(time_t){now - 3600}));
    strftime(until, sizeof until, "%Y-%m-%dT%H:%M:%SZ", gmtime(&(time_t){now + 3600}));
    char *wl[] = {"vigil", "watchlist", "create", "nobody", "--reason", "test", "--authorised-by", "test", NULL};
    assert_int_equal(run_vigil(root, log, wl), 0);
    char *sa[] = {"vigil", "subject", "add", "nobody", "--name", "Aaron_Peirsol", "--photo", photo, NULL};
    assert_int_equal(run_vigil(root, log, sa), 0);
    char *dc[] = {"vigil", "deployment", "create", "crowd", "--watchlist", "nobody", "--location", "test bench",
                  "--from", from, "--until", until, "--authorised-by", "test", "--camera", clip, NULL};
    assert_int_equal(run_vigil(root, log, dc), 0);
    /* the run serves its HTTP API meanwhile: an operator and an auditor read
     * every JSON and text endpoint while the strangers walk past */
    char cmd[3000];
    static const char *const users[][2] = {{"olivia", "operator"}, {"aud", "auditor"}};
    for (int u = 0; u < 2; u++) {
        snprintf(cmd, sizeof cmd,
                 "cd '%s/work' && echo 'a long password' | env VIGIL_DB='%s/db/vigil.db' TMPDIR='%s/tmp' "
                 "VIGIL_ACTOR=test '%s' user add %s --role %s >> '%s' 2>&1",
                 root, root, root, bin, users[u][0], users[u][1], log);
        assert_int_equal(system(cmd), 0);
    }
    char out_json[1200];
    snprintf(out_json, sizeof out_json, "%s/log/run.json", root);
    snprintf(path, sizeof path, "%s/http", root);
    assert_int_equal(mkdir(path, 0700), 0);
    /* the clip again and again, until enough faces were seen (below) */
    char ini[1200];
    snprintf(ini, sizeof ini, "%s/run.ini", root);
    FILE *fi = fopen(ini, "w");
    assert_non_null(fi);
    fputs("[source]\nloop = 1\n", fi);
    assert_int_equal(fclose(fi), 0);
    pid_t run_pid = spawn_vigil(root, out_json, log,
                                (char *const[]){"vigil", "--json", "run", "--deployment", "crowd", "--config", ini,
                                                "--listen", "127.0.0.1:0", NULL});
    int port = 0;
    for (int t = 0; t < 300 && !port; t++) { /* 30 s for the listening line */
        size_t n = 0;
        char *o = read_all(out_json, &n);
        const char *at = o ? strstr(o, "\"port\":") : NULL;
        if (at && strstr(o, "\"event\":\"listening\""))
            port = atoi(at + 7);
        free(o);
        if (!port)
            nanosleep(&(struct timespec){0, 100000000}, NULL);
    }
    assert_true(port > 0);
    for (int u = 0; u < 2; u++) {
        snprintf(cmd, sizeof cmd,
                 "curl -s -c '%s/http/%s.jar' -H 'Content-Type: application/json' -d "
                 "'{\"name\":\"%s\",\"password\":\"a long password\"}' http://127.0.0.1:%d/api/v1/login "
                 "> '%s/http/login-%s.txt'",
                 root, users[u][0], users[u][0], port, root, users[u][0]);
        assert_int_equal(system(cmd), 0);
    }
    /* the alert stream for the clip's length, and every read endpoint, twice */
    snprintf(cmd, sizeof cmd,
             "curl -s -N --max-time 4 -b '%s/http/olivia.jar' http://127.0.0.1:%d/api/v1/alerts/stream "
             "> '%s/http/stream.txt' &",
             root, port, root);
    assert_int_equal(system(cmd), 0);
    static const char *const reads[][2] = {
        {"olivia", "/api/v1/alerts"},      {"olivia", "/api/v1/cameras"},    {"olivia", "/api/v1/deployments"},
        {"olivia", "/api/v1/watchlists"},  {"olivia", "/api/v1/deployments/1/report"},
        {"olivia", "/api/v1/me"},          {"aud", "/api/v1/audit"},         {"aud", "/metrics"},
        {"aud", "/api/v1/alerts"},
    };
    for (int round = 0; round < 2; round++) {
        for (size_t k = 0; k < sizeof reads / sizeof reads[0]; k++) {
            snprintf(cmd, sizeof cmd, "curl -s -b '%s/http/%s.jar' http://127.0.0.1:%d%s > '%s/http/%d-%zu.txt'",
                     root, reads[k][0], port, reads[k][1], root, round, k);
            int rc = system(cmd);
            assert_int_equal(rc, 0);
        }
        sleep(2);
    }
    /* the run's counters reach the store every 5 s: stop it once they hold
     * more than 100 faces, or after 3 minutes (the assertion below then fails) */
    char db[1200];
    snprintf(db, sizeof db, "%s/db/vigil.db", root);
    for (int t = 0; t < 180 && stored_faces(db) <= 100; t++)
        sleep(1);
    assert_int_equal(kill(run_pid, SIGTERM), 0);
    int status = 0;
    assert_int_equal(waitpid(run_pid, &status, 0), run_pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    sleep(1); /* the stream's curl ends with the server */
    {
        size_t n = 0;
        snprintf(path, sizeof path, "%s/http/0-1.txt", root);
        char *cams = read_all(path, &n);
        assert_non_null(cams);
        assert_non_null(strstr(cams, "\"cameras\""));
        free(cams);
    }

    /* it ran: faces were seen and compared, nothing was alerted */
    sqlite3 *h = NULL;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT (SELECT count(*) FROM alert), coalesce(sum(faces), 0), "
                                           "coalesce(sum(comparisons), 0) FROM counters", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    long long alerts = sqlite3_column_int64(st, 0), faces = sqlite3_column_int64(st, 1),
              comparisons = sqlite3_column_int64(st, 2);
    sqlite3_finalize(st);
    sqlite3_close(h);
    fprintf(stderr, "run: %lld faces, %lld comparisons, %lld alerts\n", faces, comparisons, alerts);
    assert_int_equal(alerts, 0);
    assert_true(faces > 100);
    assert_true(comparisons > 0);

    /* the strangers, as the test sees them: every face of every fifth frame */
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -v error -i '%s' -vf 'select=not(mod(n\\,5))' -vsync 0 '%s/f%%03d.png'",
             clip, own);
    assert_int_equal(system(cmd), 0);
    vg_face_config fc = {.min_face = 20};
    vg_face_pack *pack = NULL;
    vg_err err;
    assert_int_equal(vg_face_pack_open(&fc, &pack, &err), VG_OK);
    assert_int_equal(vg_face_pack_dim(pack), DIM);
    strangers s = {0};
    for (int k = 1;; k++) {
        snprintf(path, sizeof path, "%s/f%03d.png", own, k);
        vg_image *img = NULL;
        if (vg_image_decode_file(path, 0, &img, &err) != VG_OK)
            break;
        vg_face *faces_found = NULL;
        int nf = 0;
        assert_int_equal(vg_face_detect(pack, img, &faces_found, &nf, &err), VG_OK);
        for (int i = 0; i < nf; i++) {
            float emb[DIM];
            if (vg_face_embed_face(pack, img, &faces_found[i], emb, &err) == VG_OK)
                add_stranger(&s, emb, &faces_found[i]);
        }
        free(faces_found);
        vg_image_free(img);
        unlink(path);
    }
    rmdir(own);
    vg_face_pack_close(pack);
    fprintf(stderr, "strangers: %d faces embedded from the clip\n", s.n);
    assert_true(s.n > 50);

    /* the scanner fails on what it must find: planted data */
    {
        size_t n = 4096 + 3;
        unsigned char *b = calloc(n, 1);
        assert_non_null(b);
        memcpy(b + 1001, s.emb + (size_t)(s.n / 2) * DIM, DIM * sizeof(float));
        assert_true(has_template(b, n, &s));
        assert_false(has_jpeg(b, n));
        b[7] = 0xff, b[8] = 0xd8, b[9] = 0xff, b[10] = 0xe0;
        assert_true(has_jpeg(b, n));
        free(b);
        char line[256];
        const float *bx = s.box[s.n / 3];
        snprintf(line, sizeof line, "ok\nevent=face camera=crowd x=%.0f y=%.0f w=%.0f h=%.0f\n", bx[0], bx[1],
                 bx[2] - bx[0], bx[3] - bx[1]);
        assert_true(has_box(line, &s));
        snprintf(line, sizeof line, "{\"seq\":12,\"box\":[%.1f,%.1f,%.1f,%.1f],\"hash\":\"3f9a\"}", bx[0], bx[1],
                 bx[2], bx[3]);
        assert_true(has_box(line, &s));
        assert_false(has_box("event=stop frames=105 faces=600 seconds=4.2\n", &s));
    }

    /* the real output: nothing */
    int files = 0, jpegs = 0, templates = 0;
    scan_tree(root, &s, &files, &jpegs, &templates);
    assert_true(files >= 20); /* the database, its key, the logs, the HTTP responses */
    assert_int_equal(jpegs, 0);
    assert_int_equal(templates, 0);
    size_t n = 0;
    char *text = read_all(log, &n);
    assert_non_null(text);
    assert_non_null(strstr(text, "event=calibration"));
    assert_false(has_box(text, &s));
    free(text);
    /* the HTTP responses and the run's JSON lines: no box either */
    static const char *const texts[] = {"log/run.json", "http/stream.txt", "http/0-0.txt", "http/0-1.txt",
                                        "http/0-2.txt", "http/0-4.txt", "http/0-6.txt", "http/0-7.txt",
                                        "http/1-0.txt", "http/1-1.txt", "http/1-4.txt", "http/1-6.txt",
                                        "http/1-7.txt", NULL};
    for (int k = 0; texts[k]; k++) {
        snprintf(path, sizeof path, "%s/%s", root, texts[k]);
        text = read_all(path, &n);
        assert_non_null(text);
        if (has_box(text, &s))
            fail_msg("a stranger's box in %s", texts[k]);
        free(text);
    }
    snprintf(path, sizeof path, "%s/work", root);
    assert_int_equal(count_entries(path), 0);
    snprintf(path, sizeof path, "%s/tmp", root);
    assert_int_equal(count_entries(path), 0);
    free(s.emb);
    free(s.box);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strangers_leave_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
