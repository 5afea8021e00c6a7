#!/usr/bin/env bash
# Builds libcurl as a static archive from Debian's source package, so that the static `bootstrap`
# carries Debian's security patches, and prints the swift build flags that link it.
#
# Why from source: Debian ships libcurl only as a shared library. Why Debian's source package: its
# patches (debian/patches, CVE fixes back-ported to 7.88.1) are what an advisory's "fixed in
# 7.88.1-10+debXuY" refers to, so an operator can tell whether a rebuild picks up a fix.
#
# Configured with what the runtime needs and nothing more: HTTP and HTTPS over OpenSSL (libssl-dev's
# static archives), AWS SigV4 (for the S3 and Secrets Manager calls), c-ares (from its Debian source
# package, below) for name resolution (no
# glibc NSS, see README "Packaging"), no built-in CA path (the runtime chooses the CA store), and no
# automatic loading of the build machine's openssl.cnf.
#
# The result is cached under DIR/<Debian version>-<hash of these flags>/: a rebuild does not compile it
# again. DIR/lib holds `libcurl.a`, a linker script that groups the archive with c-ares, libssl and
# libcrypto, so that `-lcurl` (from the CCurl module map) pulls all four in a static link; DIR/pkgconfig
# points the CCurl and CLibCrypto modules there.
#
#   usage: PKG_CONFIG_PATH=$(tools/build/static-libcurl.sh DIR) swift build -Xswiftc -static-executable …
#   needs: dpkg-dev (dpkg-source), libssl-dev, libc-ares-dev, a C compiler, make; network for the first run
set -euo pipefail
dir=$(mkdir -p "${1:?usage: static-libcurl.sh DIR}" && cd "$1" && pwd)

configure_flags=(
  --disable-shared --enable-static --disable-dependency-tracking
  --with-openssl --enable-ares --disable-openssl-auto-load-config
  --without-ca-bundle --without-ca-path --without-ca-fallback
  --enable-http --enable-aws --enable-ipv6
  --disable-ftp --disable-file --disable-ldap --disable-ldaps --disable-rtsp --disable-dict --disable-telnet
  --disable-tftp --disable-pop3 --disable-imap --disable-smb --disable-smtp --disable-gopher --disable-mqtt
  --disable-manual --disable-ntlm --disable-ntlm-wb --disable-kerberos-auth --disable-negotiate-auth
  --disable-digest-auth --disable-basic-auth --disable-bearer-auth --disable-tls-srp
  --disable-cookies --disable-alt-svc --disable-hsts --disable-netrc --disable-doh --disable-mime
  --disable-proxy --disable-unix-sockets --disable-verbose --disable-dateparse --disable-progress-meter
  --disable-headers-api --disable-websockets
  --without-zlib --without-brotli --without-zstd --without-libpsl --without-libidn2 --without-nghttp2
  --without-ngtcp2 --without-nghttp3 --without-librtmp --without-libssh2 --without-libssh --without-gssapi
  --without-libgsasl --without-hyper --without-quiche
)

log() { echo "static-libcurl: $*" >&2; }

# Debian's source package, through a project-local apt state: the machine's sources lists carry no
# deb-src lines, and this must not change them. Same suites as the installed libcurl came from.
apt_state="$dir/apt"
apt_opts=(-o "Dir::Etc::SourceList=$apt_state/sources.list" -o Dir::Etc::SourceParts=/dev/null
          -o "Dir::State::Lists=$apt_state/lists" -q)
apt_lists_ready=false
latest_source() {  # PACKAGE: the newest version of its Debian source package in those suites
  if [[ $apt_lists_ready == false ]]; then
    mkdir -p "$apt_state/lists/partial" "$dir/src"
    cat > "$apt_state/sources.list" <<SOURCES
deb-src http://deb.debian.org/debian bookworm main
deb-src http://deb.debian.org/debian bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
SOURCES
    apt-get "${apt_opts[@]}" update >&2
    apt_lists_ready=true
  fi
  local found
  found=$(apt-cache "${apt_opts[@]}" showsrc "$1" | awk '/^Version:/ {print $2}' | sort -V | tail -n 1)
  [[ -n "$found" ]] || { log "no $1 source package found"; exit 1; }
  echo "$found"
}

version=$(cat "$dir/source-version" 2>/dev/null || true)
if [[ -z "$version" || ! -d "$dir/src/curl-$version" ]]; then
  version=$(latest_source curl)
  rm -rf "$dir/src/curl-"* && mkdir -p "$dir/src"
  log "fetching Debian source curl $version"
  # dpkg-source unpacks it and applies Debian's patches.
  (cd "$dir/src" && apt-get "${apt_opts[@]}" source "curl=$version" >&2)
  src=$(find "$dir/src" -maxdepth 1 -type d -name 'curl-*' | head -n 1)
  # Debian builds its OpenSSL flavour with every patch but the last two, which rename the library
  # for the GnuTLS and NSS flavours (debian/rules pops them with quilt): undo those two.
  (cd "$src" && patch -R -p1 -s < debian/patches/99_nss.patch && patch -R -p1 -s < debian/patches/90_gnutls.patch)
  mv "$src" "$dir/src/curl-$version" 2>/dev/null || true
  echo "$version" > "$dir/source-version"
fi
src="$dir/src/curl-$version"

