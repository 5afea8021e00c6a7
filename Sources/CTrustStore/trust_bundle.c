#define _GNU_SOURCE  // memmem
#include "trust_bundle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

/// One certificate of the bundle: where its DER and its subject's DER are in `trust_bundle.der`.
typedef struct {
    size_t offset, length;
    size_t subject_offset, subject_length;
    int trusted_form;       ///< "TRUSTED CERTIFICATE": DER followed by OpenSSL's trust settings
    X509 *decoded;          ///< owned; NULL until a lookup asks for it
    X509_NAME *subject;     ///< owned; decoded only for the canonical-name fallback
} bundle_entry;

struct trust_bundle {
    char *path;
    int read_state, read_errno;
    unsigned char *der;
    size_t der_length;
    bundle_entry *entries;
    size_t count;
    size_t decoded, lookups;
    int subjects_decoded;
};

/// Which bundle a lookup belongs to: the lookup method is shared, its data per store.
static X509_LOOKUP_METHOD *bundle_method;

trust_bundle *trust_bundle_create(const char *path) {
    trust_bundle *bundle = calloc(1, sizeof *bundle);
    if (bundle == NULL) return NULL;
    bundle->path = strdup(path);
    if (bundle->path == NULL) {
        free(bundle);
        return NULL;
    }
    return bundle;
}

void trust_bundle_free(trust_bundle *bundle) {
    if (bundle == NULL) return;
    for (size_t i = 0; i < bundle->count; i++) {
        X509_free(bundle->entries[i].decoded);
        X509_NAME_free(bundle->entries[i].subject);
    }
    free(bundle->entries);
    free(bundle->der);
    free(bundle->path);
    free(bundle);
}

trust_bundle_stats trust_bundle_get_stats(const trust_bundle *bundle) {
    trust_bundle_stats stats = {
        bundle->read_state, bundle->read_errno, bundle->count, bundle->decoded, bundle->lookups,
    };
    return stats;
}

// MARK: - Reading the file

/// Reads one DER tag and length at `*at` (bounded by `end`); on success `*at` points at the value.
static int der_header(const unsigned char **at, const unsigned char *end, unsigned char *tag, size_t *length) {
    const unsigned char *p = *at;
    if (end - p < 2) return 0;
    *tag = *p++;
    size_t n = *p++;
    if (n & 0x80) {
        size_t bytes = n & 0x7f;
        if (bytes == 0 || bytes > 4 || (size_t)(end - p) < bytes) return 0;
        n = 0;
        while (bytes--) n = (n << 8) | *p++;
    }
    if ((size_t)(end - p) < n) return 0;
    *at = p;
    *length = n;
    return 1;
}

/// Finds the subject Name inside a certificate's DER without decoding it:
/// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
/// signature, issuer, validity, subject, … }, … } (RFC 5280, 4.1).
static int find_subject(const unsigned char *der, size_t length, size_t *offset, size_t *subject_length) {
    const unsigned char *p = der, *end = der + length;
    unsigned char tag;
    size_t n;
    if (!der_header(&p, end, &tag, &n) || tag != 0x30) return 0;  // Certificate
    end = p + n;
    if (!der_header(&p, end, &tag, &n) || tag != 0x30) return 0;  // tbsCertificate
    end = p + n;
    const unsigned char *field = p;
    if (!der_header(&p, end, &tag, &n)) return 0;
    if (tag == 0xa0) {  // explicit version
        field = p + n;
    }
    p = field;
    // serialNumber, signature, issuer, validity: skip four fields.
    for (int skip = 0; skip < 4; skip++) {
        if (!der_header(&p, end, &tag, &n)) return 0;
        p += n;
    }
    const unsigned char *subject = p;
    if (!der_header(&p, end, &tag, &n) || tag != 0x30) return 0;
    *offset = (size_t)(subject - der);
    *subject_length = (size_t)(p + n - subject);
    return 1;
}

