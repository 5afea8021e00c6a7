// The benchmarks' exec shim: records the CPU its task has used so far, then becomes the runtime.
//
//   preexec FD PROGRAM [ARGS...]
//
// Writes the task's CPU time in ns (CLOCK_THREAD_CPUTIME_ID: the scheduler's sum_exec_runtime of this
// task, brought up to date, which /proc/PID/task/TID/schedstat reports once the task sleeps — so
// everything since the fork: the spawner's child-side set-up — Python's subprocess, or unshare's
// namespaces, /proc mount and chroot — and this shim's own exec) as decimal text to FD, closes FD,
// and execs PROGRAM in the same task. (Reading /proc/self/schedstat here would not do: for a running
// task it is only as fresh as its last tick or context switch.) bench.py subtracts that figure, so a contender's start-up CPU counts from the
// exec of its own binary whichever way it was spawned. Static (cc -static), so it runs in an empty root.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 3) return 127;
    struct timespec used;
    char text[64];
    int length = 0;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &used) == 0)
        length = snprintf(text, sizeof text, "%lld\n", (long long)used.tv_sec * 1000000000LL + used.tv_nsec);
    int out = atoi(argv[1]);
    if (length <= 0 || write(out, text, (size_t)length) < 0) { /* the harness then has no figure and says so */ }
    close(out);
    execv(argv[2], argv + 2);
    return 127;
}
