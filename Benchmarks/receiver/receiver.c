// Webhook receiver for the benchmarks: answers every HTTP/1.1 request with 202 and keeps the
// connection alive, so it is never the bottleneck of the warm runs. Loopback only, single thread,
// epoll. It does not verify signatures itself: it writes the first --dump requests (raw bytes, after
// decryption when TLS) to a file, and bench.py verifies those with Python's hmac afterwards.
//
//   receiver --port 0 [--dump FILE] [--dump-count N] [--max-seconds S] [--tls-cert PEM --tls-key PEM]
//
// With --tls-cert/--tls-key it speaks HTTPS (OpenSSL, TLS 1.2 or later, the certificate chain and
// key from PEM files), everything else alike. Prints "PORT <n>" once listening; on SIGTERM/SIGINT
// (or after --max-seconds) prints "COUNT <requests> CONNECTIONS <accepted> HANDSHAKES <completed TLS
// handshakes> TLS_FAILURES <failed ones>" and exits 0.
//
// Build: cc -O2 -o receiver receiver.c -lssl -lcrypto
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CONNECTIONS 1024
#define BUFFER_BYTES (256 * 1024)

struct connection {
    int fd;
    size_t used;
    int continued;  // "100 Continue" already sent for the request in the buffer
    int handshaken; // TLS: the handshake completed
    SSL *ssl;       // NULL for plain HTTP
    char *buffer;
};

static volatile sig_atomic_t stopping = 0;
static void on_signal(int sig) { (void)sig; stopping = 1; }

static struct connection connections[MAX_CONNECTIONS];
static long requests = 0, accepted = 0, handshakes = 0, tls_failures = 0;
static SSL_CTX *tls = NULL;
static FILE *dump = NULL;
static long dump_left = 0;

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

// Waits (at most 1 s) until the socket is readable or writable, as TLS asks; 0 when it is.
static int wait_for(int fd, int error) {
    struct pollfd p = {.fd = fd, .events = error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT};
    return poll(&p, 1, 1000) == 1 ? 0 : -1;
}

static void send_all(struct connection *c, const char *data, size_t length) {
    int waits = 0;
    while (length > 0) {
        if (c->ssl) {
            int n = SSL_write(c->ssl, data, (int)length);
            if (n > 0) { data += n; length -= (size_t)n; continue; }
            int error = SSL_get_error(c->ssl, n);
            if ((error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) && ++waits <= 5
                && wait_for(c->fd, error) == 0) continue;
            return;  // the peer went away or is stuck; the read side notices
        }
        ssize_t n = send(c->fd, data, length, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && ++waits <= 5 && wait_for(c->fd, SSL_ERROR_WANT_WRITE) == 0)
            continue;
        if (n <= 0) return;  // the peer went away; the read side notices
        data += n;
        length -= (size_t)n;
    }
}

static void close_connection(int epoll_fd, struct connection *c) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    if (c->ssl) {
        if (c->handshaken) SSL_shutdown(c->ssl);  // close_notify, best effort (non-blocking)
        else tls_failures++;
        SSL_free(c->ssl);
        c->ssl = NULL;
    }
    close(c->fd);
    free(c->buffer);
    c->buffer = NULL;
    c->fd = -1;
}

// Case-insensitive search for a header line within the head; returns its value or NULL.
static const char *header_value(const char *head, size_t head_length, const char *name, size_t *value_length) {
    size_t name_length = strlen(name);
    const char *line = memchr(head, '\n', head_length);  // skip the request line
    const char *end = head + head_length;
    while (line && line + 1 < end) {
        line++;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol) eol = end;
        if ((size_t)(eol - line) > name_length && strncasecmp(line, name, name_length) == 0 && line[name_length] == ':') {
            const char *v = line + name_length + 1;
            while (v < eol && (*v == ' ' || *v == '\t')) v++;
            const char *ve = eol;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ')) ve--;
            *value_length = (size_t)(ve - v);
            return v;
        }
        line = eol;
    }
    return NULL;
}

// Serves every complete request in the buffer; returns 0 to keep the connection, -1 to close it.
static int serve(struct connection *c) {
    static const char accepted_keep[] = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n";
    static const char accepted_close[] = "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    for (;;) {
        char *head_end = memmem(c->buffer, c->used, "\r\n\r\n", 4);
        if (!head_end) return c->used >= BUFFER_BYTES ? -1 : 0;
        size_t head_length = (size_t)(head_end - c->buffer) + 4;
        size_t value_length = 0;
        long content_length = 0;
        const char *v = header_value(c->buffer, head_length, "Content-Length", &value_length);
        if (v) content_length = strtol(v, NULL, 10);
        if (content_length < 0 || head_length + (size_t)content_length > BUFFER_BYTES) return -1;
        if (c->used < head_length + (size_t)content_length) {
            if (!c->continued && header_value(c->buffer, head_length, "Expect", &value_length)) {
                static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
                send_all(c, cont, sizeof cont - 1);
                c->continued = 1;
            }
            return 0;
        }
        size_t total = head_length + (size_t)content_length;
        requests++;
        if (dump && dump_left > 0) {
            fprintf(dump, "=== REQUEST %zu\n", total);
            fwrite(c->buffer, 1, total, dump);
            fputc('\n', dump);
            fflush(dump);
            dump_left--;
        }
        const char *connection = header_value(c->buffer, head_length, "Connection", &value_length);
        int closing = connection && value_length == 5 && strncasecmp(connection, "close", 5) == 0;
        if (closing) {
            send_all(c, accepted_close, sizeof accepted_close - 1);
            return -1;
        }
        send_all(c, accepted_keep, sizeof accepted_keep - 1);
        memmove(c->buffer, c->buffer + total, c->used - total);
        c->used -= total;
        c->continued = 0;
    }
}

