#ifndef TRUST_BUNDLE_H
#define TRUST_BUNDLE_H
#include <stddef.h>

/// A PEM CA bundle that OpenSSL consults lazily.
///
/// OpenSSL's own file lookup (X509_STORE_load_file, or libcurl's CURLOPT_CAINFO) decodes every
/// certificate of the bundle before the first handshake, most of the first HTTPS request's CPU.
/// This lookup reads the file on the first handshake and, per certificate, base64-decodes only the few
/// hundred bytes up to its subject name and keeps that name; a certificate is decoded only when a
/// handshake asks for its subject. Not thread-safe: one thread does TLS in this process.
typedef struct trust_bundle trust_bundle;

/// No I/O: the file is read on the first lookup. Returns NULL when out of memory.
trust_bundle *trust_bundle_create(const char *path);
void trust_bundle_free(trust_bundle *bundle);

/// Adds the lookup to an SSL_CTX's certificate store (`ssl_ctx` is an `SSL_CTX *`, as libcurl's
/// CURLOPT_SSL_CTX_FUNCTION hands it over). Returns 1 on success, 0 on failure.
int trust_bundle_install(void *ssl_ctx, trust_bundle *bundle);

/// What the bundle looks like so far, for diagnostics and tests.
typedef struct {
    int read_state;             ///< 0: not read yet, 1: read, -1: could not be read
    int read_errno;             ///< errno of the failed read, when read_state is -1
    size_t certificates;        ///< certificates found in the file
    size_t decoded;             ///< certificates decoded into X509 objects so far
    size_t lookups;             ///< subject lookups answered (found or not)
} trust_bundle_stats;

trust_bundle_stats trust_bundle_get_stats(const trust_bundle *bundle);

#endif
