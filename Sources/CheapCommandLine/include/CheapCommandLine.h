#ifndef ARGV_FROM_INIT_ARRAY_H
#define ARGV_FROM_INIT_ARRAY_H
/// Replaces the Swift runtime's `_swift_stdlib_getUnsafeArgvArgc` in a statically linked
/// executable (see argv.c). Import the module to link it; there is nothing to call.
char **_swift_stdlib_getUnsafeArgvArgc(int *outArgLen);
#endif
