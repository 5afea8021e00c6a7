#ifndef CLIBCRYPTO_SHIM_H
#define CLIBCRYPTO_SHIM_H
// One-shot HMAC() and EVP_Digest() exist from OpenSSL 1.0.2 (Amazon Linux 2) through 3.x;
// OpenSSL 3 marks HMAC() deprecated in favour of EVP_MAC, which 1.0.2 lacks.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>

/// HMAC-SHA256 of `data` with `key` into `out` (32 bytes). Returns 1 on success.
static inline int clibcrypto_hmac_sha256(const void *key, int key_length,
                                         const unsigned char *data, size_t data_length,
                                         unsigned char *out) {
    unsigned int out_length = 0;
    return HMAC(EVP_sha256(), key, key_length, data, data_length, out, &out_length) != NULL
        && out_length == 32;
}

/// SHA-256 of `data` into `out` (32 bytes). Returns 1 on success.
static inline int clibcrypto_sha256(const void *data, size_t length, unsigned char *out) {
    unsigned int out_length = 0;
    return EVP_Digest(data, length, out, &out_length, EVP_sha256(), NULL) == 1 && out_length == 32;
}

/// Constant-time comparison, so a verifier leaks nothing about where signatures differ.
static inline int clibcrypto_equal(const void *a, const void *b, size_t length) {
    return CRYPTO_memcmp(a, b, length) == 0;
}
#endif
