#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, only those missing (idempotent).
# As root it uses apt-get directly, otherwise sudo without a password; when neither works it says
# exactly which packages to install and stops.
set -euo pipefail

need=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

have_cmd mosquitto || [ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
have_cmd mosquitto_pub || need+=(mosquitto-clients)
have_cmd wat2wasm || need+=(wabt)
have_cmd clang || need+=(clang)
have_cmd wasm-ld || have_pkg lld || need+=(lld)
have_pkg wasi-libc || need+=(wasi-libc)
have_pkg libclang-rt-dev-wasm32 || ls /usr/lib/llvm-*/lib/clang/*/lib/wasi/libclang_rt.builtins-wasm32.a >/dev/null 2>&1 || need+=(libclang-rt-dev-wasm32)
have_cmd node || need+=(nodejs)
# The embedded WebAssembly engine (JavaScriptCore) and the Rust std guests (Debian's rustc has the wasm32-wasi std).
have_pkg libjavascriptcoregtk-4.1-0 || ls /usr/lib/*/libjavascriptcoregtk-4.1.so.0 >/dev/null 2>&1 || need+=(libjavascriptcoregtk-4.1-0)
[ -x /usr/bin/rustc ] || need+=(rustc)
have_pkg libstd-rust-dev-wasm32 || need+=(libstd-rust-dev-wasm32)
# The PostgreSQL task store's tests start a private server of their own (initdb, pg_ctl); the system cluster the
# package may start on port 5432 is not used.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# Validates docker/compose.yaml (`docker-compose config`) in the tests; there is no Docker engine to run it here.
have_cmd docker-compose || need+=(docker-compose)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

echo "Installing Debian packages: ${need[*]}"
if [ "$(id -u)" -eq 0 ]; then
  apt=(apt-get)
elif have_cmd sudo && sudo -n true 2>/dev/null; then
  apt=(sudo apt-get)
else
  echo "error: these Debian packages are missing and I cannot install them (not root, no password-less sudo):" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; refresh them only when a package is unknown.
if ! apt-cache show "${need[@]}" >/dev/null 2>&1; then
  "${apt[@]}" update -qq
fi
"${apt[@]}" install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "Installed: ${need[*]}"
