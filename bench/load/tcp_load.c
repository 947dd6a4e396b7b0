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

int main(int argc, char **argv) {
  if (argc >= 6 && strcmp(argv[1], "pingpong") == 0) {
    return pingpong(atoi(argv[2]), atoi(argv[3]), atol(argv[4]), atoi(argv[5]));
  }
  if (argc >= 4 && strcmp(argv[1], "bulk") == 0) return bulk(atoi(argv[2]), atoll(argv[3]));
  fprintf(stderr, "usage: tcp_load pingpong PORT CONNECTIONS ROUNDS SIZE | bulk PORT BYTES\n");
  return 1;
}
