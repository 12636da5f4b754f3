/* The floor under the realtime benchmark: how long this machine's kernel takes to carry one small message to each
 * of N loopback TCP connections, with writers and a reader that do nothing else (C, write(2) and epoll). There is
 * a writer thread per core, as the server has an event loop per core, each writing to its share of the sockets.
 * The realtime run's fan-out latency is compared with it, as the HTTP scenarios are with `health`.
 *
 * Usage: fanout_floor CONNECTIONS ROUNDS BYTES
 * Prints one line: "floor N ROUNDS p50_ms p99_ms max_ms writer_cpu_ms_per_round reader_cpu_ms_per_round", where a
 * round's time runs from the first write until the reader has every byte of that round.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what) {
    perror(what);
    exit(1);
}

static double cpu_ms(int who) {
    struct rusage r;
    getrusage(who, &r);
    return (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 + (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
}

struct share {
    int *fds, n, step, first, bytes;
    const char *message;
};

/* Writes the message to sockets first, first + step, ... */
static void *write_share(void *arg) {
    struct share *s = arg;
    for (int i = s->first; i < s->n; i += s->step)
        if (write(s->fds[i], s->message, (size_t)s->bytes) != s->bytes) fail("write");
    return NULL;
}

/* Closes with a reset: no TIME_WAIT entries left behind to slow the next run's connection lookups. */
static void reset_all(int *fds, int n) {
    struct linger now = {1, 0};
    for (int i = 0; i < n; i++) {
        setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &now, sizeof now);
        close(fds[i]);
    }
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Reads every socket until each round's bytes have all arrived, then says so on `done`. */
static void reader(int *fds, int n, int rounds, int bytes, int done) {
    int epfd = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fds[i], &ev) < 0) fail("epoll_ctl");
    }
    long expected = (long)n * bytes, received = 0;
    char buf[65536];
    struct epoll_event events[1024];
    for (int round = 0; round < rounds;) {
        int k = epoll_wait(epfd, events, 1024, -1);
        for (int e = 0; e < k; e++) {
            ssize_t got = read(fds[events[e].data.u32], buf, sizeof buf);
            if (got > 0) received += got;
        }
        if (received >= expected) {
            received -= expected;
            round++;
            if (write(done, "r", 1) != 1) fail("write done");
        }
    }
    double cpu = cpu_ms(RUSAGE_SELF);
    if (write(done, &cpu, sizeof cpu) != sizeof cpu) fail("write cpu");
    reset_all(fds, n);
    exit(0);
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s CONNECTIONS ROUNDS BYTES\n", argv[0]);
        return 2;
    }
    int n = atoi(argv[1]), rounds = atoi(argv[2]), bytes = atoi(argv[3]);
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 4096) < 0 ||
        getsockname(listener, (struct sockaddr *)&addr, &len) < 0)
        fail("listen");
    int pipefd[2];
    if (pipe(pipefd) < 0) fail("pipe");
    /* Each side in its own process: 10,000 connections are 20,000 descriptors. */
    pid_t child = fork();
    if (child == 0) {
        close(pipefd[0]);
        int *client = calloc((size_t)n, sizeof *client);
        for (int i = 0; i < n; i++) {
            client[i] = socket(AF_INET, SOCK_STREAM, 0);
            if (client[i] < 0 || connect(client[i], (struct sockaddr *)&addr, sizeof addr) < 0) fail("connect");
        }
        reader(client, n, rounds, bytes, pipefd[1]);
    }
    int *server = calloc((size_t)n, sizeof *server);
    int one = 1;
    for (int i = 0; i < n; i++) {
        server[i] = accept(listener, NULL, NULL);
        if (server[i] < 0) fail("accept");
        setsockopt(server[i], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    close(pipefd[1]);
    char *message = malloc((size_t)bytes);
    memset(message, 'x', (size_t)bytes);
    double *took = calloc((size_t)rounds, sizeof *took);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int writers = cores < 1 ? 1 : cores > 64 ? 64 : (int)cores;
    double cpu_before = cpu_ms(RUSAGE_SELF);
    for (int r = 0; r < rounds; r++) {
        usleep(200 * 1000);
        double started = now();
        pthread_t threads[64];
        struct share shares[64];
        for (int t = 0; t < writers; t++) {
            shares[t] = (struct share){server, n, writers, t, bytes, message};
            if (pthread_create(&threads[t], NULL, write_share, &shares[t]) != 0) fail("pthread_create");
        }
        for (int t = 0; t < writers; t++) pthread_join(threads[t], NULL);
        char c;
        if (read(pipefd[0], &c, 1) != 1) fail("read done");
        took[r] = (now() - started) * 1e3;
    }
    double writer_cpu = cpu_ms(RUSAGE_SELF) - cpu_before, reader_cpu = 0;
    if (read(pipefd[0], &reader_cpu, sizeof reader_cpu) != sizeof reader_cpu) fail("read cpu");
    waitpid(child, NULL, 0);
    reset_all(server, n);
    qsort(took, (size_t)rounds, sizeof *took, compare);
    printf("floor %d %d %.1f %.1f %.1f %.1f %.1f\n", n, rounds, took[rounds / 2], took[(rounds * 99) / 100],
           took[rounds - 1], writer_cpu / rounds, reader_cpu / rounds);
    return 0;
}
