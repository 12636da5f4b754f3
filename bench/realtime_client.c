/* The realtime benchmark's client: holds N WebSocket connections to /api/v1/realtime and records when each
 * `ticket.created` frame arrives on each of them. Written in C on epoll because it shares the machine's cores with
 * the server: a Python client reading 10,000 sockets per event spent as much CPU as the server's fan-out did and
 * was measured along with it.
 *
 * Usage: realtime_client PORT TOKEN CONNECTIONS
 * Prints "ready CONNECTED SECONDS" once every connection has its "ready" frame (or "failed ..." and exits 1),
 * then records until standard input closes, then prints one "arrival NUMBER SECONDS" line per frame received
 * (CLOCK_MONOTONIC seconds, the clock of Python's time.perf_counter on Linux) and "closed N" for connections the
 * server closed meanwhile.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum state { CONNECTING, UPGRADING, AUTHENTICATING, READY, CLOSED };

struct conn {
    int fd;
    enum state state;
    char *buf;        /* bytes received and not yet parsed */
    size_t len, cap;
};

struct arrival {
    int number;
    double at;
};

static struct conn *conns;
static int port, total, ready_count, closed_count, failed_count;
static const char *token;
static struct arrival *arrivals;
static size_t arrival_count, arrival_cap;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    printf("failed %s: %s (ready %d)\n", what, strerror(errno), ready_count);
    fflush(stdout);
    exit(1);
}

static void send_all(int fd, const char *data, size_t len) {
    /* Requests are small and sent right after connect: the socket buffer always has room. */
    while (len > 0) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("send");
        }
        data += n;
        len -= (size_t)n;
    }
}

static void send_upgrade(struct conn *c) {
    char request[256];
    int n = snprintf(request, sizeof request,
                     "GET /api/v1/realtime HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                     "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n", port);
    send_all(c->fd, request, (size_t)n);
    c->state = UPGRADING;
}

/* A client's frames must be masked (RFC 6455 5.3); a zero mask keeps the payload as is. */
static void send_auth(struct conn *c) {
    char payload[4096];
    int len = snprintf(payload, sizeof payload, "{\"type\":\"auth\",\"token\":\"%s\"}", token);
    unsigned char frame[4096 + 16];
    size_t h = 0;
    frame[h++] = 0x81;
    if (len < 126) {
        frame[h++] = 0x80 | (unsigned char)len;
    } else {
        frame[h++] = 0x80 | 126;
        frame[h++] = (unsigned char)(len >> 8);
        frame[h++] = (unsigned char)(len & 0xff);
    }
    memset(frame + h, 0, 4);
    h += 4;
    memcpy(frame + h, payload, (size_t)len);
    send_all(c->fd, (const char *)frame, h + (size_t)len);
    c->state = AUTHENTICATING;
}

static void record(int number, double at) {
    if (arrival_count == arrival_cap) {
        arrival_cap = arrival_cap ? arrival_cap * 2 : 65536;
        arrivals = realloc(arrivals, arrival_cap * sizeof *arrivals);
        if (!arrivals) die("realloc");
    }
    arrivals[arrival_count++] = (struct arrival){number, at};
}

static void on_text(struct conn *c, const char *text, size_t len, double at) {
    if (c->state == AUTHENTICATING) {
        if (memmem(text, len, "\"ready\"", 7)) {
            c->state = READY;
            ready_count++;
        }
        return;
    }
    if (!memmem(text, len, "\"ticket.created\"", 16)) return;
    const char *key = memmem(text, len, "\"ticket_number\":", 16);
    if (!key) return;
    record(atoi(key + 16), at);
}

static void close_conn(struct conn *c) {
    if (c->state == CLOSED) return;
    if (c->state == READY) closed_count++;
    else failed_count++;
    close(c->fd);
    c->state = CLOSED;
}

/* Parses every complete frame in the buffer; keeps a partial one for the next read. */
static void parse(struct conn *c, double at) {
    size_t pos = 0;
    if (c->state == UPGRADING) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end) return;
        if (c->len < 12 || memcmp(c->buf + 9, "101", 3) != 0) {
            fprintf(stderr, "upgrade refused: %.*s\n", (int)(end - c->buf), c->buf);
            close_conn(c);
            return;
        }
        pos = (size_t)(end - c->buf) + 4;
        send_auth(c);
    }
    while (c->len - pos >= 2) {
        unsigned char *p = (unsigned char *)c->buf + pos;
        int opcode = p[0] & 0x0f;
        uint64_t payload = p[1] & 0x7f;
        size_t header = 2;
        if (payload == 126) {
            if (c->len - pos < 4) break;
            payload = ((uint64_t)p[2] << 8) | p[3];
            header = 4;
        } else if (payload == 127) {
            if (c->len - pos < 10) break;
            payload = 0;
            for (int i = 0; i < 8; i++) payload = (payload << 8) | p[2 + i];
            header = 10;
        }
        if (c->len - pos < header + payload) break;
        const char *body = (const char *)p + header;
        if (opcode == 0x1) {
            on_text(c, body, (size_t)payload, at);
        } else if (opcode == 0x8) {
            close_conn(c);
            return;
        } else if (opcode == 0x9) {
            unsigned char pong[2 + 4 + 125];
            size_t n = payload > 125 ? 125 : (size_t)payload;
            pong[0] = 0x8a;
            pong[1] = 0x80 | (unsigned char)n;
            memset(pong + 2, 0, 4);
            memcpy(pong + 6, body, n);
            send_all(c->fd, (const char *)pong, 6 + n);
        }
        pos += header + payload;
    }
    memmove(c->buf, c->buf + pos, c->len - pos);
    c->len -= pos;
}

