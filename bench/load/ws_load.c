/*
 * An epoll WebSocket load client for the WebSocket benchmarks, so that the
 * servers, not the client, are the bottleneck (a JavaScript client costs as
 * much per message as the server it measures). Loopback only; every run is
 * bounded in messages and in time, and exits by itself.
 *
 *   ws_load client PORT CONNECTIONS SIZE MESSAGES SECONDS [binary|text|utf8] [PATH]
 *     opens CONNECTIONS connections, upgrades each one (checks the 101 status
 *     and the Sec-WebSocket-Accept value), then every connection sends one
 *     masked message of SIZE bytes and waits for the whole echo (checked byte
 *     for byte) before it sends the next, MESSAGES times or until SECONDS have
 *     passed, whichever comes first; then it sends a close frame and waits
 *     (at most 3 s) for the server's. `text` sends ASCII text, `utf8` text with
 *     two-, three- and four-byte characters (both exercise the server's UTF-8
 *     validation), `binary` (the default) every byte value. Prints one JSON
 *     line: messages, seconds, msgPerSec, bytesPerSec (payload, one way).
 *
 *   ws_load serve [PORT]
 *     a small single-threaded WebSocket server, for the client benchmarks:
 *     prints its port, then serves until stdin closes. The request path picks
 *     the behaviour: `/sink?n=N` discards data messages and sends the text
 *     message "N" after every N of them; `/push?n=N&s=S[&text=1]` answers
 *     every data message with N messages of S bytes (ASCII text or binary);
 *     anything else echoes every frame as it arrives. Close frames are
 *     answered, pings ponged.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define KEY "dGhlIHNhbXBsZSBub25jZQ=="
#define ACCEPT "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
#define IDLE_MS 10000

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what) {
  fprintf(stderr, "ws_load: %s\n", what);
  exit(2);
}

static void nonblocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static void nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

/* XORs len bytes with the 4-byte mask, starting at mask position offset % 4, a word at a time. */
static void xor_mask(unsigned char *dst, const unsigned char *src, size_t len, const unsigned char key[4],
                     uint64_t offset) {
  unsigned char rotated[8];
  for (int i = 0; i < 8; i++) rotated[i] = key[(offset + i) & 3];
  uint64_t word;
  memcpy(&word, rotated, 8);
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    uint64_t chunk;
    memcpy(&chunk, src + i, 8);
    chunk ^= word;
    memcpy(dst + i, &chunk, 8);
  }
  for (; i < len; i++) dst[i] = src[i] ^ rotated[i & 7];
}

/* Writes a frame header into out (at most 14 bytes) and returns its length. */
static size_t frame_header(unsigned char *out, int opcode, int fin, uint64_t length, const unsigned char *key) {
  size_t n = 0;
  out[n++] = (fin ? 0x80 : 0) | opcode;
  unsigned char masked = key ? 0x80 : 0;
  if (length < 126) {
    out[n++] = masked | length;
  } else if (length < 65536) {
    out[n++] = masked | 126;
    out[n++] = length >> 8;
    out[n++] = length;
  } else {
    out[n++] = masked | 127;
    for (int i = 7; i >= 0; i--) out[n++] = length >> (8 * i);
  }
  if (key) {
    memcpy(out + n, key, 4);
    n += 4;
  }
  return n;
}

/* Incremental frame header parser shared by client and server. */
struct frame {
  unsigned char header[14];
  int have, need;      /* header bytes collected / needed so far */
  int opcode, fin, masked;
  unsigned char key[4];
  uint64_t length, left; /* payload length, payload bytes still to come */
  uint64_t done;         /* payload bytes of this frame seen so far */
};

static void frame_reset(struct frame *f) {
  f->have = 0;
  f->need = 2;
}