int main(int argc, char **argv) {
    int port = 0;
    double max_seconds = 600;
    const char *dump_path = NULL, *cert_path = NULL, *key_path = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--port")) port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--dump")) dump_path = argv[i + 1];
        else if (!strcmp(argv[i], "--dump-count")) dump_left = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--max-seconds")) max_seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--tls-cert")) cert_path = argv[i + 1];
        else if (!strcmp(argv[i], "--tls-key")) key_path = argv[i + 1];
        else { fprintf(stderr, "unknown option %s\n", argv[i]); return 2; }
    }
    if (!cert_path != !key_path) { fputs("--tls-cert and --tls-key go together\n", stderr); return 2; }
    if (cert_path) {
        tls = SSL_CTX_new(TLS_server_method());
        if (!tls || !SSL_CTX_set_min_proto_version(tls, TLS1_2_VERSION)
            || SSL_CTX_use_certificate_chain_file(tls, cert_path) != 1
            || SSL_CTX_use_PrivateKey_file(tls, key_path, SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(tls) != 1) {
            ERR_print_errors_fp(stderr);
            return 1;
        }
    }
    if (dump_path) {
        dump = fopen(dump_path, "w");
        if (!dump) { perror("dump"); return 1; }
        if (dump_left == 0) dump_left = 5;
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);

    int listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&address, sizeof address) || listen(listener, 512)) {
        perror("listen");
        return 1;
    }
    socklen_t length = sizeof address;
    getsockname(listener, (struct sockaddr *)&address, &length);
    printf("PORT %d\n", ntohs(address.sin_port));
    fflush(stdout);

    for (int i = 0; i < MAX_CONNECTIONS; i++) connections[i].fd = -1;
    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listener, &event);

    double deadline = now_seconds() + max_seconds;
    struct epoll_event ready[64];
    while (!stopping && now_seconds() < deadline) {
        int n = epoll_wait(epoll_fd, ready, 64, 200);
        for (int i = 0; i < n; i++) {
            struct connection *c = ready[i].data.ptr;
            if (!c) {
                for (;;) {
                    int fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (fd < 0) break;
                    int slot = -1;
                    for (int s = 0; s < MAX_CONNECTIONS; s++) if (connections[s].fd < 0) { slot = s; break; }
                    if (slot < 0) { close(fd); continue; }
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    accepted++;
                    connections[slot] = (struct connection){.fd = fd, .buffer = malloc(BUFFER_BYTES)};
                    if (tls) {
                        connections[slot].ssl = SSL_new(tls);
                        SSL_set_fd(connections[slot].ssl, fd);
                        SSL_set_accept_state(connections[slot].ssl);
                    }
                    struct epoll_event e = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = &connections[slot]};
                    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &e);
                }
                continue;
            }
            int keep = 1;
            while (c->ssl) {  // TLS: the handshake, then records until OpenSSL wants more bytes
                if (!c->handshaken) {
                    int done = SSL_do_handshake(c->ssl);
                    if (done == 1) { c->handshaken = 1; handshakes++; continue; }
                    int error = SSL_get_error(c->ssl, done);
                    if (error == SSL_ERROR_WANT_READ) break;
                    if (error == SSL_ERROR_WANT_WRITE && wait_for(c->fd, error) == 0) continue;
                    ERR_clear_error();
                    keep = 0;  // close_connection counts the failure
                    break;
                }
                int got = SSL_read(c->ssl, c->buffer + c->used, (int)(BUFFER_BYTES - c->used));
                if (got > 0) {
                    c->used += (size_t)got;
                    if (serve(c) < 0) { keep = 0; break; }
                    continue;
                }
                int error = SSL_get_error(c->ssl, got);
                if (error == SSL_ERROR_WANT_READ) break;
                if (error == SSL_ERROR_WANT_WRITE && wait_for(c->fd, error) == 0) continue;
                ERR_clear_error();
                keep = 0;  // closed (close_notify or EOF) or failed
                break;
            }
            for (; !c->ssl;) {
                ssize_t got = recv(c->fd, c->buffer + c->used, BUFFER_BYTES - c->used, 0);
                if (got > 0) {
                    c->used += (size_t)got;
                    if (serve(c) < 0) { keep = 0; break; }
                    continue;
                }
                if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                if (got < 0 && errno == EINTR) continue;
                keep = 0;  // closed or failed
                break;
            }
            if (!keep) close_connection(epoll_fd, c);
        }
    }
    printf("COUNT %ld CONNECTIONS %ld HANDSHAKES %ld TLS_FAILURES %ld\n", requests, accepted, handshakes, tls_failures);
    fflush(stdout);
    if (dump) fclose(dump);
    return 0;
}
