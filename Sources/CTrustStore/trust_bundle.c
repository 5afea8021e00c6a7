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

/// One certificate of the bundle: where its base64 text is in the file, and its subject's DER.
typedef struct {
    size_t base64_offset, base64_length;   ///< into `trust_bundle.pem`
    size_t subject_offset, subject_length; ///< into `trust_bundle.subjects`
    int trusted_form;       ///< "TRUSTED CERTIFICATE": DER followed by OpenSSL's trust settings
    X509 *decoded;          ///< owned; NULL until a lookup asks for it
    X509_NAME *subject;     ///< owned; decoded only for the canonical-name fallback
} bundle_entry;

struct trust_bundle {
    char *path;
    int read_state, read_errno;
    char *pem;                  ///< the file, kept: a matching certificate is decoded from it
    size_t pem_length;
    unsigned char *subjects;    ///< every certificate's subject DER, back to back
    size_t subjects_length, subjects_capacity;
    bundle_entry *entries;
    size_t count, capacity;
    size_t decoded, lookups;
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
    free(bundle->subjects);
    free(bundle->pem);
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

enum { B64_SKIP = 0x40, B64_END = 0x41, B64_BAD = 0xff };

/// Base64 digit values; whitespace is skipped and '=' ends the data (RFC 7468 text).
static const unsigned char *base64_table(void) {
    static unsigned char table[256];
    if (table['A'] == 0 && table['B'] == 0) {
        memset(table, B64_BAD, sizeof table);
        const char *digits = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (unsigned char i = 0; i < 64; i++) table[(unsigned char)digits[i]] = i;
        table[' '] = table['\t'] = table['\r'] = table['\n'] = B64_SKIP;
        table['='] = B64_END;
    }
    return table;
}

/// Decodes base64 text from `*text` (up to `end`) into `out`, at most `capacity` bytes, whole groups of
/// four digits at a time; `*text` is left where decoding stopped. Returns the bytes written, or -1 on a
/// character that is not base64.
static long base64_decode(const char **text, const char *end, unsigned char *out, size_t capacity) {
    const unsigned char *table = base64_table();
    const char *p = *text;
    size_t written = 0;
    unsigned int group = 0, digits = 0;
    while (p < end && written + 3 <= capacity) {
        // Four digits at a time while there is no line break, padding or stray byte among them.
        if (digits == 0 && end - p >= 4) {
            unsigned char a = table[(unsigned char)p[0]], b = table[(unsigned char)p[1]];
            unsigned char c = table[(unsigned char)p[2]], d = table[(unsigned char)p[3]];
            if ((a | b | c | d) < 64) {
                group = (unsigned int)a << 18 | (unsigned int)b << 12 | (unsigned int)c << 6 | d;
                out[written] = (unsigned char)(group >> 16);
                out[written + 1] = (unsigned char)(group >> 8);
                out[written + 2] = (unsigned char)group;
                written += 3;
                p += 4;
                *text = p;
                continue;
            }
        }
        unsigned char value = table[(unsigned char)*p++];
        if (value >= 64) {  // one test for the rare cases
            if (value == B64_SKIP) continue;
            if (value == B64_END) break;
            return -1;
        }
        group = group << 6 | value;
        if (++digits == 4) {
            out[written] = (unsigned char)(group >> 16);
            out[written + 1] = (unsigned char)(group >> 8);
            out[written + 2] = (unsigned char)group;
            written += 3;
            group = 0;
            digits = 0;
            *text = p;
        }
    }
    if (digits == 2 && written < capacity) {  // "xx==": one final byte
        out[written++] = (unsigned char)(group >> 4);
        *text = end;
    } else if (digits == 3 && written + 2 <= capacity) {  // "xxx=": two
        out[written++] = (unsigned char)(group >> 10);
        out[written++] = (unsigned char)(group >> 2);
        *text = end;
    } else if (p >= end || (p > *text && table[(unsigned char)p[-1]] == B64_END)) {
        *text = end;
    }
    return (long)written;
}

/// Reads one DER tag and length at `*at`; on success `*at` points at the value, which is checked to
/// lie within `end` only when `whole` (a certificate's outer sequences may extend past a prefix).
static int der_header(const unsigned char **at, const unsigned char *end, int whole, unsigned char *tag, size_t *length) {
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
    if (whole && (size_t)(end - p) < n) return 0;
    *at = p;
    *length = n;
    return 1;
}

/// Finds the subject Name in the first `available` bytes of a certificate's DER, without decoding it:
/// Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber,
/// signature, issuer, validity, subject, … }, … } (RFC 5280, 4.1). Returns 0 when those bytes do not
/// yet hold the whole subject (or are not a certificate).
static int find_subject(const unsigned char *der, size_t available, size_t *offset, size_t *subject_length) {
    const unsigned char *p = der, *end = der + available;
    unsigned char tag;
    size_t n;
    if (!der_header(&p, end, 0, &tag, &n) || tag != 0x30) return 0;  // Certificate
    if (!der_header(&p, end, 0, &tag, &n) || tag != 0x30) return 0;  // tbsCertificate
    const unsigned char *field = p;
    if (!der_header(&p, end, 1, &tag, &n)) return 0;
    p = tag == 0xa0 ? p + n : field;  // skip the explicit version
    // serialNumber, signature, issuer, validity: skip four fields.
    for (int skip = 0; skip < 4; skip++) {
        if (!der_header(&p, end, 1, &tag, &n)) return 0;
        p += n;
    }
    const unsigned char *subject = p;
    if (!der_header(&p, end, 1, &tag, &n) || tag != 0x30) return 0;
    *offset = (size_t)(subject - der);
    *subject_length = (size_t)(p + n - subject);
    return 1;
}

static void *grow(void *buffer, size_t *capacity, size_t needed, size_t element) {
    if (needed <= *capacity) return buffer;
    size_t grown = *capacity ? *capacity : 64;
    while (grown < needed) grown *= 2;
    void *larger = realloc(buffer, grown * element);
    if (larger != NULL) *capacity = grown;
    return larger;
}

/// Indexes one certificate's base64 text: decodes only as much of it as holds the subject (a few
/// hundred bytes of a ~1.4 kB certificate) and keeps a copy of the subject's DER.
static int index_certificate(trust_bundle *bundle, const char *base64, const char *end, int trusted_form) {
    unsigned char prefix[4096];
    const char *text = base64;
    size_t have = 0, offset, length;
    for (size_t want = 384; ; want *= 2) {  // most subjects end within 384 bytes
        if (want > sizeof prefix) want = sizeof prefix;
        long got = base64_decode(&text, end, prefix + have, want - have);
        if (got < 0) return 1;  // not base64: skipped, as OpenSSL skips what it cannot read
        have += (size_t)got;
        if (find_subject(prefix, have, &offset, &length)) break;
        if (text >= end || have >= sizeof prefix || got == 0) return 1;  // no subject: skipped
    }
    unsigned char *subjects = grow(bundle->subjects, &bundle->subjects_capacity,
                                   bundle->subjects_length + length, 1);
    bundle_entry *entries = grow(bundle->entries, &bundle->capacity, bundle->count + 1, sizeof *entries);
    if (subjects != NULL) bundle->subjects = subjects;
    if (entries != NULL) bundle->entries = entries;
    if (subjects == NULL || entries == NULL) return 0;
    memcpy(bundle->subjects + bundle->subjects_length, prefix + offset, length);
    bundle->entries[bundle->count++] = (bundle_entry){
        .base64_offset = (size_t)(base64 - bundle->pem), .base64_length = (size_t)(end - base64),
        .subject_offset = bundle->subjects_length, .subject_length = length, .trusted_form = trusted_form,
    };
    bundle->subjects_length += length;
    return 1;
}

/// Indexes every PEM certificate block of the file. Blocks that are not certificates (keys, CRLs)
/// and malformed blocks are skipped, as OpenSSL's own file lookup skips what it cannot use.
static int index_pem(trust_bundle *bundle) {
    static const char begin[] = "-----BEGIN ", end_marker[] = "-----END ";
    static const char certificate[] = "CERTIFICATE-----", trusted[] = "TRUSTED CERTIFICATE-----";
    const char *p = bundle->pem, *limit = bundle->pem + bundle->pem_length;
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
        if (!index_certificate(bundle, p, body_end, trusted_form)) return 0;
        p = body_end;
    }
    return 1;
}

