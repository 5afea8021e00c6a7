#ifndef CLIBCRYPTO_SHIM_H
#define CLIBCRYPTO_SHIM_H
// One-shot HMAC() and EVP_Digest() exist from OpenSSL 1.0.2 (Amazon Linux 2) through 3.x;
// OpenSSL 3 marks HMAC() deprecated in favour of EVP_MAC, which 1.0.2 lacks.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/crypto.h>
#include <string.h>

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

/// SHA-256 as an explicitly fetched algorithm: EVP_sha256() makes OpenSSL 3 look the algorithm up
/// again on every EVP_Digest call. Fetch once, keep for the process's life.
static inline const EVP_MD *clibcrypto_sha256_fetch(void) {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    return EVP_MD_fetch(NULL, "SHA256", NULL);
#else
    return EVP_sha256();
#endif
}

/// SHA-256 with a fetched algorithm into `out` (32 bytes). Returns 1 on success.
static inline int clibcrypto_sha256_with(const EVP_MD *md, const void *data, size_t length, unsigned char *out) {
    unsigned int out_length = 0;
    return EVP_Digest(data, length, out, &out_length, md, NULL) == 1 && out_length == 32;
}

#if OPENSSL_VERSION_NUMBER >= 0x30000000L
#include <openssl/core_names.h>

/// An HMAC-SHA256 context keyed once. One-shot HMAC() fetches the algorithm, builds a context and
/// hashes the key pads on every call; re-initialising this one with a NULL key
/// reuses the hashed pads. Not thread-safe: the caller serialises use.
static inline void *clibcrypto_hmac_sha256_key_new(const void *key, size_t key_length) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    if (mac == NULL) return NULL;
    EVP_MAC_CTX *context = EVP_MAC_CTX_new(mac);  // holds its own reference to `mac`
    EVP_MAC_free(mac);
    if (context == NULL) return NULL;
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_init(context, key, key_length, params) != 1) {
        EVP_MAC_CTX_free(context);
        return NULL;
    }
    return context;
}

/// HMAC-SHA256 of `data` with a keyed context into `out` (32 bytes). Returns 1 on success.
/// EVP_MAC_init with a NULL key restarts the MAC with the key already set (OpenSSL 3's HMAC
/// provider: "just reinit the HMAC context"), without the dozen allocations of a context copy.
static inline int clibcrypto_hmac_sha256_keyed(void *keyed, const unsigned char *data, size_t length,
                                               unsigned char *out) {
    EVP_MAC_CTX *context = (EVP_MAC_CTX *)keyed;
    size_t out_length = 0;
    return EVP_MAC_init(context, NULL, 0, NULL) == 1 && EVP_MAC_update(context, data, length) == 1
        && EVP_MAC_final(context, out, &out_length, 32) == 1 && out_length == 32;
}

static inline void clibcrypto_hmac_sha256_key_free(void *keyed) {
    EVP_MAC_CTX_free((EVP_MAC_CTX *)keyed);
}
#else
/// OpenSSL 1.x has no EVP_MAC: keep a copy of the key and use one-shot HMAC().
typedef struct { size_t length; unsigned char bytes[]; } clibcrypto_hmac_key;

static inline void *clibcrypto_hmac_sha256_key_new(const void *key, size_t key_length) {
    clibcrypto_hmac_key *copy = OPENSSL_malloc(sizeof(clibcrypto_hmac_key) + key_length + 1);
    if (copy == NULL) return NULL;
    copy->length = key_length;
    if (key_length > 0) memcpy(copy->bytes, key, key_length);
    return copy;
}

static inline int clibcrypto_hmac_sha256_keyed(void *keyed, const unsigned char *data, size_t length,
                                               unsigned char *out) {
    const clibcrypto_hmac_key *key = (const clibcrypto_hmac_key *)keyed;
    return clibcrypto_hmac_sha256(key->bytes, (int)key->length, data, length, out);
}

static inline void clibcrypto_hmac_sha256_key_free(void *keyed) {
    if (keyed != NULL) OPENSSL_cleanse(keyed, sizeof(clibcrypto_hmac_key) + ((clibcrypto_hmac_key *)keyed)->length);
    OPENSSL_free(keyed);
}
#endif

/// Constant-time comparison, so a verifier leaks nothing about where signatures differ.
static inline int clibcrypto_equal(const void *a, const void *b, size_t length) {
    return CRYPTO_memcmp(a, b, length) == 0;
}
#endif
