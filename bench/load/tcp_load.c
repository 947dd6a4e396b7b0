/*
 * A small epoll load client for the socket benchmarks, so that the servers,
 * not the client, are the bottleneck (a JavaScript client costs as much per
 * message as the server it measures). Loopback only.
 *
 *   tcp_load pingpong PORT CONNECTIONS ROUNDS SIZE
 *     every connection sends SIZE bytes and waits for them to come back,
 *     ROUNDS times; prints "round_trips seconds".
 *   tcp_load bulk PORT BYTES
 *     one connection sends BYTES and reads the echo at the same time;
 *     prints "bytes seconds".
 *   tcp_load http PORT CONNECTIONS SECONDS DEPTH
 *     every connection sends DEPTH keep-alive "GET /" requests at once
 *     (HTTP/1.1 pipelining) and sends again when all DEPTH responses are in,
 *     for SECONDS; prints "responses seconds p50_ms p99_ms", the latencies
 *     of the batches (of single requests at DEPTH 1). The server's answer must be
 *     the same size every time (a fixed body; `Date` has a fixed length):
 *     the size is learned from one request first, and each response that
 *     starts inside a read is checked to start with "HTTP/1.1 200", so a
 *     response of another size or status stops the run. Much cheaper per
 *     request than wrk, which parses every response: on a machine whose
 *     cores the client shares with the servers, the servers get them.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("connect");
    exit(2);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

struct conn {
  int fd;
  long rounds;
  long got;
};

static int pingpong(int port, int count, long rounds, int size) {
  struct conn *conns = calloc(count, sizeof *conns);
  char *message = malloc(size), *reply = malloc(size);
  memset(message, 42, size);
  int ep = epoll_create1(0);
  for (int i = 0; i < count; i++) {
    conns[i].fd = dial(port);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
    epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
  }
  double start = now();
  for (int i = 0; i < count; i++) {
    if (write(conns[i].fd, message, size) != size) { perror("write"); return 2; }
  }
  long done = 0, total = (long)count * rounds;
  struct epoll_event events[256];
  while (done < total) {
    int n = epoll_wait(ep, events, 256, 10000);
    if (n <= 0) { fprintf(stderr, "timeout\n"); return 3; }
    for (int e = 0; e < n; e++) {
      struct conn *c = events[e].data.ptr;
      ssize_t r = read(c->fd, reply, size - c->got);
      if (r <= 0) { fprintf(stderr, "server closed\n"); return 4; }
      c->got += r;
      if (c->got < size) continue;
      c->got = 0;
      done++;
      if (++c->rounds < rounds && write(c->fd, message, size) != size) { perror("write"); return 2; }
    }
  }
  double elapsed = now() - start;
  printf("%ld %.6f\n", total, elapsed);
  for (int i = 0; i < count; i++) close(conns[i].fd);
  return 0;
}

static int bulk(int port, long long bytes) {
  int fd = dial(port);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT, .data.fd = fd};
  epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
  static char out[262144], in[262144];
  memset(out, 1, sizeof out);
  long long sent = 0, received = 0;
  double start = now();
  while (received < bytes) {
    struct epoll_event events[2];
    int n = epoll_wait(ep, events, 2, 10000);
    if (n <= 0) { fprintf(stderr, "timeout\n"); return 3; }
    if ((events[0].events & EPOLLOUT) && sent < bytes) {
      long long want = bytes - sent < (long long)sizeof out ? bytes - sent : (long long)sizeof out;
      ssize_t w = write(fd, out, want);
      if (w > 0) sent += w;
      if (sent == bytes) {
        ev.events = EPOLLIN;
        epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
      }
    }
    if (events[0].events & EPOLLIN) {
      ssize_t r = read(fd, in, sizeof in);
      if (r == 0) { fprintf(stderr, "server closed\n"); return 4; }
      if (r > 0) received += r;
    }
  }
  printf("%lld %.6f\n", received, now() - start);
  close(fd);
  return 0;
}

static const char REQUEST[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
static const char STATUS[] = "HTTP/1.1 200";

/* One request, to learn the size of the server's answer (head and body). */
static long response_size(int port) {
  int fd = dial(port);
  if (write(fd, REQUEST, sizeof REQUEST - 1) != (ssize_t)(sizeof REQUEST - 1)) return -1;
  char head[16384];
  size_t got = 0;
  char *end = NULL;
  while (end == NULL && got < sizeof head - 1) {
    ssize_t r = read(fd, head + got, sizeof head - 1 - got);
    if (r <= 0) return -1;
    got += r;
    head[got] = 0;
    end = strstr(head, "\r\n\r\n");
  }
  close(fd);
  if (end == NULL || strncmp(head, STATUS, sizeof STATUS - 1) != 0) return -1;
  char *length = strcasestr(head, "\r\ncontent-length:");
  if (length == NULL || length > end) return -1;
  return (end + 4 - head) + atol(length + 17);
}

