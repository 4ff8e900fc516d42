/* fuzz_http_head.c — libFuzzer target for the HTTP request head (request
 * line: method and target; the header fields) through the real server: one
 * vg_server (libmicrohttpd and vigil's head checks, routing, auth, body
 * limits) on 127.0.0.1 over a throw-away SQLite store with one user, started
 * once. Each input is sent as the head of a request on a new connection
 * (the blank line that ends a head is added), the client's side then shut
 * for writing, and whatever comes back is read until the server closes.
 * The server must never crash, leak or hang (the head deadline cuts a head
 * that never ends), and anything it answers must be an HTTP/1.x status
 * line that carries the security headers when it is vigil's own answer. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vigil/server.h"
#include "vigil/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vg_store *store;
static vg_server *srv;
static int port;

static void start(void)
{
    char dir[] = "/tmp/vigil-fuzz-head-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    char db[128];
    snprintf(db, sizeof db, "%s/vigil.db", dir);
    vg_store_options o = {.path = db};
    vg_err err = {{0}};
    if (vg_store_open(&o, &store, &err) != VG_OK ||
        vg_store_user_add(store, "fuzz", "olivia", "operator", "a long password", &err) != VG_OK) {
        fprintf(stderr, "fuzz_http_head: %s\n", err.msg);
        abort();
    }
    vg_server_config cfg = {.listen = "127.0.0.1:0", .head_timeout_s = 1.0, .per_address_max = 1000};
    if (vg_server_start(&cfg, store, &srv, &err) != VG_OK) {
        fprintf(stderr, "fuzz_http_head: %s\n", err.msg);
        abort();
    }
    port = vg_server_port(srv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!srv)
        start();
    if (size > 16384)
        return 0;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        abort();
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
        abort();
    /* a failed send is the server closing early: fine */
    if (send(fd, data, size, MSG_NOSIGNAL) == (ssize_t)size)
        (void)send(fd, "\r\n\r\n", 4, MSG_NOSIGNAL);
    shutdown(fd, SHUT_WR);
    char buf[8192];
    size_t len = 0;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int r = poll(&p, 1, 5000); /* the head deadline is 1 s, the idle timeout 30 s */
        if (r == 0) {
            fprintf(stderr, "fuzz_http_head: the server neither answered nor closed within 5 s\n");
            abort();
        }
        /* the first bytes are kept (the status line and headers are
         * checked); the rest of a long answer is read and dropped */
        char drain[4096];
        int full = len == sizeof buf - 1;
        ssize_t n = full ? recv(fd, drain, sizeof drain, 0) : recv(fd, buf + len, sizeof buf - 1 - len, 0);
        if (n <= 0)
            break;
        if (!full)
            len += (size_t)n;
    }
    close(fd);
    buf[len] = '\0';
    if (len >= 12 && strncmp(buf, "HTTP/1.", 7) != 0 && strncmp(buf, "HTTP/", 5) != 0)
        abort();
    /* vigil's JSON answers carry the security headers */
    if (len > 0 && strstr(buf, "Content-Type: application/json") && !strstr(buf, "X-Content-Type-Options: nosniff"))
        abort();
    return 0;
}