# c-ares from Debian's source package as well, for one change: every libcurl easy handle owns a c-ares
# channel, and 1.18's channel holds two query tables of 2048 and 1024 list heads, 72 kB written at
# init. A handle runs one query at a time, so 16 buckets each serve as well (the tables hash by query
# id and by timeout second; a lookup still compares the id). With N workers there are 2N handles:
# at N = 64 this is 9 MB of the process (Benchmarks/FINDINGS.md, 2026-12-05).
cares_tables=16
cares_version=$(cat "$dir/cares-source-version" 2>/dev/null || true)
if [[ -z "$cares_version" || ! -d "$dir/src/c-ares-$cares_version" ]]; then
  cares_version=$(latest_source c-ares)
  rm -rf "$dir/src/c-ares-"* && mkdir -p "$dir/src"
  log "fetching Debian source c-ares $cares_version"
  (cd "$dir/src" && apt-get "${apt_opts[@]}" source "c-ares=$cares_version" >&2)
  cares_unpacked=$(find "$dir/src" -maxdepth 1 -type d -name 'c-ares-*' | head -n 1)
  mv "$cares_unpacked" "$dir/src/c-ares-$cares_version" 2>/dev/null || true
  echo "$cares_version" > "$dir/cares-source-version"
fi
cares_src="$dir/src/c-ares-$cares_version"

stamp=$(printf '%s\n' "$version" "${configure_flags[@]}" "$(dpkg-query -W -f='${Version}' libssl-dev libc-ares-dev)" | sha256sum | cut -c1-12)
build="$dir/build-$version-$stamp"
if [[ ! -f "$build/lib/.libs/libcurl.a" ]]; then
  log "building libcurl $version (static, HTTP/HTTPS/SigV4, c-ares) in $build"
  rm -rf "$build" && mkdir -p "$build"
  (cd "$build" && CFLAGS="-O2 -fPIC -fstack-protector-strong -D_FORTIFY_SOURCE=2" \
     "$src/configure" "${configure_flags[@]}" > configure.log 2>&1) || { tail -n 30 "$build/configure.log" >&2; exit 1; }
  make -C "$build/lib" -j"$(nproc)" > "$build/make.log" 2>&1 || { tail -n 30 "$build/make.log" >&2; exit 1; }
fi

cares_build="$dir/build-c-ares-$cares_version-tables$cares_tables"
if [[ ! -f "$cares_build/src/lib/.libs/libcares.a" ]]; then
  log "building c-ares $cares_version (static, query tables of $cares_tables) in $cares_build"
  rm -rf "$cares_build" && mkdir -p "$cares_build" && cp -a "$cares_src/." "$cares_build/"
  header="$cares_build/src/lib/ares_private.h"
  sed -i -e "s/^#define ARES_QID_TABLE_SIZE [0-9]*$/#define ARES_QID_TABLE_SIZE $cares_tables/" \
         -e "s/^#define ARES_TIMEOUT_TABLE_SIZE [0-9]*$/#define ARES_TIMEOUT_TABLE_SIZE $cares_tables/" "$header"
  [[ $(grep -c "TABLE_SIZE $cares_tables$" "$header") == 2 ]] || { log "c-ares $cares_version: the query tables were not found in $header"; exit 1; }
  (cd "$cares_build" && CFLAGS="-O2 -fPIC -fstack-protector-strong -D_FORTIFY_SOURCE=2" \
     ./configure --disable-shared --enable-static --disable-tests --disable-dependency-tracking > configure.log 2>&1) \
    || { tail -n 30 "$cares_build/configure.log" >&2; exit 1; }
  make -C "$cares_build/src/lib" -j"$(nproc)" > "$cares_build/make.log" 2>&1 || { tail -n 30 "$cares_build/make.log" >&2; exit 1; }
fi

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
system_lib=/usr/lib/$multiarch
mkdir -p "$dir/lib" "$dir/pkgconfig"
cat > "$dir/lib/libcurl.a" <<SCRIPT
/* Linker script, not an archive: libcurl $version (Debian source) and what it needs, for static links. */
GROUP ( $build/lib/.libs/libcurl.a $cares_build/src/lib/.libs/libcares.a $system_lib/libssl.a $system_lib/libcrypto.a )
SCRIPT
ln -sf "$system_lib/libcrypto.a" "$dir/lib/libcrypto.a"
ln -sf "$system_lib/libssl.a" "$dir/lib/libssl.a"
# The CCurl and CLibCrypto modules ask pkg-config for their flags. Debian's .pc files would put
# -L$system_lib first, where the linker would find Debian's own libcurl.a (built with GSS-API, LDAP and
# more). These put this folder first instead; headers stay Debian's (the same 7.88.1 and OpenSSL).
for module in "libcurl:curl:$version" "libcrypto:crypto:$(dpkg-query -W -f='${Version}' libssl-dev)"; do
  IFS=: read -r name library module_version <<< "$module"
  cat > "$dir/pkgconfig/$name.pc" <<PC
Name: $name
Description: static $library for the deployed bootstrap (tools/build/static-libcurl.sh)
Version: $module_version
Cflags:
Libs: -L$dir/lib -l$library
PC
done
echo "$version" > "$dir/curl-debian-version"
echo "$cares_version $cares_tables" > "$dir/cares-debian-version"
echo "$dir/pkgconfig"
