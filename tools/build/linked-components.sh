#!/usr/bin/env bash
# Prints, as JSON, what the static `bootstrap` carries inside it: each component's upstream version and
# the Debian package it came from. `notifier-dev package --linked-components FILE` puts it in
# dist/manifest.json, so an operator can match a security advisory (Debian's DSA/DLA name these
# package versions) against the deployed artifact and knows when to rebuild.
#
#   usage: tools/build/linked-components.sh STATIC_CURL_DIR > FILE
set -euo pipefail
curl_dir=${1:?usage: linked-components.sh STATIC_CURL_DIR}
curl_version=$(cat "$curl_dir/curl-debian-version")
package_version() { dpkg-query -W -f='${Version}' "$1"; }
upstream() { local v=${1#*:}; echo "${v%%-*}"; }
swift_version=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([^ ]*\).*/\1/p' | head -n 1)
component() { printf '  {"name": "%s", "version": "%s", "source": "%s"}' "$1" "$2" "$3"; }
echo "["
component libcurl "$(upstream "$curl_version")" "Debian source package curl $curl_version, built by tools/build/static-libcurl.sh"; echo ","
component OpenSSL "$(upstream "$(package_version libssl-dev)")" "Debian libssl-dev $(package_version libssl-dev) (libssl.a, libcrypto.a)"; echo ","
read -r cares_version cares_tables < "$curl_dir/cares-debian-version"
component c-ares "$(upstream "$cares_version")" "Debian source package c-ares $cares_version, built by tools/build/static-libcurl.sh with query tables of $cares_tables buckets"; echo ","
component glibc "$(upstream "$(package_version libc6-dev)")" "Debian libc6-dev $(package_version libc6-dev) (libc.a)"; echo ","
component libstdc++ "$(upstream "$(package_version libstdc++-12-dev 2>/dev/null || package_version libgcc-12-dev)")" "Debian libstdc++-12-dev $(package_version libstdc++-12-dev 2>/dev/null || true) (libstdc++.a)"; echo ","
component Swift "$swift_version" "Swift toolchain static stdlib (swift_static)"; echo
echo "]"
