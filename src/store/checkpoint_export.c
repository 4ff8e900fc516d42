/* checkpoint_export.c — a signed checkpoint written where the database's
 * writer cannot take it back: appended to a file (never rewritten: O_APPEND,
 * synced before returning), and sent to a syslog collector as an RFC 5424
 * message over UDP (RFC 5426), the form a SIEM collects:
 *
 *   <109>1 2026-12-07T16:55:00Z HOST vigil PID checkpoint - vigil-checkpoint v1 seq=...
 *
 * (PRI 109 = facility 13, "log audit", times 8, plus severity 5, notice.)
 * UDP is fire-and-forget: keep the file too, or a collector on the same
 * host; a checkpoint that did not arrive leaves only a longer stretch of the
 * chain covered by the next one. */
#include "store/checkpoint_export.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

vg_status vg_checkpoint_export_file(const char *path, const char *line, vg_err *err)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return vg_err_set(err, VG_ERR_IO, "checkpoint file %s: cannot open it: %s", path,
                          strerror(errno));
    char buf[VG_CHECKPOINT_LINE_MAX + 2];
    int n = snprintf(buf, sizeof buf, "%s\n", line);
    ssize_t w = write(fd, buf, (size_t)n);
    int e = errno;
    int synced = w == n && fsync(fd) == 0;
    if (w == n && !synced)
        e = errno;
    close(fd);
    if (w != n || !synced)
        return vg_err_set(err, VG_ERR_IO, "checkpoint file %s: cannot append to it: %s", path,
                          w >= 0 && w != n ? "short write" : strerror(e));
    return VG_OK;
}

/* host and port of "udp://HOST:PORT" (IPv6 host without its brackets). */
static vg_status parse_target(const char *target, char *host, size_t hcap, char *port, size_t pcap,
                              vg_err *err)
{
    CURLU *u = curl_url();
    if (!u)
        return vg_err_set(err, VG_ERR_NOMEM, "out of memory parsing the syslog target");
    char *scheme = NULL, *h = NULL, *p = NULL, *path = NULL;
    vg_status st = VG_OK;
    if (curl_url_set(u, CURLUPART_URL, target, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK || strcmp(scheme, "udp") != 0 ||
        curl_url_get(u, CURLUPART_HOST, &h, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &p, 0) != CURLUE_OK ||
        (curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK && strcmp(path, "/") != 0))
        st = vg_err_set(err, VG_ERR_INVALID,
                        "syslog target \"%s\" is not of the form udp://HOST:PORT", target);
    if (st == VG_OK) {
        size_t hl = strlen(h);
        if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']')
            snprintf(host, hcap, "%.*s", (int)(hl - 2), h + 1);
        else
            snprintf(host, hcap, "%s", h);
        snprintf(port, pcap, "%s", p);
    }
    curl_free(scheme);
    curl_free(h);
    curl_free(p);
    curl_free(path);
    curl_url_cleanup(u);
    return st;
}

vg_status vg_checkpoint_syslog_target_check(const char *target, vg_err *err)
{
    char host[256], port[16];
    return parse_target(target, host, sizeof host, port, sizeof port, err);
}

vg_status vg_checkpoint_export_syslog(const char *target, const vg_checkpoint *c, const char *line,
                                      vg_err *err)
{
    char host[256], port[16];
    vg_status st = parse_target(target, host, sizeof host, port, sizeof port, err);
    if (st != VG_OK)
        return st;
    char hostname[256] = "-", ts[32];
    if (gethostname(hostname, sizeof hostname) != 0 || !hostname[0])
        snprintf(hostname, sizeof hostname, "-");
    hostname[sizeof hostname - 1] = '\0';
    for (char *q = hostname; *q; q++) /* PRINTUSASCII without space */
        if (*q <= ' ' || *q > '~')
            *q = '-';
    time_t t = (time_t)c->time;
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm))
        snprintf(ts, sizeof ts, "-");
    char msg[VG_CHECKPOINT_LINE_MAX + 400];
    int n = snprintf(msg, sizeof msg, "<109>1 %s %.255s vigil %ld checkpoint - %s", ts, hostname,
                     (long)getpid(), line);

    struct addrinfo hints = {.ai_socktype = SOCK_DGRAM}, *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0)
        return vg_err_set(err, VG_ERR_IO, "syslog target %s: %s", target, gai_strerror(gai));
    st = vg_err_set(err, VG_ERR_IO, "syslog target %s: no address to send to", target);
    for (struct addrinfo *a = res; a; a = a->ai_next) {
        int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        ssize_t w = sendto(fd, msg, (size_t)n, 0, a->ai_addr, a->ai_addrlen);
        int e = errno;
        close(fd);
        if (w == n) {
            st = VG_OK;
            if (err)
                err->msg[0] = '\0';
            break;
        }
        st = vg_err_set(err, VG_ERR_IO, "syslog target %s: cannot send: %s", target, strerror(e));
    }
    freeaddrinfo(res);
    return st;
}
