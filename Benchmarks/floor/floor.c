// The floor: the upload notifier's loop as a minimal C program on libcurl and libcrypto.
//
//   GET /runtime/invocation/next → pull the fields out of the event → one signed webhook POST →
//   POST /runtime/invocation/{id}/response
//
// It does the same per-record work as `bootstrap` (URL-decode the key, check the
// {prefix}{userId}/temp/{fileName} grammar, webhook-id = upl_ + base64url(SHA-256(bucket, key,
// versionId, sequencer)), the same sorted-keys JSON body, Standard Webhooks v1 HMAC-SHA256, the same
// headers, the same response JSON) with the least possible machinery: no JSON parser (a scanner
// finds each field by name in the first record; escapes are undone, \u escapes are not), no
// retries, no logging framework (one write(2) per invocation, like the notifier's one log line).
// It is a yardstick, not a product: it trusts its input and handles one record per event.
//
// HTTPS: libcurl's own CA handling. CURL_CA_BUNDLE (as the curl tool reads it) names the PEM bundle
// for CURLOPT_CAINFO, which libcurl loads whole into the TLS context of its first connection; unset,
// Debian's built-in default (/etc/ssl/certs/ca-certificates.crt) applies.
//
// Build: cc -O2 -o floor floor.c -lcurl -lcrypto
#define _GNU_SOURCE
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct buffer {
    char *data;
    size_t length, capacity;
};

static void append(struct buffer *b, const char *data, size_t length) {
    if (b->length + length + 1 > b->capacity) {
        b->capacity = (b->length + length + 1) * 2;
        b->data = realloc(b->data, b->capacity);
    }
    memcpy(b->data + b->length, data, length);
    b->length += length;
    b->data[b->length] = 0;
}

static void appends(struct buffer *b, const char *text) { append(b, text, strlen(text)); }

static size_t on_body(char *data, size_t size, size_t count, void *context) {
    append(context, data, size * count);
    return size * count;
}

struct next_headers {
    char request_id[128];
    char trace_id[256];
};

static void copy_header(const char *line, size_t length, const char *name, char *out, size_t out_size) {
    size_t name_length = strlen(name);
    if (length <= name_length + 1 || strncasecmp(line, name, name_length) != 0 || line[name_length] != ':') return;
    const char *v = line + name_length + 1;
    const char *end = line + length;
    while (v < end && *v == ' ') v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ')) end--;
    size_t n = (size_t)(end - v) < out_size - 1 ? (size_t)(end - v) : out_size - 1;
    memcpy(out, v, n);
    out[n] = 0;
}

static size_t on_header(char *data, size_t size, size_t count, void *context) {
    struct next_headers *h = context;
    copy_header(data, size * count, "Lambda-Runtime-Aws-Request-Id", h->request_id, sizeof h->request_id);
    copy_header(data, size * count, "Lambda-Runtime-Trace-Id", h->trace_id, sizeof h->trace_id);
    return size * count;
}

// Finds `"name": <value>` and returns the value: a string (unescaped), a number's text, or NULL
// for null/absent. Good enough for S3 notifications, which is all the floor is for.
static char *field(const char *json, const char *name) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\"", name);
    const char *p = strstr(json, pattern);
    if (!p) return NULL;
    p += strlen(pattern);
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    if (*p++ != ':') return NULL;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
    if (*p == '"') {
        p++;
        char *out = malloc(strlen(p) + 1), *o = out;
        while (*p && *p != '"') {
            if (*p == '\\' && p[1]) {
                p++;
                switch (*p) {
                case 'n': *o++ = '\n'; break;
                case 't': *o++ = '\t'; break;
                case 'r': *o++ = '\r'; break;
                case 'b': *o++ = '\b'; break;
                case 'f': *o++ = '\f'; break;
                default: *o++ = *p;  // \" \\ \/
                }
                p++;
            } else {
                *o++ = *p++;
            }
        }
        *o = 0;
        return out;
    }
    if (!strncmp(p, "null", 4)) return NULL;
    const char *start = p;
    while (*p && *p != ',' && *p != '}' && *p != ' ' && *p != '\n') p++;
    return strndup(start, (size_t)(p - start));
}

