/* video_fixtures.h — what the video tests share: clips made with the ffmpeg
 * command in a temporary directory, a log callback that keeps every line,
 * child processes (an ffmpeg serving a clip on loopback), and counts of this
 * process's open files and resident memory. */
#ifndef VG_VIDEO_FIXTURES_H
#define VG_VIDEO_FIXTURES_H

#include "vg_test.h"
#include "vigil/video.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static inline double vt_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline void vt_sleep(double s)
{
    struct timespec ts = {(time_t)s, (long)((s - (double)(time_t)s) * 1e9)};
    nanosleep(&ts, NULL);
}

/* What a test that fails half-way leaves behind (cmocka leaves the test
 * function at the failed assertion): child processes and temporary
 * directories, killed and removed by vt_teardown. */
#define VT_MAX_LEFT 16
static pid_t vt_left_pids[VT_MAX_LEFT];
static char vt_left_dirs[VT_MAX_LEFT][64];

static inline void vt_left_pid(pid_t pid, int add)
{
    for (int i = 0; i < VT_MAX_LEFT; i++) {
        if (add && vt_left_pids[i] == 0) {
            vt_left_pids[i] = pid;
            return;
        }
        if (!add && vt_left_pids[i] == pid) {
            vt_left_pids[i] = 0;
            return;
        }
    }
}

static inline void vt_left_dir(const char *path, int add)
{
    for (int i = 0; i < VT_MAX_LEFT; i++) {
        if (add && vt_left_dirs[i][0] == '\0') {
            snprintf(vt_left_dirs[i], sizeof vt_left_dirs[i], "%s", path);
            return;
        }
        if (!add && strcmp(vt_left_dirs[i], path) == 0) {
            vt_left_dirs[i][0] = '\0';
            return;
        }
    }
}

/* --- a temporary directory -------------------------------------------------- */

typedef struct vt_dir {
    char path[64];
} vt_dir;

static inline void vt_dir_make(vt_dir *d)
{
    snprintf(d->path, sizeof d->path, "/tmp/vigil-video-XXXXXX");
    assert_non_null(mkdtemp(d->path));
    vt_left_dir(d->path, 1);
}

static inline void vt_rmtree(const char *path)
{
    DIR *dir = opendir(path);
    if (!dir)
        return;
    struct dirent *e;
    char p[512];
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(p, sizeof p, "%s/%s", path, e->d_name);
        unlink(p);
    }
    closedir(dir);
    rmdir(path);
}

static inline void vt_dir_remove(vt_dir *d)
{
    vt_rmtree(d->path);
    vt_left_dir(d->path, 0);
}

static inline const char *vt_path(const vt_dir *d, const char *name, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", d->path, name);
    return buf;
}

/* --- child processes ----------------------------------------------------- */

/* Starts argv[0] (searched in PATH) with stdin, stdout and stderr on
 * /dev/null; returns its pid. */
static inline pid_t vt_spawn(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = -1;
    int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    assert_int_equal(r, 0);
    vt_left_pid(pid, 1);
    return pid;
}

static inline int vt_wait(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    vt_left_pid(pid, 0);
    return status;
}

static inline void vt_kill9(pid_t pid)
{
    kill(pid, SIGKILL);
    vt_wait(pid);
}

/* Runs a command to completion; its exit status (0: success). */
static inline int vt_run(char *const argv[])
{
    int status = vt_wait(vt_spawn(argv));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* ffmpeg -f lavfi -i SRC -t SECONDS [extra...] OUT: a synthetic clip. */
static inline void vt_make_clip(const char *lavfi, const char *seconds, const char *codec,
                                const char *out)
{
    char *argv[] = {"ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    (char *)lavfi, "-t", (char *)seconds, "-pix_fmt", "yuv420p", "-c:v",
                    (char *)codec, (char *)out, NULL};
    assert_int_equal(vt_run(argv), 0);
}

/* A free TCP port on 127.0.0.1 (bound to 0, read, released). */
static inline int vt_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t n = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &n), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* cmocka teardown: kills the children and removes the directories a failed
 * test left. */
static inline int vt_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < VT_MAX_LEFT; i++) {
        if (vt_left_pids[i] > 0) {
            kill(vt_left_pids[i], SIGKILL);
            vt_wait(vt_left_pids[i]);
        }
        if (vt_left_dirs[i][0]) {
            vt_rmtree(vt_left_dirs[i]);
            vt_left_dirs[i][0] = '\0';
        }
    }
    return 0;
}

/* --- this process ---------------------------------------------------------- */

static inline int vt_open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory itself */
}

static inline long vt_rss_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    assert_non_null(f);
    long size = 0, resident = 0;
    assert_int_equal(fscanf(f, "%ld %ld", &size, &resident), 2);
    fclose(f);
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* --- a log callback that keeps every line ------------------------------------ */

typedef struct vt_log {
    pthread_mutex_t mu;
    char **lines;
    int n, cap;
} vt_log;

static inline void vt_log_init(vt_log *l)
{
    memset(l, 0, sizeof *l);
    pthread_mutex_init(&l->mu, NULL);
}

static inline void vt_log_fn(void *ctx, const char *line)
{
    vt_log *l = ctx;
    pthread_mutex_lock(&l->mu);
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->lines = realloc(l->lines, (size_t)l->cap * sizeof *l->lines);
        assert_non_null(l->lines);
    }
    l->lines[l->n++] = strdup(line);
    pthread_mutex_unlock(&l->mu);
}

/* Lines holding needle. */
static inline int vt_log_count(vt_log *l, const char *needle)
{
    pthread_mutex_lock(&l->mu);
    int c = 0;
    for (int i = 0; i < l->n; i++)
        if (strstr(l->lines[i], needle))
            c++;
    pthread_mutex_unlock(&l->mu);
    return c;
}

static inline void vt_log_print(vt_log *l, int last)
{
    pthread_mutex_lock(&l->mu);
    for (int i = l->n > last ? l->n - last : 0; i < l->n; i++)
        fprintf(stderr, "  log: %s\n", l->lines[i]);
    pthread_mutex_unlock(&l->mu);
}

static inline void vt_log_free(vt_log *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->lines[i]);
    free(l->lines);
    pthread_mutex_destroy(&l->mu);
}

#endif