static int append_entry(trust_bundle *bundle, size_t *capacity, bundle_entry entry) {
    if (bundle->count == *capacity) {
        size_t grown = *capacity ? *capacity * 2 : 256;
        bundle_entry *entries = realloc(bundle->entries, grown * sizeof *entries);
        if (entries == NULL) return 0;
        bundle->entries = entries;
        *capacity = grown;
    }
    bundle->entries[bundle->count++] = entry;
    return 1;
}

/// Base64-decodes each PEM certificate block into one DER buffer and indexes its subject.
/// Blocks that are not certificates (keys, CRLs) and malformed blocks are skipped, as OpenSSL's
/// own file lookup skips what it cannot use.
static int index_pem(trust_bundle *bundle, const char *pem, size_t pem_length) {
    static const char begin[] = "-----BEGIN ", end_marker[] = "-----END ";
    static const char certificate[] = "CERTIFICATE-----", trusted[] = "TRUSTED CERTIFICATE-----";
    bundle->der = malloc(pem_length / 4 * 3 + 3);  // decoded base64 is never longer
    if (bundle->der == NULL) return 0;
    size_t capacity = 0;
    const char *p = pem, *limit = pem + pem_length;
    EVP_ENCODE_CTX *decoder = EVP_ENCODE_CTX_new();
    if (decoder == NULL) return 0;
    while ((p = memmem(p, (size_t)(limit - p), begin, sizeof begin - 1)) != NULL) {
        p += sizeof begin - 1;
        int trusted_form;
        if ((size_t)(limit - p) >= sizeof certificate - 1 && memcmp(p, certificate, sizeof certificate - 1) == 0) {
            trusted_form = 0;
            p += sizeof certificate - 1;
        } else if ((size_t)(limit - p) >= sizeof trusted - 1 && memcmp(p, trusted, sizeof trusted - 1) == 0) {
            trusted_form = 1;
            p += sizeof trusted - 1;
        } else {
            continue;
        }
        const char *body_end = memmem(p, (size_t)(limit - p), end_marker, sizeof end_marker - 1);
        if (body_end == NULL) break;
        unsigned char *out = bundle->der + bundle->der_length;
        int written = 0, tail = 0;
        EVP_DecodeInit(decoder);
        if (EVP_DecodeUpdate(decoder, out, &written, (const unsigned char *)p, (int)(body_end - p)) < 0
            || EVP_DecodeFinal(decoder, out + written, &tail) < 0) {
            p = body_end;
            continue;
        }
        bundle_entry entry = {.offset = bundle->der_length, .length = (size_t)(written + tail), .trusted_form = trusted_form};
        if (find_subject(out, entry.length, &entry.subject_offset, &entry.subject_length)) {
            entry.subject_offset += entry.offset;
            if (!append_entry(bundle, &capacity, entry)) {
                EVP_ENCODE_CTX_free(decoder);
                return 0;
            }
            bundle->der_length += entry.length;
        }
        p = body_end;
    }
    EVP_ENCODE_CTX_free(decoder);
    return 1;
}

static void read_bundle(trust_bundle *bundle) {
    FILE *file = fopen(bundle->path, "rb");
    struct stat info;
    char *pem = NULL;
    if (file == NULL || fstat(fileno(file), &info) != 0) goto failed;
    pem = malloc((size_t)info.st_size + 1);
    if (pem == NULL) goto failed;
    size_t length = fread(pem, 1, (size_t)info.st_size, file);
    if (ferror(file)) goto failed;
    fclose(file);
    file = NULL;
    if (!index_pem(bundle, pem, length)) goto failed;
    free(pem);
    bundle->read_state = 1;
    return;
failed:
    bundle->read_errno = errno ? errno : EIO;
    bundle->read_state = -1;
    if (file != NULL) fclose(file);
    free(pem);
}

// MARK: - The lookup

