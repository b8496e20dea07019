#!/usr/bin/env bash
# Fetches ONNX Runtime for the wasi-nn ONNX backend into .cache/onnxruntime/ (ignored by git):
#   managed/  the C# API (namespace Microsoft.ML.OnnxRuntime, ORT 1.29) as source files, from the npm
#             package com.github.asus4.onnxruntime; src/Microsoft.ML.OnnxRuntime compiles them, because
#             the NuGet package Microsoft.ML.OnnxRuntime is not in this project's NuGet source;
#   native/   libonnxruntime.so for this machine (linux x64 or arm64, ORT 1.30), from npm onnxruntime-node.
# Versions and checksums are pinned; nothing fetched is committed. Idempotent: a second run only checks.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="${PROPELLER_CACHE:-$root/.cache}"
out="$cache/onnxruntime"
downloads="$cache/downloads"

managed_url=https://registry.npmjs.org/com.github.asus4.onnxruntime/-/com.github.asus4.onnxruntime-0.4.9.tgz
managed_sha=e59788788818fdde1b2e522e766a21ba0f7d8391de55737abf81e32cc801785d
native_url=https://registry.npmjs.org/onnxruntime-node/-/onnxruntime-node-1.30.0.tgz
native_sha=6e3390d6b783e7be946fad629292799da28d0b42f84856e50d2c1b0383291e75
stamp="$out/.fetched-0.4.9+1.30.0"

case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "error: no ONNX Runtime build for $(uname -m) in the pinned packages (linux x64 and arm64 only)" >&2; exit 1 ;;
esac

if [ -f "$stamp" ] && [ -f "$out/native/libonnxruntime.so" ] && [ -f "$out/managed/InferenceSession.shared.cs" ]; then
  exit 0
fi

for tool in curl tar sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || { echo "error: $tool is needed to fetch ONNX Runtime (apt-get install $tool)" >&2; exit 1; }
done

# download URL SHA256 → path of the verified file (reused when already there and intact)
download() {
  local url="$1" sha="$2" file="$downloads/$(basename "$1")"
  mkdir -p "$downloads"
  if [ ! -f "$file" ] || ! echo "$sha  $file" | sha256sum -c --status; then
    echo "Downloading $url" >&2
    if ! curl -fsSL --retry 3 -o "$file.part" "$url"; then
      echo "error: cannot download $url (is the npm registry reachable? set PROPELLER_CACHE to a folder holding $(basename "$url"))" >&2
      exit 1
    fi
    mv "$file.part" "$file"
  fi
  if ! echo "$sha  $file" | sha256sum -c --status; then
    echo "error: $file does not have the pinned SHA-256 $sha; delete it and retry" >&2
    exit 1
  fi
  echo "$file"
}

managed_tgz="$(download "$managed_url" "$managed_sha")"
native_tgz="$(download "$native_url" "$native_sha")"

rm -rf "$out.tmp" && mkdir -p "$out.tmp/managed" "$out.tmp/native"
tar -xzf "$managed_tgz" -C "$out.tmp" package/Runtime
# Flatten into managed/ (Tensors/ and Training/ are sub-folders of Runtime/ in the package).
cp -r "$out.tmp/package/Runtime/." "$out.tmp/managed/"
find "$out.tmp/managed" -name '*.meta' -delete
tar -xzf "$native_tgz" -C "$out.tmp" "package/bin/napi-v6/linux/$arch/libonnxruntime.so.1"
cp "$out.tmp/package/bin/napi-v6/linux/$arch/libonnxruntime.so.1" "$out.tmp/native/libonnxruntime.so"
rm -rf "$out.tmp/package"
rm -rf "$out" && mv "$out.tmp" "$out"
touch "$stamp"
echo "ONNX Runtime ready in $out (managed API 1.29 sources, native 1.30 linux-$arch)" >&2