static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Form-URL-decoding, as S3 writes keys: '+' is a space, %XX a byte. NULL when malformed.
static char *url_decode(const char *in) {
    char *out = malloc(strlen(in) + 1), *o = out;
    for (; *in; in++) {
        if (*in == '+') {
            *o++ = ' ';
        } else if (*in == '%') {
            int high = in[1] ? hex(in[1]) : -1, low = high >= 0 && in[2] ? hex(in[2]) : -1;
            if (high < 0 || low < 0) { free(out); return NULL; }
            *o++ = (char)(high << 4 | low);
            in += 2;
        } else {
            *o++ = *in;
        }
    }
    *o = 0;
    return out;
}

static void json_string(struct buffer *b, const char *s) {
    if (!s) { appends(b, "null"); return; }
    appends(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') { char e[2] = {'\\', (char)c}; append(b, e, 2); }
        else if (c < 0x20) { char e[8]; snprintf(e, sizeof e, "\\u%04x", c); appends(b, e); }
        else append(b, (const char *)&c, 1);
    }
    appends(b, "\"");
}

static void base64(const unsigned char *in, int length, char *out) { EVP_EncodeBlock((unsigned char *)out, in, length); }

static const char *env(const char *name, const char *fallback) {
    const char *v = getenv(name);
    return v && *v ? v : fallback;
}

/// One POST of `payload` on a reused handle; the response body goes to `sink`. timeout_ms 0: none.
static const char *ca_bundle;  // CURL_CA_BUNDLE, or NULL for libcurl's default

