/* json_stderr.c — under --json, stderr speaks JSON too: main() routes file
 * descriptor 2 through a pipe whose reader turns each line into one JSON
 * object on the real stderr. An error, "vigil: MESSAGE", becomes
 * {"error":MESSAGE,"field":"--option"|null}, like the HTTP API's errors
 * (the field is the first --option the message names); a log line
 * (ts=... event=..., logfmt) passes as it is; any other line becomes
 * {"message":LINE}. A usage text printed for an error (a line "usage: ..."
 * and the lines after it, up to the next error or log line or the end) is
 * one object, {"error":FIRST LINE,"field":null,"usage":THE WHOLE TEXT}: one
 * object per error. Done on the descriptor, so that every writer is covered
 * (the subcommands, the library's callbacks, FFmpeg's own messages). */
#include "cli/cli.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The usage text being gathered ("usage: ..." and the lines after it). */
typedef struct usage_block {
    char *text;
    size_t len;
} usage_block;

static void print_json(int fd, json_t *o, const char *as_text)
{
    char *t = o ? vg_cli_json_text(o) : NULL;
    if (t)
        dprintf(fd, "%s\n", t);
    else /* not UTF-8, or out of memory: said as it was */
        dprintf(fd, "%s\n", as_text);
    free(t);
    json_decref(o);
}

static void usage_flush(int fd, usage_block *u)
{
    if (!u->text)
        return;
    while (u->len && u->text[u->len - 1] == '\n') /* the blank lines after it */
        u->text[--u->len] = '\0';
    size_t first = strcspn(u->text, "\n");
    print_json(fd, json_pack("{s:s#,s:n,s:s}", "error", u->text, (int)first, "field", "usage", u->text), u->text);
    free(u->text);
    *u = (usage_block){0};
}

/* 1 when line was taken into the usage text (begun by it, or going on). */
static int usage_take(usage_block *u, const char *line)
{
    int starts = !strncmp(line, "usage: ", 7);
    if (!starts && (!u->text || !strncmp(line, "ts=", 3) || !strncmp(line, "vigil: ", 7)))
        return 0;
    size_t n = strlen(line);
    char *t = realloc(u->text, u->len + n + 2);
    if (!t)
        return 0;
    memcpy(t + u->len, line, n);
    u->len += n;
    t[u->len++] = '\n';
    t[u->len] = '\0';
    u->text = t;
    return 1;
}

static void emit(int fd, usage_block *u, const char *line)
{
    if (!strncmp(line, "usage: ", 7))
        usage_flush(fd, u); /* a second usage text: a second error */
    if (usage_take(u, line))
        return;
    usage_flush(fd, u);
    if (!*line)
        return;
    json_t *o = NULL;
    if (!strncmp(line, "ts=", 3)) {
        dprintf(fd, "%s\n", line);
        return;
    }
    if (!strncmp(line, "vigil: ", 7)) {
        const char *msg = line + 7;
        size_t n = strlen(msg);
        static const char tail[] = " (see --help)";
        if (n >= sizeof tail - 1 && !strcmp(msg + n - (sizeof tail - 1), tail))
            n -= sizeof tail - 1;
        char field[64] = "";
        for (const char *p = msg; (p = strstr(p, "--")) && p < msg + n; p += 2) {
            if ((p == msg || !isalnum((unsigned char)p[-1])) && islower((unsigned char)p[2])) {
                size_t k = 0;
                while (k + 1 < sizeof field && (islower((unsigned char)p[k]) || isdigit((unsigned char)p[k]) ||
                                                p[k] == '-'))
                    field[k] = p[k], k++;
                field[k] = '\0';
                break;
            }
        }
        o = json_pack("{s:s#, s:s?}", "error", msg, (int)n, "field", field[0] ? field : NULL);
    } else {
        o = json_pack("{s:s}", "message", line);
    }
    print_json(fd, o, line);
}

static void *reader(void *arg)
{
    vg_cli_json_stderr *j = arg;
    usage_block u = {0};
    char buf[8192];
    size_t len = 0;
    for (;;) {
        ssize_t n = read(j->pipe_rd, buf + len, sizeof buf - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        buf[len] = '\0';
        char *start = buf, *nl;
        while ((nl = memchr(start, '\n', len - (size_t)(start - buf)))) {
            *nl = '\0';
            emit(j->real_fd, &u, start);
            start = nl + 1;
        }
        len -= (size_t)(start - buf);
        memmove(buf, start, len);
        if (len == sizeof buf - 1) { /* a line longer than the buffer: in pieces */
            buf[len] = '\0';
            emit(j->real_fd, &u, buf);
            len = 0;
        }
    }
    if (len) {
        buf[len] = '\0';
        emit(j->real_fd, &u, buf);
    }
    usage_flush(j->real_fd, &u);
    return NULL;
}

int vg_cli_json_stderr_start(vg_cli_json_stderr *j)
{
    memset(j, 0, sizeof *j);
    int p[2];
    fflush(stderr);
    if (pipe(p) != 0)
        return -1;
    j->real_fd = dup(STDERR_FILENO);
    if (j->real_fd < 0 || dup2(p[1], STDERR_FILENO) < 0) {
        close(p[0]);
        close(p[1]);
        if (j->real_fd >= 0)
            close(j->real_fd);
        return -1;
    }
    close(p[1]);
    j->pipe_rd = p[0];
    /* the reader takes no signal: SIGINT/SIGTERM stay for the thread that
     * waits for them (run, serve), as if the reader were not there */
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    int failed = pthread_create(&j->thread, NULL, reader, j) != 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (failed) {
        dup2(j->real_fd, STDERR_FILENO);
        close(j->real_fd);
        close(j->pipe_rd);
        return -1;
    }
    j->started = 1;
    return 0;
}

void vg_cli_json_stderr_stop(vg_cli_json_stderr *j)
{
    if (!j->started)
        return;
    fflush(stderr);
    /* stderr back to the terminal: the pipe's last writer goes, its reader ends */
    dup2(j->real_fd, STDERR_FILENO);
    pthread_join(j->thread, NULL);
    close(j->pipe_rd);
    close(j->real_fd);
    j->started = 0;
}
