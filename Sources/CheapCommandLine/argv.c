// Where `CommandLine.arguments` comes from in `bootstrap`, without reading /proc/self/maps.
//
// On Linux the Swift runtime (CommandLine.cpp in libswiftCore) finds argv with a static
// constructor that opens /proc/self/maps and sscanf()s every line to locate the stack, then walks
// back from `environ`. That runs before `main` in every process, used or not, and was a visible
// share of each cold start (Benchmarks/FINDINGS.md, "Figures behind the comments").
//
// glibc calls every .init_array function with (argc, argv, envp), so the arguments can simply be
// kept from there. Defining the runtime's accessor here means the linker never pulls
// CommandLine.cpp.o out of the static libswiftCore.a: that object's only other contents are the
// constructor and its storage. Safe by construction:
//  - the signature is the runtime's own (`SWIFT_RUNTIME_STDLIB_API char **
//    _swift_stdlib_getUnsafeArgvArgc(int *outArgLen)`, stdlib/public/CommandLineSupport);
//  - should a future runtime reference anything else in CommandLine.cpp.o, the link fails with
//    "multiple definition", it does not silently use two implementations;
//  - with a dynamic Swift runtime (debug builds) both definitions return the same argv.
// IntegrationTests run `bootstrap --version`, which reads CommandLine.arguments.
#include "CheapCommandLine.h"

#if defined(__linux__)
#include <features.h>  // defines __GLIBC__ under glibc, not under musl
#endif

// glibc passes (argc, argv, envp) to .init_array functions; musl passes nothing, so elsewhere the
// runtime's own accessor stays.
#if defined(__linux__) && defined(__GLIBC__)
static int savedArgc;
static char **savedArgv;

static void saveArguments(int argc, char **argv, char **envp) {
    (void)envp;
    savedArgc = argc;
    savedArgv = argv;
}

__attribute__((section(".init_array"), used))
static void (*const saveArgumentsEntry)(int, char **, char **) = saveArguments;

char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen) {
    *outArgLen = savedArgc;
    return savedArgv;
}
#endif