/* Feeds header bytes; returns bytes used, and sets *complete when the header is complete. */
static size_t frame_feed_header(struct frame *f, const unsigned char *p, size_t n, int *complete) {
  size_t used = 0;
  *complete = 0;
  while (used < n) {
    size_t take = f->need - f->have;
    if (take > n - used) take = n - used;
    memcpy(f->header + f->have, p + used, take);
    f->have += take;
    used += take;
    if (f->have < f->need) break;
    if (f->need == 2) {
      int masked = f->header[1] & 0x80, short_length = f->header[1] & 0x7f;
      int need = 2 + (short_length == 126 ? 2 : short_length == 127 ? 8 : 0) + (masked ? 4 : 0);
      if (need > 2) {
        f->need = need;
        continue;
      }
    }
    const unsigned char *h = f->header;
    f->fin = h[0] >> 7;
    f->opcode = h[0] & 15;
    if (h[0] & 0x70) die("reserved bits set in a frame");
    f->masked = h[1] >> 7;
    int short_length = h[1] & 0x7f, at = 2;
    if (short_length == 126) {
      f->length = (h[2] << 8) | h[3];
      at = 4;
    } else if (short_length == 127) {
      f->length = 0;
      for (int i = 0; i < 8; i++) f->length = (f->length << 8) | h[2 + i];
      at = 10;
    } else {
      f->length = short_length;
    }
    if (f->masked) memcpy(f->key, h + at, 4);
    f->left = f->length;
    f->done = 0;
    *complete = 1;
    break;
  }
  return used;
}

/* ------------------------------------------------------------------------------------------ */
/* Client                                                                                     */
/* ------------------------------------------------------------------------------------------ */

enum { HANDSHAKE, OPEN, FINISHED, CLOSING, CLOSED };

struct conn {
  int fd, state, watching_out;
  char head[2048];
  int head_length;
  const unsigned char *out;
  size_t out_length, out_offset;
  struct frame frame;
  uint64_t message_offset; /* bytes of the current message received */
  int message_opcode;
  long received;
};

static unsigned char *payload, *message_frame, close_frame[8];
static size_t message_frame_length;
static long message_size, messages_per_conn, total_received, finished;
static double deadline;
static int expected_opcode, epoll_fd;

static void fill_payload(const char *mode) {
  payload = malloc(message_size + 1);
  if (strcmp(mode, "utf8") == 0) {
    /* é (2 bytes), € (3), 😀 (4), then ASCII; pad the tail with ASCII. */
    static const char piece[] = "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 world ";
    size_t piece_length = sizeof piece - 1;
    long i = 0;
    while (i + (long)piece_length <= message_size) {
      memcpy(payload + i, piece, piece_length);
      i += piece_length;
    }
    for (; i < message_size; i++) payload[i] = 'a' + i % 26;
  } else if (strcmp(mode, "text") == 0) {
    for (long i = 0; i < message_size; i++) payload[i] = 'a' + i % 26;
  } else {
    for (long i = 0; i < message_size; i++) payload[i] = (i * 7 + 3) & 0xff;
  }
}

static void build_frames(void) {
  const unsigned char key[4] = {0x37, 0xfa, 0x21, 0x3d};
  message_frame = malloc(message_size + 14);
  size_t n = frame_header(message_frame, expected_opcode, 1, message_size, key);
  xor_mask(message_frame + n, payload, message_size, key, 0);
  message_frame_length = n + message_size;
  const unsigned char close_payload[2] = {1000 >> 8, 1000 & 0xff};
  n = frame_header(close_frame, 8, 1, 2, key);
  xor_mask(close_frame + n, close_payload, 2, key, 0);
}

static void watch(struct conn *c, int out) {
  if (c->watching_out == out) return;
  struct epoll_event ev = {.events = EPOLLIN | (out ? EPOLLOUT : 0), .data.ptr = c};
  epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &ev);
  c->watching_out = out;
}

