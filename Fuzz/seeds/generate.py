#!/usr/bin/env python3
"""Writes the hand-made seed corpus of every fuzz target into Fuzz/seeds/<target>/.

Seeds are the repository's real inputs (events/*.json, the keys in them and in the tests' fixtures,
the Runtime API's headers, whsec_ secrets with real signatures, HTTP-dates in the three RFC 9110
forms, small real ELF files built here) plus a few edge cases each. Deterministic: run it again and only a
changed input changes a file. The ELF seeds need gcc, clang and ld.lld (the Swift toolchain's);
without them the committed ELF files are kept as they are.

    python3 Fuzz/seeds/generate.py
"""
import base64
import hashlib
import hmac
import json
import os
import shutil
import struct
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def write(target, name, data):
    directory = os.path.join(HERE, target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def lines(*fields):
    return "\n".join(fields)


def event_files():
    events = os.path.join(ROOT, "events")
    return sorted(os.path.join(events, n) for n in os.listdir(events) if n.endswith(".json"))


# --- FuzzS3Event: events/*.json and JSON edge cases -------------------------------------------------

def s3_event():
    for path in event_files():
        with open(path, "rb") as f:
            write("FuzzS3Event", "event-" + os.path.basename(path), f.read())
    edge = {
        "escapes": r'{"a":"\"\\\/\b\f\n\r\t\u00e9\uD83C\uDFB5\u0000"}',
        "numbers": "[0,-0,1.5e3,-1E-3,123456789012345678901234567890,9223372036854775807,-9223372036854775808,1e400]",
        "literals": "[true,false,null,{},[],\"\"]",
        "duplicate-names": '{"a":1,"a":2,"Records":null,"Event":"s3:TestEvent"}',
        "raw-utf8": '["\u00e9\u20ac\U0001F3B5", "\ufeffbom"]',
        "nested": "[" * 40 + "]" * 40,
        "whitespace": " \t\r\n{ \"a\" : [ 1 , 2 ] }\n",
        "trailing-comma": "[1,2,]",
        "bom": "\ufeff{}",
        "utf16": "{}".encode("utf-16-le").decode("latin-1"),
        "test-event": '{"Service":"Amazon S3","Event":"s3:TestEvent","Time":"2026-11-29T03:44:53.123Z",'
                      '"Bucket":"uploads","RequestId":"R","HostId":"H"}',
        "records-empty": '{"Records":[]}',
        "record-minimal": '{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",'
                          '"s3":{"bucket":{"name":"b"},"object":{"key":"audio-files/u/temp/a.wav","size":1}}}]}',
    }
    for name, text in edge.items():
        data = text.encode("latin-1") if name == "utf16" else text.encode()
        write("FuzzS3Event", "json-" + name, data)


# --- FuzzS3Route: events/*.json (every route's shape) -----------------------------------------------

def s3_route():
    for path in event_files():
        with open(path, "rb") as f:
            write("FuzzS3Route", "event-" + os.path.basename(path), f.read())


# --- FuzzObjectKey: keys from events/ and the tests' fixtures ---------------------------------------

def object_keys():
    keys = set()
    for path in event_files():
        try:
            with open(path, "rb") as f:
                document = json.load(f)
        except ValueError:
            continue
        for record in document.get("Records", []) if isinstance(document, dict) else []:
            try:
                keys.add(record["s3"]["object"]["key"])
            except (KeyError, TypeError):
                pass
    keys |= {
        "audio-files/../temp/a.wav", "audio-files/./temp/a.wav", "audio-files//temp/a.wav",
        "audio-files/%00/temp/a.wav", "audio-files/u/TEMP/a.wav", "audio-files/u/a.wav",
        "audio-files/u/short/deep/a.wav", "audio-files/u/temp/..", "audio-files/u/temp/%CC%81a.wav",
        "audio-files/u/temp/a/%CC%81b.wav", "audio-files/u/temp/a%01.wav", "audio-files/u/temp/a%C2%80.wav",
        "audio-files/u/temp/a%C2%85.wav", "audio-files/u/temp/a%C2%9F.wav", "audio-files/u/temp/archive.tar.gz",
        "audio-files/u/temp/my+song+%C3%A9.mp3", "audio-files/u/temp/trailing.", "audio-files/u/temp/a.wav/",
        "audio-files/u%7F/temp/a.wav", "audio-files/user+1/temp/a%2Bb.wav", "audio-files/u%C3%A9%F0%9F%8E%B5",
        "audio-files/u/tmp/a.wav", "audio-files/u/temp/%", "audio-files/u/temp/%4", "audio-files/u/temp/%ED%A0%80.wav",
    }
    for index, key in enumerate(sorted(keys)):
        write("FuzzObjectKey", "key-%02d" % index, key)
    # With the other fields: prefix, bucket, allowed buckets, eventName, versionId, sequencer.
    write("FuzzObjectKey", "fields-allowed", lines("audio-files/u-1/temp/a.wav", "audio-files/", "uploads",
                                                   "uploads other", "ObjectCreated:CompleteMultipartUpload",
                                                   "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY", "0055AED6DCD90281E5"))
    write("FuzzObjectKey", "fields-not-allowed", lines("audio-files/u-1/temp/a.wav", "audio-files/", "elsewhere", "uploads"))
    write("FuzzObjectKey", "fields-removed", lines("audio-files/u-1/temp/a.wav", "audio-files/", "uploads", "", "ObjectRemoved:Delete"))
    write("FuzzObjectKey", "fields-empty-prefix", lines("u-1/temp/a.wav", ""))


# --- FuzzInvocation: the Runtime API's next response headers ----------------------------------------

def invocation():
    full = [
        "Content-Type: application/json",
        "Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd",
        "Lambda-Runtime-Deadline-Ms: 1542409706888",
        "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-2:123456789012:function:custom-runtime",
        "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
        'Lambda-Runtime-Client-Context: {"client":{}}',
        'Lambda-Runtime-Cognito-Identity: {"cognitoIdentityId":"x"}',
        "Date: Sun, 29 Nov 2026 03:44:53 GMT",
        "Content-Length: 2",
    ]
    write("FuzzInvocation", "full", "\r\n".join(full) + "\r\n\r\n")
    write("FuzzInvocation", "minimal", "lambda-runtime-aws-request-id: r\nlambda-runtime-deadline-ms: 1\n")
    for name, deadline in [("max", "9223372036854775807"), ("min", "-9223372036854775808"), ("zero", "0"),
                           ("overflow", "9223372036854775808"), ("soon", "soon"), ("plus", "+1")]:
        write("FuzzInvocation", "deadline-" + name,
              "Lambda-Runtime-Aws-Request-Id: r\nLambda-Runtime-Deadline-Ms: %s\n" % deadline)
    write("FuzzInvocation", "no-request-id", "Lambda-Runtime-Deadline-Ms: 1\n")
    write("FuzzInvocation", "empty-request-id", "Lambda-Runtime-Aws-Request-Id:   \t\nLambda-Runtime-Deadline-Ms: 1\n")
    write("FuzzInvocation", "duplicates", "Lambda-Runtime-Aws-Request-Id: a\nLAMBDA-RUNTIME-AWS-REQUEST-ID: b\n"
                                          "Lambda-Runtime-Deadline-Ms: 2\nLambda-Runtime-Deadline-Ms: x\n")
    write("FuzzInvocation", "colons", "Lambda-Runtime-Aws-Request-Id:: a:b\nLambda-Runtime-Deadline-Ms:7\nno colon\n")


# --- FuzzWebhook: whsec_ secrets and real signatures ------------------------------------------------

def webhook():
    key = bytes(range(1, 33))
    secret = "whsec_" + base64.b64encode(key).decode()
    other = "whsec_" + base64.b64encode(b"k" * 24).decode()
    msg_id, timestamp, body = "upl_4qM0cJp3x1d8wq2Tn6hxxo4J1zPRmWbQk0lC2HnBr7E", "1700000000", \
        b'{"type":"audio.uploaded","data":{"userId":"u-1"}}'

    def sign(k, i, t, b):
        mac = hmac.new(k, ("%s.%s." % (i, t)).encode() + b, hashlib.sha256).digest()
        return "v1," + base64.b64encode(mac).decode()

    good = sign(key, msg_id, timestamp, body)
    write("FuzzWebhook", "valid", lines(secret, msg_id, timestamp, good, "1700000100").encode() + b"\n" + body)
    write("FuzzWebhook", "valid-rotated", lines(other + " " + secret, msg_id, timestamp,
                                                sign(b"x" * 32, msg_id, timestamp, body) + " " + good,
                                                "1700000000").encode() + b"\n" + body)
    write("FuzzWebhook", "expired", lines(secret, msg_id, timestamp, good, "1700000301").encode() + b"\n" + body)
    write("FuzzWebhook", "wrong-body", lines(secret, msg_id, timestamp, good, "1700000000").encode() + b"\n{}")
    write("FuzzWebhook", "empty-body", lines(secret, "id", "0", sign(key, "id", "0", b""), "0", ""))
    write("FuzzWebhook", "max-timestamp", lines(secret, "id", "9223372036854775807", "v1,AAAA", "-9223372036854775808", "b"))
    # The secrets the tests use, good and bad.
    for index, text in enumerate([
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8I", "whsec_QR==", "whsec_QUJDREVGR0g=",
        "whsec_TOPSECRETTOPSECRETTOPSECRET", "whsec_c2VjcmV0LXNlY3JldA==", "whsec_new whsec_old", "",
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", secret + "  " + other, secret[:-1] + "=", secret.replace("+", "-"),
    ]):
        write("FuzzWebhook", "secret-%02d" % index, lines(text, msg_id, timestamp, good, "1700000000"))


# --- FuzzRetryAfter: delay-seconds and the three HTTP-date forms ------------------------------------

def retry_after():
    now = "784111777"  # Sun, 06 Nov 1994 08:49:37 GMT
    values = [
        "120", "0", "  5\t", "9223372036854775807", "99999999999999999999", "-1", "1.5", "",
        "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
        "Fri, 31 Dec 9999 23:59:59 GMT", "Thu, 01 Jan 1970 00:00:00 GMT", "Sat, 29 Feb 2020 23:59:60 GMT",
        "Sunday, 06-Nov-69 08:49:37 GMT", "Sun Nov  6 08:49:37 99999999999999999", "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 9999999999999:49:37 GMT", "Sun, 06 Nov 19944 08:49:37 GMT",
        "Sun, 06 Nov 9223372036854775807 08:49:37 GMT", "Sun, 06 Nov 994 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 08:49:37 UTC", "Wed, 02 Dec 2026 14:00:00 GMT",
    ]
    for index, value in enumerate(values):
        write("FuzzRetryAfter", "value-%02d" % index, lines(now, value))
    write("FuzzRetryAfter", "now-min", lines("-9223372036854775808", "Sun, 06 Nov 1994 08:49:37 GMT"))
    write("FuzzRetryAfter", "now-max", lines("9223372036854775807", "Sun Nov  6 08:49:37 1994"))
    write("FuzzRetryAfter", "no-header", now)


# --- FuzzELF: small real binaries --------------------------------------------------------------------

def elf():
    # Not /bin/true (35 KB): x86_64-dynamic-libc-libm is the same kind of file (PIE, glibc, version
    # needs) in 5 KB, and every mutant of a seed, which the committed corpus keeps, is as large as it.
    with tempfile.TemporaryDirectory() as tmp:
        def path(name):
            return os.path.join(tmp, name)
        with open(path("start.c"), "w") as f:
            f.write("void _start(void) { for (;;) {} }\n")
        with open(path("hello.c"), "w") as f:
            f.write('#include <stdio.h>\n#include <string.h>\n#include <math.h>\n'
                    'int main(int c, char **v) { printf("%s %f\\n", strdup(v[0]), sqrt((double)c)); return 0; }\n')
        with open(path("stub.c"), "w") as f:
            f.write("int puts(const char *s) { return 0; }\nint __libc_start_main(void) { return 0; }\n")
        with open(path("use.c"), "w") as f:
            f.write('int puts(const char *s);\nvoid _start(void) { puts("x"); for (;;) {} }\n')
        with open(path("ver.map"), "w") as f:
            f.write("GLIBC_2.17 { global: puts; __libc_start_main; local: *; };\n")
        a64 = ["clang", "--target=aarch64-linux-gnu", "-Os", "-nostdlib", "-fuse-ld=lld"]
        # Small files: every mutant of a seed is as large as the seed, and the corpus is committed.
        compact = ["-Wl,-z,noseparate-code", "-Wl,--build-id=none", "-Wl,-z,norelro"]
        builds = {
            "x86_64-static-nostdlib": ["gcc", "-Os", "-static", "-nostdlib", "-s", "-Wl,-n", "-Wl,--build-id=none",
                                       "-o", path("out"), path("start.c")],
            "x86_64-dynamic-libc-libm": ["gcc", "-Os", "-s"] + compact + ["-o", path("out"), path("hello.c"), "-lm"],
            "x86_64-shared-object": ["gcc", "-Os", "-shared", "-fPIC", "-s"] + compact + ["-o", path("out"), path("stub.c")],
            "aarch64-static-nostdlib": a64 + ["-static", "-s", "-o", path("out"), path("start.c")],
            "aarch64-libc-versioned.so": a64 + ["-shared", "-fPIC", "-Wl,--version-script=" + path("ver.map"),
                                                "-Wl,-soname,libc.so.6", "-o", path("libc.so.6"), path("stub.c")],
            "aarch64-dynamic-versioned": a64 + ["-fPIE", "-pie", "-Wl,--dynamic-linker=/lib/ld-linux-aarch64.so.1", "-s",
                                                "-o", path("out"), path("use.c"), path("libc.so.6")],
        }
        for name, command in builds.items():
            try:
                subprocess.run(command, check=True, capture_output=True)
            except (OSError, subprocess.CalledProcessError) as error:
                print("skipping ELF seed %s: %s" % (name, error))
                continue
            shutil.copyfile(path("libc.so.6") if name.endswith(".so") and "aarch64" in name else path("out"),
                            os.path.join(HERE, "FuzzELF", name))
    # Cut-off and hostile headers built by hand: a bare ELF64 header with nothing behind it, and one
    # whose program header table lies far beyond the end of the file.
    header = b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x401000, 64, 0, 0, 64, 56, 1, 64, 0, 0)
    write("FuzzELF", "header-only", header)
    write("FuzzELF", "phdr-beyond-end", header[:32] + struct.pack("<Q", 1 << 62) + header[40:])
    write("FuzzELF", "magic-only", b"\x7fELF")