static void read_bundle(trust_bundle *bundle) {
    FILE *file = fopen(bundle->path, "rb");
    struct stat info;
    if (file == NULL || fstat(fileno(file), &info) != 0) goto failed;
    bundle->pem = malloc((size_t)info.st_size + 1);
    if (bundle->pem == NULL) goto failed;
    bundle->pem_length = fread(bundle->pem, 1, (size_t)info.st_size, file);
    if (ferror(file)) goto failed;
    fclose(file);
    file = NULL;
    if (!index_pem(bundle)) goto failed;
    bundle->read_state = 1;
    return;
failed:
    bundle->read_errno = errno ? errno : EIO;
    bundle->read_state = -1;
    if (file != NULL) fclose(file);
}

// MARK: - The lookup

static X509 *decoded_certificate(trust_bundle *bundle, bundle_entry *entry) {
    if (entry->decoded == NULL) {
        const char *text = bundle->pem + entry->base64_offset;
        size_t capacity = entry->base64_length / 4 * 3 + 3;
        unsigned char *der = malloc(capacity);
        if (der == NULL) return NULL;
        long length = base64_decode(&text, text + entry->base64_length, der, capacity);
        const unsigned char *cursor = der;
        if (length > 0) {
            entry->decoded = entry->trusted_form ? d2i_X509_AUX(NULL, &cursor, length) : d2i_X509(NULL, &cursor, length);
        }
        free(der);
        if (entry->decoded != NULL) bundle->decoded++;
    }
    return entry->decoded;
}

/// Subject names compare in OpenSSL's canonical form (case and space folded), so two encodings of
/// one name can differ byte for byte. Rare in practice: tried only when no subject matched exactly.
static int canonical_match(trust_bundle *bundle, bundle_entry *entry, const X509_NAME *name) {
    if (entry->subject == NULL) {
        const unsigned char *der = bundle->subjects + entry->subject_offset;
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
                                    && memcmp(bundle->subjects + entry->subject_offset, wanted, wanted_length) == 0;
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