static void flush(struct conn *c) {
  while (c->out_offset < c->out_length) {
    ssize_t w = write(c->fd, c->out + c->out_offset, c->out_length - c->out_offset);
    if (w > 0) {
      c->out_offset += w;
    } else if (w < 0 && errno == EAGAIN) {
      watch(c, 1);
      return;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (c->state == CLOSING) {
      c->state = CLOSED; /* the server did not wait for our close frame */
      return;
    } else {
      die("write failed: the server closed the connection");
    }
  }
  watch(c, 0);
}

static void send_frame(struct conn *c, const unsigned char *frame, size_t length) {
  if (c->out_offset < c->out_length) die("a frame is still being written");
  c->out = frame;
  c->out_length = length;
  c->out_offset = 0;
  flush(c);
}

static void message_complete(struct conn *c) {
  if (c->message_offset != (uint64_t)message_size) die("echoed message has the wrong length");
  if (c->message_opcode != expected_opcode) die("echoed message has the wrong type");
  c->message_offset = 0;
  c->received++;
  total_received++;
  if (c->received < messages_per_conn && now() < deadline) {
    send_frame(c, message_frame, message_frame_length);
  } else {
    c->state = FINISHED;
    finished++;
  }
}

/* Parses echoed frames from the bytes just read. */
static void client_consume(struct conn *c, const unsigned char *p, size_t n) {
  struct frame *f = &c->frame;
  size_t i = 0;
  while (i < n) {
    if (f->have < f->need) {
      int complete;
      i += frame_feed_header(f, p + i, n - i, &complete);
      if (!complete) break;
      if (f->masked) die("the server sent a masked frame");
      if (f->opcode == 1 || f->opcode == 2) {
        if (c->message_offset != 0) die("a new message began inside a fragmented one");
        c->message_opcode = f->opcode;
      } else if (f->opcode == 8) {
        if (c->state != CLOSING) die("the server closed the connection before the end");
      } else if (f->opcode != 0 && f->opcode != 9 && f->opcode != 10) {
        die("unknown opcode from the server");
      }
      if (f->opcode < 8 && c->message_offset + f->length > (uint64_t)message_size) {
        die("echoed message is longer than the one sent");
      }
    } else {
      size_t take = f->left < n - i ? f->left : n - i;
      if (f->opcode < 8) {
        if (memcmp(p + i, payload + c->message_offset, take) != 0) die("echoed bytes differ");
        c->message_offset += take;
      }
      f->left -= take;
      i += take;
    }
    if (f->have == f->need && f->left == 0) {
      int opcode = f->opcode, fin = f->fin;
      frame_reset(f);
      if (opcode == 8) {
        c->state = CLOSED;
        return;
      }
      if (opcode < 8 && fin) message_complete(c);
    }
  }
}

static void client_handshake(struct conn *c, const unsigned char *p, size_t n) {
  if (c->head_length + n >= sizeof c->head) die("handshake response too long");
  memcpy(c->head + c->head_length, p, n);
  c->head_length += n;
  c->head[c->head_length] = 0;
  char *end = strstr(c->head, "\r\n\r\n");
  if (!end) return;
  if (strncmp(c->head, "HTTP/1.1 101", 12) != 0) {
    fprintf(stderr, "ws_load: handshake refused: %.*s\n", (int)(strchr(c->head, '\r') - c->head), c->head);
    exit(2);
  }
  int accepted = 0;
  for (char *line = strstr(c->head, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
    if (strncasecmp(line, "Sec-WebSocket-Accept:", 21) == 0) {
      char *value = line + 21;
      while (*value == ' ' || *value == '\t') value++;
      accepted = strncmp(value, ACCEPT, strlen(ACCEPT)) == 0;
    }
  }
  if (!accepted) die("Sec-WebSocket-Accept is missing or wrong");
  c->state = OPEN;
  size_t rest = c->head + c->head_length - (end + 4);
  if (rest) die("the server sent data before the client did");
}

static int dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
    perror("ws_load: connect");
    exit(2);
  }
  nodelay(fd);
  nonblocking(fd);
  return fd;
}