static X509 *decoded_certificate(trust_bundle *bundle, bundle_entry *entry) {
    if (entry->decoded == NULL) {
        const unsigned char *der = bundle->der + entry->offset;
        entry->decoded = entry->trusted_form ? d2i_X509_AUX(NULL, &der, (long)entry->length)
                                             : d2i_X509(NULL, &der, (long)entry->length);
        if (entry->decoded != NULL) bundle->decoded++;
    }
    return entry->decoded;
}

/// Subject names compare in OpenSSL's canonical form (case and space folded), so two encodings of
/// one name can differ byte for byte. Rare in practice: tried only when no subject matched exactly.
static int canonical_match(trust_bundle *bundle, bundle_entry *entry, const X509_NAME *name) {
    if (entry->subject == NULL) {
        const unsigned char *der = bundle->der + entry->subject_offset;
        entry->subject = d2i_X509_NAME(NULL, &der, (long)entry->subject_length);
        if (entry->subject == NULL) return 0;
    }
    return X509_NAME_cmp(entry->subject, name) == 0;
}

/// Adds every certificate whose subject is `name` to the store, as OpenSSL's directory lookup does,
/// so that chain building can pick the right one among cross-signed and re-keyed roots.
static int add_matches(X509_STORE *store, trust_bundle *bundle, const X509_NAME *name, int canonical) {
    const unsigned char *wanted = NULL;
    size_t wanted_length = 0;
    if (!canonical && !X509_NAME_get0_der(name, &wanted, &wanted_length)) return 0;
    int found = 0;
    for (size_t i = 0; i < bundle->count; i++) {
        bundle_entry *entry = &bundle->entries[i];
        int match = canonical ? canonical_match(bundle, entry, name)
                              : entry->subject_length == wanted_length
                                    && memcmp(bundle->der + entry->subject_offset, wanted, wanted_length) == 0;
        if (!match) continue;
        X509 *certificate = decoded_certificate(bundle, entry);
        if (certificate != NULL && X509_STORE_add_cert(store, certificate)) found = 1;
    }
    return found;
}

static int get_by_subject(X509_LOOKUP *lookup, X509_LOOKUP_TYPE type, const X509_NAME *name, X509_OBJECT *result) {
    trust_bundle *bundle = X509_LOOKUP_get_method_data(lookup);
    X509_STORE *store = X509_LOOKUP_get_store(lookup);
    if (bundle == NULL || store == NULL || type != X509_LU_X509 || name == NULL) return 0;
    if (bundle->read_state == 0) read_bundle(bundle);
    if (bundle->read_state != 1) return 0;
    bundle->lookups++;
    if (!add_matches(store, bundle, name, 0) && !add_matches(store, bundle, name, 1)) return 0;
    // Answer with the store's own object, as OpenSSL's directory lookup does: the caller takes its
    // own reference, so `result` must not keep one (set1 adds one, the free below drops it).
    X509_OBJECT *stored = X509_OBJECT_retrieve_by_subject(X509_STORE_get0_objects(store), X509_LU_X509, name);
    X509 *certificate = stored ? X509_OBJECT_get0_X509(stored) : NULL;
    if (certificate == NULL || !X509_OBJECT_set1_X509(result, certificate)) return 0;
    X509_free(certificate);
    return 1;
}

int trust_bundle_install(void *ssl_ctx, trust_bundle *bundle) {
    if (bundle_method == NULL) {
        X509_LOOKUP_METHOD *method = X509_LOOKUP_meth_new("lazy PEM bundle");
        if (method == NULL || !X509_LOOKUP_meth_set_get_by_subject(method, get_by_subject)) {
            X509_LOOKUP_meth_free(method);
            return 0;
        }
        bundle_method = method;
    }
    X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)ssl_ctx);
    X509_LOOKUP *lookup = store ? X509_STORE_add_lookup(store, bundle_method) : NULL;
    return lookup != NULL && X509_LOOKUP_set_method_data(lookup, bundle);
}
