/* The limit for bench/pty_bench.ts: a C program reading the master side of a pty
 * while `cat <file>` writes to the slave. Prints the bytes read and the seconds. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int master = posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0 || grantpt(master) || unlockpt(master)) return 1;
  char *slave = ptsname(master);
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  pid_t pid = fork();
  if (pid == 0) {
    setsid();
    int fd = open(slave, O_RDWR);
    dup2(fd, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    execlp("cat", "cat", argv[1], (char *)NULL);
    _exit(127);
  }
  static char buffer[65536];
  long long total = 0;
  for (;;) {
    ssize_t n = read(master, buffer, sizeof buffer);
    if (n <= 0) break;
    total += n;
  }
  clock_gettime(CLOCK_MONOTONIC, &end);
  waitpid(pid, NULL, 0);
  printf("%lld %f\n", total, (end.tv_sec - start.tv_sec) + (end.tv_nsec - start.tv_nsec) / 1e9);
  return 0;
}