/* Runs epoll until done() is true; returns 0 if idle for IDLE_MS or past the hard limit. */
static int run_until(struct conn *conns, int (*done)(int count), int count, double hard_limit, int quiet) {
  static unsigned char buffer[1 << 18];
  struct epoll_event events[256];
  (void)conns;
  while (!done(count)) {
    int remaining = (int)((hard_limit - now()) * 1000);
    if (remaining <= 0) return 0;
    int n = epoll_wait(epoll_fd, events, 256, remaining < IDLE_MS ? remaining : IDLE_MS);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return 0;
    for (int e = 0; e < n; e++) {
      struct conn *c = events[e].data.ptr;
      if (c->state == CLOSED) continue;
      if (events[e].events & EPOLLOUT) flush(c);
      if (!(events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) continue;
      ssize_t r = read(c->fd, buffer, sizeof buffer);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r <= 0) {
        if (c->state == CLOSING) {
          c->state = CLOSED;
          continue;
        }
        if (!quiet) die("the server closed the connection");
        c->state = CLOSED;
        continue;
      }
      if (c->state == HANDSHAKE) {
        client_handshake(c, buffer, r);
      } else {
        client_consume(c, buffer, r);
      }
    }
  }
  return 1;
}

static struct conn *all;
static int all_open(int count) {
  for (int i = 0; i < count; i++) if (all[i].state == HANDSHAKE) return 0;
  return 1;
}
static int all_finished(int count) { return finished == count; }
static int all_closed(int count) {
  for (int i = 0; i < count; i++) if (all[i].state != CLOSED) return 0;
  return 1;
}

