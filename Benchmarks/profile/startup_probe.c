// LD_PRELOAD probe: where a runtime's start-up CPU goes, natively (no valgrind distortion).
//
// Records the process CPU time (CLOCK_PROCESS_CPUTIME_ID, ns, all threads, since the task was
// forked) and minor page faults at: this library's constructor (the executable and every shared
// library mapped and relocated), entry to main, around curl_global_init, and the first connect(2)
// (the runtime reaching for the Runtime API). Prints one line to stderr at that first connect:
//
//   PROBE ctor_ns=… main_ns=… curl_init_start_ns=… curl_init_end_ns=… connect_ns=… faults_ctor=… …
//
// Build: cc -O2 -shared -fPIC -o startup_probe.so startup_probe.c -ldl
// Used by Benchmarks/profile/startup_phases.py.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long ctor_ns, main_ns, curl_start_ns, curl_end_ns;
static long ctor_faults, main_faults, curl_start_faults, curl_end_faults;
static int reported;

static long long cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long faults_now(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_minflt;
}

__attribute__((constructor)) static void probe_init(void) {
    ctor_ns = cpu_now();
    ctor_faults = faults_now();
}

typedef int (*main_fn)(int, char **, char **);
static main_fn real_main;

static int probe_main(int argc, char **argv, char **envp) {
    main_ns = cpu_now();
    main_faults = faults_now();
    return real_main(argc, argv, envp);
}

int __libc_start_main(main_fn main, int argc, char **argv, void (*init)(void), void (*fini)(void),
                      void (*rtld_fini)(void), void *stack_end) {
    typedef int (*start_fn)(main_fn, int, char **, void (*)(void), void (*)(void), void (*)(void), void *);
    start_fn real = (start_fn)dlsym(RTLD_NEXT, "__libc_start_main");
    real_main = main;
    return real(probe_main, argc, argv, init, fini, rtld_fini, stack_end);
}

int curl_global_init(long flags) {
    typedef int (*init_fn)(long);
    init_fn real = (init_fn)dlsym(RTLD_NEXT, "curl_global_init");
    curl_start_ns = cpu_now();
    curl_start_faults = faults_now();
    int result = real(flags);
    curl_end_ns = cpu_now();
    curl_end_faults = faults_now();
    return result;
}

int connect(int fd, const struct sockaddr *address, socklen_t length) {
    typedef int (*connect_fn)(int, const struct sockaddr *, socklen_t);
    connect_fn real = (connect_fn)dlsym(RTLD_NEXT, "connect");
    if (!reported && address && address->sa_family == AF_INET) {
        reported = 1;
        long long now = cpu_now();
        long faults = faults_now();
        char line[512];
        int n = snprintf(line, sizeof line,
                         "PROBE ctor_ns=%lld main_ns=%lld curl_init_start_ns=%lld curl_init_end_ns=%lld connect_ns=%lld "
                         "faults_ctor=%ld faults_main=%ld faults_curl_start=%ld faults_curl_end=%ld faults_connect=%ld\n",
                         ctor_ns, main_ns, curl_start_ns, curl_end_ns, now, ctor_faults, main_faults,
                         curl_start_faults, curl_end_faults, faults);
        if (write(2, line, (size_t)n) < 0) { /* best effort */ }
    }
    return real(fd, address, length);
}