struct http_conn {
  int fd;
  long offset; /* bytes of the current response read so far */
  int left;    /* responses of the current batch still to come */
  double sent; /* when the current batch was written */
};

/* Batch latencies in 10 µs buckets up to 1 s (the last bucket holds the rest). */
#define BUCKETS 100000
static long latencies[BUCKETS];

static void record(double seconds) {
  long bucket = (long)(seconds * 1e5);
  latencies[bucket < BUCKETS ? bucket : BUCKETS - 1]++;
}

static double percentile(long total, double p) {
  long want = (long)(total * p), seen = 0;
  for (long i = 0; i < BUCKETS; i++) {
    seen += latencies[i];
    if (seen > want) return i / 100.0;
  }
  return BUCKETS / 100.0;
}

static int http(int port, int count, double seconds, int depth) {
  long size = response_size(port);
  if (size <= 0) { fprintf(stderr, "cannot learn the response size\n"); return 5; }
  size_t batch_length = (sizeof REQUEST - 1) * depth;
  char *batch = malloc(batch_length);
  for (int i = 0; i < depth; i++) memcpy(batch + i * (sizeof REQUEST - 1), REQUEST, sizeof REQUEST - 1);
  struct http_conn *conns = calloc(count, sizeof *conns);
  int ep = epoll_create1(0);
  for (int i = 0; i < count; i++) {
    conns[i].fd = dial(port);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &conns[i]};
    epoll_ctl(ep, EPOLL_CTL_ADD, conns[i].fd, &ev);
  }
  static char in[262144];
  double start = now(), end = start + seconds;
  for (int i = 0; i < count; i++) {
    if (write(conns[i].fd, batch, batch_length) != (ssize_t)batch_length) { perror("write"); return 2; }
    conns[i].left = depth;
    conns[i].sent = now();
  }
  long done = 0, batches = 0;
  int active = count;
  struct epoll_event events[256];
  while (active > 0) {
    int n = epoll_wait(ep, events, 256, 10000);
    if (n <= 0) { fprintf(stderr, "timeout\n"); return 3; }
    for (int e = 0; e < n; e++) {
      struct http_conn *c = events[e].data.ptr;
      ssize_t r = read(c->fd, in, sizeof in);
      if (r <= 0) { fprintf(stderr, "server closed\n"); return 4; }
      for (ssize_t at = 0; at < r;) {
        if (c->left == 0) { fprintf(stderr, "more bytes than responses\n"); return 6; }
        if (c->offset == 0 && r - at >= (ssize_t)sizeof STATUS - 1 &&
            memcmp(in + at, STATUS, sizeof STATUS - 1) != 0) {
          fprintf(stderr, "a response of another size or status\n");
          return 6;
        }
        long take = size - c->offset < r - at ? size - c->offset : r - at;
        c->offset += take;
        at += take;
        if (c->offset < size) continue;
        c->offset = 0;
        done++;
        if (--c->left > 0) continue;
        double at_end = now();
        record(at_end - c->sent);
        batches++;
        if (at_end < end) {
          if (write(c->fd, batch, batch_length) != (ssize_t)batch_length) { perror("write"); return 2; }
          c->left = depth;
          c->sent = at_end;
        } else {
          active--;
        }
      }
    }
  }
  printf("%ld %.6f %.2f %.2f\n", done, now() - start, percentile(batches, 0.5),
         percentile(batches, 0.99));
  for (int i = 0; i < count; i++) close(conns[i].fd);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 6 && strcmp(argv[1], "http") == 0) {
    return http(atoi(argv[2]), atoi(argv[3]), atof(argv[4]), atoi(argv[5]));
  }
  if (argc >= 6 && strcmp(argv[1], "pingpong") == 0) {
    return pingpong(atoi(argv[2]), atoi(argv[3]), atol(argv[4]), atoi(argv[5]));
  }
  if (argc >= 4 && strcmp(argv[1], "bulk") == 0) return bulk(atoi(argv[2]), atoll(argv[3]));
  fprintf(stderr, "usage: tcp_load pingpong PORT CONNECTIONS ROUNDS SIZE | bulk PORT BYTES | "
                  "http PORT CONNECTIONS SECONDS DEPTH\n");
  return 1;
}