static int client(int port, int count, long size, long messages, double seconds, const char *mode,
                  const char *path) {
  message_size = size;
  messages_per_conn = messages;
  expected_opcode = strcmp(mode, "binary") == 0 ? 2 : 1;
  fill_payload(mode);
  build_frames();
  all = calloc(count, sizeof *all);
  epoll_fd = epoll_create1(0);
  char request[512];
  int request_length = snprintf(request, sizeof request,
                                "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
                                "Connection: Upgrade\r\nSec-WebSocket-Key: " KEY "\r\n"
                                "Sec-WebSocket-Version: 13\r\n\r\n",
                                path, port);
  double setup_limit = now() + 30;
  for (int i = 0; i < count; i++) {
    struct conn *c = &all[i];
    c->fd = dial(port);
    frame_reset(&c->frame);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c->fd, &ev);
    send_frame(c, (const unsigned char *)request, request_length);
  }
  if (!run_until(all, all_open, count, setup_limit, 0)) die("timed out in the handshakes");

  double start = now();
  deadline = start + seconds;
  for (int i = 0; i < count; i++) send_frame(&all[i], message_frame, message_frame_length);
  if (!run_until(all, all_finished, count, deadline + 10, 0)) die("timed out waiting for echoes");
  double elapsed = now() - start;

  for (int i = 0; i < count; i++) {
    all[i].state = CLOSING;
    send_frame(&all[i], close_frame, sizeof close_frame);
  }
  run_until(all, all_closed, count, now() + 3, 1);
  int acknowledged = 0;
  for (int i = 0; i < count; i++) {
    if (all[i].state == CLOSED) acknowledged++;
    close(all[i].fd);
  }
  printf("{\"mode\":\"%s\",\"connections\":%d,\"size\":%ld,\"messages\":%ld,\"seconds\":%.6f,"
         "\"msgPerSec\":%.1f,\"bytesPerSec\":%.1f,\"closed\":%d}\n",
         mode, count, size, total_received, elapsed, total_received / elapsed,
         total_received * (double)size / elapsed, acknowledged);
  return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Server                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void sha1(const unsigned char *data, size_t length, unsigned char out[20]) {
  uint32_t h[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  size_t total = ((length + 8) / 64 + 1) * 64;
  unsigned char *m = calloc(total, 1);
  memcpy(m, data, length);
  m[length] = 0x80;
  uint64_t bits = (uint64_t)length * 8;
  for (int i = 0; i < 8; i++) m[total - 1 - i] = bits >> (8 * i);
  for (size_t block = 0; block < total; block += 64) {
    uint32_t w[80];
    for (int i = 0; i < 16; i++) {
      const unsigned char *b = m + block + 4 * i;
      w[i] = (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
    }
    for (int i = 16; i < 80; i++) {
      uint32_t x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
      w[i] = x << 1 | x >> 31;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
      uint32_t f, k;
      if (i < 20) f = (b & c) | (~b & d), k = 0x5A827999;
      else if (i < 40) f = b ^ c ^ d, k = 0x6ED9EBA1;
      else if (i < 60) f = (b & c) | (b & d) | (c & d), k = 0x8F1BBCDC;
      else f = b ^ c ^ d, k = 0xCA62C1D6;
      uint32_t t = (a << 5 | a >> 27) + f + e + k + w[i];
      e = d, d = c, c = b << 30 | b >> 2, b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
  }
  free(m);
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 4; j++) out[4 * i + j] = h[i] >> (24 - 8 * j);
}

static void base64(const unsigned char *in, size_t length, char *out) {
  static const char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t o = 0;
  for (size_t i = 0; i < length; i += 3) {
    uint32_t v = in[i] << 16 | (i + 1 < length ? in[i + 1] << 8 : 0) | (i + 2 < length ? in[i + 2] : 0);
    out[o++] = table[v >> 18 & 63];
    out[o++] = table[v >> 12 & 63];
    out[o++] = i + 1 < length ? table[v >> 6 & 63] : '=';
    out[o++] = i + 2 < length ? table[v & 63] : '=';
  }
  out[o] = 0;
}

enum { ECHO, SINK, PUSH };

struct peer {
  int fd, handshaken, mode, text, closing, reading, writing;
  char head[8192];
  int head_length;
  unsigned char *out;
  size_t out_start, out_end, out_capacity;
  struct frame frame;
  unsigned char control[125];
  long query_n; /* the path's n= */
  long sink_count, push_left, push_size;
};

#define HIGH_WATER (8u << 20)
#define PUSH_BATCH (256u << 10)

static unsigned char *push_payload[2];
static long push_payload_size;

static void peer_close(struct peer *p) {
  close(p->fd);
  free(p->out);
  free(p);
}

static unsigned char *reserve(struct peer *p, size_t n) {
  if (p->out_start == p->out_end) p->out_start = p->out_end = 0;
  if (p->out_end + n > p->out_capacity) {
    if (p->out_start > 0) {
      memmove(p->out, p->out + p->out_start, p->out_end - p->out_start);
      p->out_end -= p->out_start;
      p->out_start = 0;
    }
    if (p->out_end + n > p->out_capacity) {
      size_t capacity = p->out_capacity ? p->out_capacity : 65536;
      while (capacity < p->out_end + n) capacity *= 2;
      p->out = realloc(p->out, capacity);
      p->out_capacity = capacity;
    }
  }
  unsigned char *at = p->out + p->out_end;
  p->out_end += n;
  return at;
}

static void queue_frame(struct peer *p, int opcode, const unsigned char *data, size_t length) {
  unsigned char header[14];
  size_t n = frame_header(header, opcode, 1, length, NULL);
  unsigned char *at = reserve(p, n + length);
  memcpy(at, header, n);
  memcpy(at + n, data, length);
}

static void refill_push(struct peer *p) {
  while (p->push_left > 0 && p->out_end - p->out_start < PUSH_BATCH) {
    queue_frame(p, p->text ? 1 : 2, push_payload[p->text], p->push_size);
    p->push_left--;
  }
}

static void peer_watch(struct peer *p) {
  int reading = p->out_end - p->out_start < HIGH_WATER;
  int writing = p->out_end > p->out_start || p->push_left > 0;
  if (reading == p->reading && writing == p->writing) return;
  struct epoll_event ev = {.events = (reading ? EPOLLIN : 0) | (writing ? EPOLLOUT : 0), .data.ptr = p};
  epoll_ctl(epoll_fd, EPOLL_CTL_MOD, p->fd, &ev);
  p->reading = reading;
  p->writing = writing;
}

/* Returns 0 when the connection is finished (closed or failed). */
static int peer_flush(struct peer *p) {
  for (;;) {
    if (p->mode == PUSH) refill_push(p);
    if (p->out_start == p->out_end) break;
    ssize_t w = write(p->fd, p->out + p->out_start, p->out_end - p->out_start);
    if (w > 0) {
      p->out_start += w;
    } else if (w < 0 && errno == EINTR) {
      continue;
    } else if (w < 0 && errno == EAGAIN) {
      peer_watch(p);
      return 1;
    } else {
      return 0;
    }
  }
  if (p->closing) return 0;
  peer_watch(p);
  return 1;
}

static long query_number(const char *query, const char *name, long fallback) {
  const char *at = strstr(query, name);
  return at ? atol(at + strlen(name)) : fallback;
}

static int server_handshake(struct peer *p, const unsigned char *data, size_t n, size_t *used) {
  size_t room = sizeof p->head - 1 - p->head_length;
  size_t take = n < room ? n : room;
  memcpy(p->head + p->head_length, data, take);
  int before = p->head_length;
  p->head_length += take;
  p->head[p->head_length] = 0;
  char *end = strstr(p->head, "\r\n\r\n");
  if (!end) {
    *used = take;
    return p->head_length < (int)sizeof p->head - 1;
  }
  *used = (end + 4 - p->head) - before;
  char *path = strchr(p->head, ' ');
  if (!path) return 0;
  path++;
  p->mode = strncmp(path, "/sink", 5) == 0 ? SINK : strncmp(path, "/push", 5) == 0 ? PUSH : ECHO;
  char *path_end = strchr(path, ' ');
  if (path_end) *path_end = 0;
  p->query_n = query_number(path, "n=", 1);
  if (p->query_n < 1) return 0;
  p->push_size = query_number(path, "s=", 0);
  p->text = query_number(path, "text=", 0) != 0;
  if (p->push_size > push_payload_size) return 0;
  char key[64] = "";
  for (char *line = strstr(path_end ? path_end + 1 : path, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
    if (strncasecmp(line, "Sec-WebSocket-Key:", 18) == 0) {
      char *value = line + 18;
      while (*value == ' ') value++;
      size_t length = strcspn(value, " \r");
      if (length > 40) return 0;
      memcpy(key, value, length);
      key[length] = 0;
    }
  }
  if (!key[0]) return 0;
  char joined[128];
  snprintf(joined, sizeof joined, "%s258EAFA5-E914-47DA-95CA-C5AB0DC85B11", key);
  unsigned char digest[20];
  sha1((unsigned char *)joined, strlen(joined), digest);
  char accept[32];
  base64(digest, 20, accept);
  char response[256];
  int length = snprintf(response, sizeof response,
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n",
                        accept);
  memcpy(reserve(p, length), response, length);
  p->handshaken = 1;
  return 1;
}

/* Parses client frames; returns 0 on a protocol error. */
static int server_consume(struct peer *p, const unsigned char *data, size_t n) {
  struct frame *f = &p->frame;
  size_t i = 0;
  while (i < n) {
    if (f->have < f->need) {
      int complete;
      i += frame_feed_header(f, data + i, n - i, &complete);
      if (!complete) break;
      if (!f->masked) return 0;
      if (f->opcode >= 8 && f->length > 125) return 0;
      if (f->opcode < 8 && p->mode == ECHO) {
        unsigned char header[14];
        size_t h = frame_header(header, f->opcode, f->fin, f->length, NULL);
        memcpy(reserve(p, h), header, h);
      }
    } else {
      size_t take = f->left < n - i ? f->left : n - i;
      if (f->opcode >= 8) {
        xor_mask(p->control + f->done, data + i, take, f->key, f->done);
      } else if (p->mode == ECHO) {
        xor_mask(reserve(p, take), data + i, take, f->key, f->done);
      }
      f->done += take;
      f->left -= take;
      i += take;
    }
    if (f->have == f->need && f->left == 0) {
      frame_reset(f);
      if (f->opcode == 8) {
        queue_frame(p, 8, p->control, f->length >= 2 ? 2 : 0);
        p->closing = 1;
        return 1;
      }
      if (f->opcode == 9) queue_frame(p, 10, p->control, f->length);
      if (f->opcode < 8 && f->fin && p->mode == PUSH) p->push_left += p->query_n;
      if (f->opcode < 8 && f->fin && p->mode == SINK && ++p->sink_count == p->query_n) {
        char count[24];
        int length = snprintf(count, sizeof count, "%ld", p->sink_count);
        queue_frame(p, 1, (unsigned char *)count, length);
        p->sink_count = 0;
      }
    }
  }
  return 1;
}

static int serve(int port) {
  int listener = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons(port)};
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t addr_length = sizeof addr;
  if (bind(listener, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(listener, 4096) != 0) {
    perror("ws_load: listen");
    return 2;
  }
  getsockname(listener, (struct sockaddr *)&addr, &addr_length);
  nonblocking(listener);
  push_payload_size = 1 << 24;
  for (int t = 0; t < 2; t++) {
    push_payload[t] = malloc(push_payload_size);
    for (long i = 0; i < push_payload_size; i++) push_payload[t][i] = t ? 'a' + i % 26 : (i * 7 + 3) & 0xff;
  }
  epoll_fd = epoll_create1(0);
  static int listener_tag, stdin_tag;
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &listener_tag};
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &ev);
  ev.data.ptr = &stdin_tag;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, 0, &ev);
  printf("%d\n", ntohs(addr.sin_port));
  fflush(stdout);
  static unsigned char buffer[1 << 18];
  struct epoll_event events[256];
  for (;;) {
    int n = epoll_wait(epoll_fd, events, 256, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return 2;
    for (int e = 0; e < n; e++) {
      if (events[e].data.ptr == &stdin_tag) {
        if (read(0, buffer, sizeof buffer) <= 0) return 0;
        continue;
      }
      if (events[e].data.ptr == &listener_tag) {
        int fd;
        while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
          struct peer *p = calloc(1, sizeof *p);
          p->fd = fd;
          p->reading = 1;
          frame_reset(&p->frame);
          nodelay(fd);
          struct epoll_event pev = {.events = EPOLLIN, .data.ptr = p};
          epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &pev);
        }
        continue;
      }
      struct peer *p = events[e].data.ptr;
      int alive = 1;
      if (events[e].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        ssize_t r = read(p->fd, buffer, sizeof buffer);
        if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
          alive = 0;
        } else if (r > 0) {
          size_t used = 0;
          if (!p->handshaken) alive = server_handshake(p, buffer, r, &used);
          if (alive && p->handshaken && used < (size_t)r) alive = server_consume(p, buffer + used, r - used);
        }
      }
      if (alive) alive = peer_flush(p);
      if (!alive) peer_close(p);
    }
  }
}

int main(int argc, char **argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc >= 7 && strcmp(argv[1], "client") == 0) {
    long size = atol(argv[4]), messages = atol(argv[5]);
    int count = atoi(argv[3]);
    double seconds = atof(argv[6]);
    const char *mode = argc > 7 ? argv[7] : "binary";
    if (count < 1 || count > 10000 || size < 0 || size > (1L << 26) || messages < 1 || seconds <= 0 ||
        seconds > 600) {
      die("arguments out of range");
    }
    if (strcmp(mode, "binary") != 0 && strcmp(mode, "text") != 0 && strcmp(mode, "utf8") != 0) {
      die("the mode must be binary, text or utf8");
    }
    return client(atoi(argv[2]), count, size, messages, seconds, mode, argc > 8 ? argv[8] : "/");
  }
  if (argc >= 2 && strcmp(argv[1], "serve") == 0) return serve(argc > 2 ? atoi(argv[2]) : 0);
  fprintf(stderr,
          "usage: ws_load client PORT CONNECTIONS SIZE MESSAGES SECONDS [binary|text|utf8] [PATH]\n"
          "       ws_load serve [PORT]\n");
  return 1;
}