static void on_readable(struct conn *c) {
    for (;;) {
        if (c->cap - c->len < 4096) {
            c->cap = c->cap ? c->cap * 2 : 8192;
            c->buf = realloc(c->buf, c->cap);
            if (!c->buf) die("realloc");
        }
        ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
        if (n > 0) {
            c->len += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
        close_conn(c);  /* EOF or error */
        return;
    }
    parse(c, now());
}

static void open_conn(int epfd, int i) {
    struct conn *c = &conns[i];
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) < 0 && errno != EINPROGRESS) die("connect");
    c->state = CONNECTING;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) die("epoll_ctl");
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s PORT TOKEN CONNECTIONS\n", argv[0]);
        return 2;
    }
    port = atoi(argv[1]);
    token = argv[2];
    total = atoi(argv[3]);
    if (strlen(token) > 3000 || total <= 0) {
        fprintf(stderr, "realtime_client: token too long or no connections\n");
        return 2;
    }
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    conns = calloc((size_t)total, sizeof *conns);
    int epfd = epoll_create1(0);
    if (!conns || epfd < 0) die("setup");

    /* Connect in waves so that every socket sends its token well within the server's 10 s. */
    const int wave = 500;
    int opened = 0;
    double started = now();
    struct epoll_event events[1024];
    while (ready_count + failed_count + closed_count < total) {
        while (opened < total && opened - ready_count - failed_count - closed_count < wave) open_conn(epfd, opened++);
        int n = epoll_wait(epfd, events, 1024, 1000);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int k = 0; k < n; k++) {
            struct conn *c = &conns[events[k].data.u32];
            if (c->state == CONNECTING && (events[k].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                if (err) {
                    errno = err;
                    die("connect");
                }
                struct epoll_event ev = {.events = EPOLLIN, .data.u32 = events[k].data.u32};
                epoll_ctl(epfd, EPOLL_CTL_MOD, c->fd, &ev);
                send_upgrade(c);
            }
            if (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_readable(c);
        }
        if (now() - started > 600) {
            errno = ETIMEDOUT;
            die("connecting");
        }
    }
    if (failed_count || closed_count) {
        printf("failed %d connections refused or closed before ready (ready %d)\n", failed_count + closed_count,
               ready_count);
        return 1;
    }
    printf("ready %d %.2f\n", ready_count, now() - started);
    fflush(stdout);

    /* Record until the caller closes standard input. */
    struct epoll_event in = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, 0, &in) < 0) die("epoll_ctl stdin");
    for (int done = 0; !done;) {
        int n = epoll_wait(epfd, events, 1024, -1);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int k = 0; k < n; k++) {
            if (events[k].data.u32 == UINT32_MAX) {
                char scratch[64];
                if (read(0, scratch, sizeof scratch) <= 0) done = 1;
                continue;
            }
            on_readable(&conns[events[k].data.u32]);
        }
    }
    /* Reset rather than close: no TIME_WAIT entries left to slow the next run's connection lookups. */
    struct linger reset = {1, 0};
    for (int i = 0; i < total; i++) {
        if (conns[i].state == CLOSED) continue;
        setsockopt(conns[i].fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
        close(conns[i].fd);
    }
    for (size_t i = 0; i < arrival_count; i++) printf("arrival %d %.6f\n", arrivals[i].number, arrivals[i].at);
    printf("closed %d\n", closed_count);
    return 0;
}