# --- FuzzLogLine: binary records (see the target's header comment) ---------------------------------

def log_line():
    def chunk(data):
        data = data.encode() if isinstance(data, str) else data
        return bytes([len(data)]) + data[:255]

    def record(json_format, handler_level, event_level, message, request_id, metadata=()):
        flags = (1 if json_format else 0) | handler_level << 1 | event_level << 4
        out = bytes([flags]) + chunk(message) + chunk(request_id)
        for on_handler, kind, key, value in metadata:
            out += bytes([(1 if on_handler else 0) | kind << 1]) + chunk(key) + chunk(value)
        return out

    # Levels: 0 trace, 1 debug, 2 info, 3 notice, 4 warning, 5 error, 6 critical.
    samples = {
        "text-plain": record(False, 2, 2, "sending webhook", "8476a536-e9f4-11e8-9739-2dfe598c3fcd",
                             [(False, 0, "key", "audio-files/u-1/temp/a.wav"), (False, 0, "attempt", "1")]),
        "json-plain": record(True, 2, 4, "webhook attempt failed; retrying", "r-1",
                             [(False, 0, "problem", "HTTP 500"), (True, 0, "retryInMs", "250")]),
        "text-controls": record(False, 0, 6, "line\nbreak\r\x00\x1b[31m\x7f\\x0A\ttab", "id\nforged",
                                [(False, 0, "k\r\n", "v\x01"), (True, 1, "a", "b\n")]),
        "json-controls": record(True, 0, 5, "line\nbreak\r\x00\"\\\u2028\u2029\x7f", "id\"\n",
                                [(False, 2, "d\n", "v\u2028"), (False, 3, "conv", "\x1f")]),
        "json-reserved-keys": record(True, 1, 1, "m", "", [(False, 0, "timestamp", "t"), (False, 0, "level", "l"),
                                                           (False, 0, "message", "x"), (False, 0, "requestId", "rid")]),
        "json-utf8": record(True, 2, 2, "\u00e9\U0001F3B5 caf\u00e9", "\u00e9",
                            [(False, 0, "\U0001F3B5", "\u00e9"), (True, 0, "e\u0301", "\ufeffbom")]),
        "invalid-utf8": bytes([1, 4]) + chunk(b"\xff\xfe\xc3(\xed\xa0\x80") + chunk(b"\x80"),
        "below-level": record(False, 6, 0, "dropped", "r"),
    }
    for name, data in samples.items():
        write("FuzzLogLine", name, data)


if __name__ == "__main__":
    for target in ["FuzzS3Event", "FuzzS3Route", "FuzzObjectKey", "FuzzInvocation", "FuzzWebhook", "FuzzRetryAfter", "FuzzELF", "FuzzLogLine"]:
        os.makedirs(os.path.join(HERE, target), exist_ok=True)
    s3_event()
    s3_route()
    object_keys()
    invocation()
    webhook()
    retry_after()
    elf()
    log_line()
    print("seeds written under %s" % HERE)