static CURLcode post(CURL *handle, const char *url, struct curl_slist *headers, const struct buffer *payload,
                     long timeout_ms, struct buffer *sink) {
    sink->length = 0;
    curl_easy_reset(handle);
    curl_easy_setopt(handle, CURLOPT_URL, url);
    if (ca_bundle) curl_easy_setopt(handle, CURLOPT_CAINFO, ca_bundle);
    curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, payload->data);
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE, (long)payload->length);
    if (timeout_ms) curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(handle, CURLOPT_WRITEDATA, sink);
    return curl_easy_perform(handle);
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    const char *base = getenv("API_BASE_URL");
    const char *api_key = getenv("WEBHOOK_API_KEY");
    if (!api || !base || !api_key) { fputs("AWS_LAMBDA_RUNTIME_API, API_BASE_URL and WEBHOOK_API_KEY are required\n", stderr); return 2; }
    const char *prefix = env("AUDIO_FILES_PREFIX", "audio-files/");
    ca_bundle = env("CURL_CA_BUNDLE", NULL);
    const char *secret = getenv("WEBHOOK_SIGNING_SECRET");
    unsigned char key[128];
    int key_length;
    if (secret && !strncmp(secret, "whsec_", 6)) {
        key_length = EVP_DecodeBlock(key, (const unsigned char *)secret + 6, (int)strlen(secret + 6));
        for (const char *s = secret + strlen(secret); s > secret && s[-1] == '='; s--) key_length--;
    } else {
        key_length = (int)strlen(api_key);
        memcpy(key, api_key, (size_t)key_length);
    }
    char webhook_url[1024], next_url[512], api_key_header[512];
    snprintf(webhook_url, sizeof webhook_url, "%s%s", base, env("WEBHOOK_PATH", "/api/v1/audio-files/webhooks/upload-notification"));
    snprintf(next_url, sizeof next_url, "http://%s/2018-06-01/runtime/invocation/next", api);
    snprintf(api_key_header, sizeof api_key_header, "X-Webhook-Api-Key: %s", api_key);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURL *runtime = curl_easy_init(), *webhook = curl_easy_init();
    struct buffer event = {0}, body = {0}, response = {0}, sink = {0};
    fprintf(stderr, "floor ready\n");

    for (;;) {
        struct next_headers headers = {{0}, {0}};
        event.length = 0;
        curl_easy_reset(runtime);
        curl_easy_setopt(runtime, CURLOPT_URL, next_url);
        curl_easy_setopt(runtime, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(runtime, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(runtime, CURLOPT_WRITEDATA, &event);
        curl_easy_setopt(runtime, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(runtime, CURLOPT_HEADERDATA, &headers);
        if (curl_easy_perform(runtime) != CURLE_OK || !headers.request_id[0] || !event.data) return 1;

        char *bucket = field(event.data, "name"), *raw_key = field(event.data, "key");
        char *size = field(event.data, "size"), *etag = field(event.data, "eTag");
        char *version = field(event.data, "versionId"), *sequencer = field(event.data, "sequencer");
        char *event_name = field(event.data, "eventName"), *event_time = field(event.data, "eventTime");
        char *region = field(event.data, "awsRegion");
        char *object_key = raw_key ? url_decode(raw_key) : NULL;

        // {prefix}{userId}/temp/{fileName}
        const char *rest = object_key && !strncmp(object_key, prefix, strlen(prefix)) ? object_key + strlen(prefix) : NULL;
        const char *slash = rest ? strchr(rest, '/') : NULL;
        int notify = event_name && !strncmp(event_name, "ObjectCreated:", 14) && slash && slash > rest
            && !strncmp(slash, "/temp/", 6) && slash[6] && !strchr(slash + 6, '/');
        response.length = 0;
        int failed = 0;
        if (notify) {
            char *user_id = strndup(rest, (size_t)(slash - rest));
            const char *file_name = slash + 6;
            const char *dot = strrchr(file_name, '.');
            char *file_id = dot ? strndup(file_name, (size_t)(dot - file_name)) : strdup(file_name);
            const char *extension = dot && dot[1] ? dot + 1 : NULL;

            // webhook-id
            struct buffer material = {0};
            appends(&material, "audio_file.uploaded");
            append(&material, "", 1);
            appends(&material, bucket);
            append(&material, "", 1);
            appends(&material, object_key);
            append(&material, "", 1);
            appends(&material, version ? version : "");
            append(&material, "", 1);
            appends(&material, sequencer ? sequencer : "");
            unsigned char digest[32];
            unsigned int digest_length = 0;
            EVP_Digest(material.data, material.length, digest, &digest_length, EVP_sha256(), NULL);
            char id[64] = "upl_", b64[64];
            base64(digest, 32, b64);
            char *o = id + 4;
            for (char *s = b64; *s && *s != '='; s++) *o++ = *s == '+' ? '-' : *s == '/' ? '_' : *s;
            *o = 0;
            free(material.data);

            // The body: the same keys, sorted, as the notifier sends.
            char s3_uri[2048];
            snprintf(s3_uri, sizeof s3_uri, "s3://%s/%s", bucket, object_key);
            body.length = 0;
            appends(&body, "{\"data\":{\"awsRegion\":"); json_string(&body, region);
            appends(&body, ",\"bucket\":"); json_string(&body, bucket);
            appends(&body, ",\"contentType\":null"); // no HeadObject (FETCH_OBJECT_METADATA=false)
            appends(&body, ",\"eTag\":"); json_string(&body, etag);
            appends(&body, ",\"eventName\":"); json_string(&body, event_name);
            appends(&body, ",\"eventTime\":"); json_string(&body, event_time);
            appends(&body, ",\"fileExtension\":"); json_string(&body, extension);
            appends(&body, ",\"fileId\":"); json_string(&body, file_id);
            appends(&body, ",\"key\":"); json_string(&body, object_key);
            appends(&body, ",\"metadata\":null");
            appends(&body, ",\"s3Uri\":"); json_string(&body, s3_uri);
            appends(&body, ",\"sequencer\":"); json_string(&body, sequencer);
            appends(&body, ",\"size\":"); appends(&body, size ? size : "null");
            appends(&body, ",\"userId\":"); json_string(&body, user_id);
            appends(&body, ",\"versionId\":"); json_string(&body, version);
            appends(&body, "},\"timestamp\":"); json_string(&body, event_time);
            appends(&body, ",\"type\":\"audio_file.uploaded\"}");

            // Standard Webhooks v1
            long timestamp = (long)time(NULL);
            struct buffer signed_content = {0};
            char prefix_text[128];
            int n = snprintf(prefix_text, sizeof prefix_text, "%s.%ld.", id, timestamp);
            append(&signed_content, prefix_text, (size_t)n);
            append(&signed_content, body.data, body.length);
            unsigned char mac[32];
            unsigned int mac_length = 0;
            HMAC(EVP_sha256(), key, key_length, (unsigned char *)signed_content.data, signed_content.length, mac, &mac_length);
            free(signed_content.data);
            char signature[128] = "webhook-signature: v1,";
            base64(mac, 32, signature + strlen(signature));

            char id_header[128], timestamp_header[64], trace_header[300];
            snprintf(id_header, sizeof id_header, "webhook-id: %s", id);
            snprintf(timestamp_header, sizeof timestamp_header, "webhook-timestamp: %ld", timestamp);
            struct curl_slist *list = NULL;
            list = curl_slist_append(list, "Content-Type: application/json");
            list = curl_slist_append(list, "User-Agent: AudioUploadNotifier/1.0.0");
            list = curl_slist_append(list, api_key_header);
            list = curl_slist_append(list, id_header);
            list = curl_slist_append(list, timestamp_header);
            list = curl_slist_append(list, signature);
            if (headers.trace_id[0]) {
                snprintf(trace_header, sizeof trace_header, "X-Amzn-Trace-Id: %s", headers.trace_id);
                list = curl_slist_append(list, trace_header);
            }
            list = curl_slist_append(list, "Expect:");
            CURLcode code = post(webhook, webhook_url, list, &body, 5000L, &sink);
            long status = 0;
            curl_easy_getinfo(webhook, CURLINFO_RESPONSE_CODE, &status);
            curl_slist_free_all(list);

            char line[512];
            int line_length = snprintf(line, sizeof line, "%s\tINFO\twebhook delivered key=%s status=%ld webhookId=%s\n",
                                       headers.request_id, object_key, status, id);
            if (write(2, line, (size_t)line_length) < 0) { /* logging is best effort */ }
            if (code == CURLE_OK && status >= 200 && status < 300) {
                appends(&response, "{\"delivered\":1,\"skipped\":0,\"results\":[{\"key\":");
                json_string(&response, object_key);
                appends(&response, ",\"outcome\":\"delivered\",\"webhookId\":\"");
                appends(&response, id);
                appends(&response, "\"}]}");
            } else {
                failed = 1;
                appends(&response, "{\"errorType\":\"WebhookDeliveryFailed\",\"errorMessage\":\"webhook not delivered\",\"stackTrace\":[]}");
            }
            free(user_id);
            free(file_id);
        }
        if (!response.length) {
            appends(&response, "{\"delivered\":0,\"skipped\":1,\"results\":[{\"key\":");
            json_string(&response, object_key ? object_key : "");
            appends(&response, ",\"outcome\":\"skipped\",\"reason\":\"not an upload\"}]}");
        }

        char response_url[512];
        snprintf(response_url, sizeof response_url, "http://%s/2018-06-01/runtime/invocation/%s/%s", api, headers.request_id,
                 failed ? "error" : "response");
        struct curl_slist *expect = curl_slist_append(NULL, "Expect:");
        if (failed) expect = curl_slist_append(expect, "Lambda-Runtime-Function-Error-Type: WebhookDeliveryFailed");
        CURLcode posted = post(runtime, response_url, expect, &response, 0, &sink);
        curl_slist_free_all(expect);
        free(bucket); free(raw_key); free(size); free(etag); free(version); free(sequencer);
        free(event_name); free(event_time); free(region); free(object_key);
        if (posted != CURLE_OK) return 1;
    }
}
