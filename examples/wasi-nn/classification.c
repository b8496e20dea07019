// wasi-nn image classification in C, the ONNX counterpart of Wasmtime's classification example.
//
// Imports the core-module ABI `wasi_ephemeral_nn` by hand (no bindings library): every parameter is
// an i32 (pointers are 32-bit on wasm32), every result an i32 nn_errno (0 = success).
//
//   classification [--graph NAME] [--model PATH] [--tensor PATH] [--dims 1x3x48x192] [--top N] [--repeat N]
//
// Without --graph it reads the model file and calls `load` with one graph builder (the .onnx bytes),
// encoding onnx (1), target cpu (0). With --graph it calls `load_by_name` instead (a graph the host
// preloaded, e.g. `-S nn-graph=onnx::DIR` makes the graph named after DIR's base name).
// Then: init_execution_context, set_input(0) with an f32 tensor of the given dims read from the tensor
// file (raw little-endian f32), compute, get_output(0) into a buffer of 1001 f32 (--repeat N does
// these three N times, for benchmarks).
//
// Output (stdout), the same lines as classification.rs:
//   Read graph weights, size in bytes: 578966        (or, with --graph NAME: Loaded named graph: NAME)
//   Loaded graph into wasi-nn with ID: 0
//   Created wasi-nn execution context with ID: 0
//   Read input tensor, size in bytes: 110592
//   Executed graph inference
//   Found results, sorted top 5: [InferenceResult(0, 0.99), InferenceResult(1, 0.01)]
//   Output 0: 2 values: 0.99000001 0.00999999978
//
// Number formats (identical in the C and Rust guests):
//   - top-N line: the shortest decimal that reads back as the same f32, written without an exponent
//     (what Rust's `{}` prints for an f32: 1 -> "1", 1.5e-5 -> "0.000015"); NaN/inf as "NaN"/"inf".
//     Done here from printf's exact expansion ("%.120e"): for p = 1..9 digits, try the truncation
//     and its successor (nearer first, the successor on a tie, as Rust does) and test with strtof.
//   - `Output 0:` line: printf's "%.9g" of the value widened to double (9 significant digits always
//     identify an f32 exactly), e.g. "0.999987364" or "1.26361847e-05"; both parse with .NET's
//     double.Parse(s, CultureInfo.InvariantCulture). Non-finite values are written "NaN",
//     "Infinity", "-Infinity" (the spellings .NET parses) instead of printf's "nan"/"inf".
// Ties in the top-N order keep the lower index first; NaN scores sort last.
//
// Exit status: 0 on success; 1 when a file cannot be read, the tensor size does not match the dims,
// or a wasi-nn call fails (stderr: "wasi-nn <function> failed: errno <n> (<name>)"); 2 on bad arguments.
//
// Build: clang --target=wasm32-wasi -O2 -Wl,--strip-all classification.c -o classification-c.wasm

#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// ---- the wasi_ephemeral_nn ABI (see wasi-nn.witx) ----

_Static_assert(sizeof(void *) == 4, "wasm32: guest pointers are 32-bit");

typedef uint32_t nn_graph;
typedef uint32_t nn_ctx;

// graph_builder: {u32 ptr; u32 len}, 8 bytes.
typedef struct {
    const uint8_t *buf;
    uint32_t len;
} nn_graph_builder;

// tensor: 20 bytes. The type is a u32-sized enum here (the host reads its low byte).
typedef struct {
    const uint32_t *dims;
    uint32_t dims_len;
    uint32_t type;
    const uint8_t *data;
    uint32_t data_len;
} nn_tensor;

_Static_assert(sizeof(nn_graph_builder) == 8, "graph_builder is 8 bytes");
_Static_assert(offsetof(nn_graph_builder, len) == 4, "graph_builder.len at +4");
_Static_assert(sizeof(nn_tensor) == 20, "tensor is 20 bytes");
_Static_assert(offsetof(nn_tensor, dims_len) == 4, "tensor.dims_len at +4");
_Static_assert(offsetof(nn_tensor, type) == 8, "tensor.type at +8");
_Static_assert(offsetof(nn_tensor, data) == 12, "tensor.data at +12");
_Static_assert(offsetof(nn_tensor, data_len) == 16, "tensor.data_len at +16");

enum { NN_ENCODING_ONNX = 1 };
enum { NN_TARGET_CPU = 0 };
enum { NN_TYPE_F32 = 1 };

#define NN_IMPORT(name) __attribute__((import_module("wasi_ephemeral_nn"), import_name(name)))

NN_IMPORT("load")
int32_t nn_load(const nn_graph_builder *builders, uint32_t builders_len, uint32_t encoding,
                uint32_t target, nn_graph *graph);
NN_IMPORT("load_by_name")
int32_t nn_load_by_name(const char *name, uint32_t name_len, nn_graph *graph);
NN_IMPORT("init_execution_context")
int32_t nn_init_execution_context(nn_graph graph, nn_ctx *ctx);
NN_IMPORT("set_input")
int32_t nn_set_input(nn_ctx ctx, uint32_t index, const nn_tensor *tensor);
NN_IMPORT("compute")
int32_t nn_compute(nn_ctx ctx);
NN_IMPORT("get_output")
int32_t nn_get_output(nn_ctx ctx, uint32_t index, uint8_t *out, uint32_t out_max_bytes,
                      uint32_t *written);

static const char *const NN_ERRNO_NAMES[] = {
    "success",       "invalid_argument",      "invalid_encoding",
    "missing_memory", "busy",                 "runtime_error",
    "unsupported_operation", "too_large",     "not_found",
};

static void check(const char *function, int32_t rc) {
    if (rc == 0) return;
    const char *name = rc > 0 && (size_t)rc < sizeof NN_ERRNO_NAMES / sizeof NN_ERRNO_NAMES[0]
                           ? NN_ERRNO_NAMES[rc]
                           : "unknown";
    fprintf(stderr, "wasi-nn %s failed: errno %d (%s)\n", function, (int)rc, name);
    exit(1);
}

// ---- arguments ----

#define MAX_DIMS 8
#define OUTPUT_CAPACITY 1001 // f32 values, as in Wasmtime's example

static const char USAGE[] =
    "usage: classification [--graph NAME] [--model PATH] [--tensor PATH] [--dims 1x3x48x192] [--top N] [--repeat N]\n"
    "  --graph NAME   use the host's preloaded graph NAME (load_by_name) instead of --model\n"
    "  --model PATH   ONNX model to load (default fixture/model.onnx)\n"
    "  --tensor PATH  input tensor, raw little-endian f32 (default fixture/tensor.bin)\n"
    "  --dims DIMS    input dimensions, e.g. 1x3x48x192 (the default)\n"
    "  --top N        how many results to list (default 5)\n"
    "  --repeat N     run set_input + compute + get_output N times (default 1; for benchmarks)\n";

static void usage_error(const char *message, const char *detail) {
    if (message) fprintf(stderr, "classification: %s%s\n", message, detail ? detail : "");
    fputs(USAGE, stderr);
    exit(2);
}

// Parses a decimal u32 >= min; returns 0 on failure.
static int parse_u32(const char *s, uint32_t min, uint32_t *out) {
    if (*s < '0' || *s > '9') return 0;
    uint64_t v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return 0;
        v = v * 10 + (uint64_t)(*s - '0');
        if (v > UINT32_MAX) return 0;
    }
    if (v < min) return 0;
    *out = (uint32_t)v;
    return 1;
}

// Parses "1x3x48x192" into dims; returns the count, 0 on failure.
static uint32_t parse_dims(const char *s, uint32_t dims[MAX_DIMS]) {
    char part[16];
    uint32_t n = 0;
    for (;;) {
        const char *x = strchr(s, 'x');
        size_t len = x ? (size_t)(x - s) : strlen(s);
        if (len == 0 || len >= sizeof part || n == MAX_DIMS) return 0;
        memcpy(part, s, len);
        part[len] = '\0';
        if (!parse_u32(part, 1, &dims[n])) return 0;
        n++;
        if (!x) return n;
        s = x + 1;
    }
}

// ---- files ----

static uint8_t *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "classification: cannot read %s: %s\n", path, strerror(errno));
        exit(1);
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (!buf) {
            fprintf(stderr, "classification: out of memory reading %s\n", path);
            exit(1);
        }
        len += fread(buf + len, 1, cap - len, f);
        if (len < cap) break;
        cap *= 2;
        buf = realloc(buf, cap);
    }
    if (ferror(f)) {
        fprintf(stderr, "classification: cannot read %s: %s\n", path, strerror(errno));
        exit(1);
    }
    fclose(f);
    *size = len;
    return buf;
}

// ---- number formatting ----

// Writes v like Rust's `{}` for an f32: the fewest significant digits that read back as the same
// f32 (the nearest such decimal, ties away from zero), in plain positional notation.
static void format_shortest(float v, char *out, size_t out_size) {
    if (isnan(v)) { snprintf(out, out_size, "NaN"); return; }
    const char *sign = signbit(v) ? "-" : "";
    if (v == 0) { snprintf(out, out_size, "%s0", sign); return; }
    if (isinf(v)) { snprintf(out, out_size, "%sinf", sign); return; }
    float a = fabsf(v);

    // The exact decimal expansion (an f32 has at most 112 significant digits; musl prints exactly).
    char exact[160];
    snprintf(exact, sizeof exact, "%.*e", 120, (double)a);
    char *e = strchr(exact, 'e');
    int exponent = atoi(e + 1);
    char all[128];
    int n_all = 0;
    for (char *c = exact; c < e; c++)
        if (*c >= '0' && *c <= '9') all[n_all++] = *c;

    // Like Rust (Dragon4/Grisu "shortest"): the fewest digits p for which the truncation t or t + 1
    // reads back as the same f32; of the two, the nearer one, and t + 1 on an exact tie.
    char tmp[48], digits[16];
    uint64_t mant = 0;
    int exp10 = 0, p, found = 0;
    for (p = 1; p <= 9 && !found; p++) {
        uint64_t t = 0, ten_p = 1;
        for (int i = 0; i < p; i++) {
            t = t * 10 + (uint64_t)(all[i] - '0');
            ten_p *= 10;
        }
        int cmp_half = 0, rest_zero = 1; // the dropped digits against 0.5 ulp: -1, 0, 1
        if (all[p] != '5') cmp_half = all[p] > '5' ? 1 : -1;
        for (int i = p; i < n_all; i++)
            if (all[i] != '0') rest_zero = 0;
        if (cmp_half == 0)
            for (int i = p + 1; i < n_all; i++)
                if (all[i] != '0') cmp_half = 1;
        uint64_t candidates[2] = {t, t + 1};
        if (cmp_half >= 0) { candidates[0] = t + 1; candidates[1] = t; }
        for (int k = 0; k < (rest_zero ? 1 : 2) && !found; k++) {
            uint64_t c = candidates[k];
            int ce = exponent;
            if (c == ten_p) { c /= 10; ce++; } // 99..9 + 1
            snprintf(tmp, sizeof tmp, "%llue%d", (unsigned long long)c, ce - (p - 1));
            if (strtof(tmp, NULL) == a) {
                mant = c;
                exp10 = ce;
                found = 1;
            }
        }
    }
    if (!found) { // cannot happen: 9 digits always identify an f32
        snprintf(out, out_size, "%s%.9g", sign, (double)a);
        return;
    }
    int nd = snprintf(digits, sizeof digits, "%llu", (unsigned long long)mant);
    while (nd > 1 && digits[nd - 1] == '0') digits[--nd] = '\0';

    // digits d1 d2 ... dn stand for d1.d2...dn x 10^exp10.
    size_t o = 0;
#define PUT(ch) do { if (o + 1 < out_size) out[o++] = (ch); } while (0)
    for (const char *s = sign; *s; s++) PUT(*s);
    if (exp10 < 0) {
        PUT('0');
        PUT('.');
        for (int i = 0; i < -exp10 - 1; i++) PUT('0');
        for (int i = 0; i < nd; i++) PUT(digits[i]);
    } else {
        for (int i = 0; i <= exp10; i++) PUT(i < nd ? digits[i] : '0');
        if (nd > exp10 + 1) {
            PUT('.');
            for (int i = exp10 + 1; i < nd; i++) PUT(digits[i]);
        }
    }
#undef PUT
    out[o] = '\0';
}

// Writes v with "%.9g", spelling non-finite values as .NET parses them.
static void format_g9(float v, char *out, size_t out_size) {
    if (isnan(v)) snprintf(out, out_size, "NaN");
    else if (isinf(v)) snprintf(out, out_size, v < 0 ? "-Infinity" : "Infinity");
    else snprintf(out, out_size, "%.9g", (double)v);
}

// ---- results ----

static float g_scores[OUTPUT_CAPACITY];

// Descending by score, NaN last, equal scores by ascending index (a stable sort's order).
static int by_score_desc(const void *pa, const void *pb) {
    uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
    float sa = g_scores[a], sb = g_scores[b];
    int na = isnan(sa) != 0, nb = isnan(sb) != 0;
    if (na != nb) return na - nb;
    if (!na) {
        if (sa > sb) return -1;
        if (sa < sb) return 1;
    }
    return a < b ? -1 : a > b;
}

int main(int argc, char **argv) {
    const char *graph_name = NULL;
    const char *model_path = "fixture/model.onnx";
    const char *tensor_path = "fixture/tensor.bin";
    const char *dims_text = "1x3x48x192";
    uint32_t top = 5;
    uint32_t repeat = 1;
    setvbuf(stdout, NULL, _IOLBF, 0); // line by line, like Rust's stdout, for hosts that stream output

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(USAGE, stdout);
            return 0;
        }
        static const char *const OPTIONS[] = {"--graph", "--model", "--tensor", "--dims", "--top", "--repeat"};
        int which = -1;
        const char *value = NULL;
        for (int k = 0; k < 6; k++) {
            size_t n = strlen(OPTIONS[k]);
            if (strncmp(arg, OPTIONS[k], n) == 0 && (arg[n] == '\0' || arg[n] == '=')) {
                which = k;
                if (arg[n] == '=') value = arg + n + 1;
                break;
            }
        }
        if (which < 0) usage_error("unknown argument: ", arg);
        if (!value) {
            if (i + 1 >= argc) usage_error("missing value for ", OPTIONS[which]);
            value = argv[++i];
        }
        switch (which) {
        case 0: graph_name = value; break;
        case 1: model_path = value; break;
        case 2: tensor_path = value; break;
        case 3: dims_text = value; break;
        case 4:
            if (!parse_u32(value, 1, &top)) usage_error("--top wants a whole number >= 1, not ", value);
            break;
        case 5:
            if (!parse_u32(value, 1, &repeat)) usage_error("--repeat wants a whole number >= 1, not ", value);
            break;
        }
        if (which == 0 && *value == '\0') usage_error("--graph wants a name", NULL);
    }

    uint32_t dims[MAX_DIMS];
    uint32_t dims_len = parse_dims(dims_text, dims);
    if (dims_len == 0) usage_error("--dims wants positive numbers joined by 'x' (at most 8), not ", dims_text);
    uint64_t expected_bytes = 4;
    for (uint32_t i = 0; i < dims_len; i++) {
        expected_bytes *= dims[i];
        if (expected_bytes > UINT32_MAX) usage_error("--dims describes a tensor over 4 GiB: ", dims_text);
    }

    // Load the graph.
    nn_graph graph = 0;
    if (graph_name) {
        check("load_by_name", nn_load_by_name(graph_name, (uint32_t)strlen(graph_name), &graph));
        printf("Loaded named graph: %s\n", graph_name);
    } else {
        size_t model_size;
        uint8_t *model = read_file(model_path, &model_size);
        printf("Read graph weights, size in bytes: %zu\n", model_size);
        nn_graph_builder builder = {model, (uint32_t)model_size};
        check("load", nn_load(&builder, 1, NN_ENCODING_ONNX, NN_TARGET_CPU, &graph));
        free(model);
    }
    printf("Loaded graph into wasi-nn with ID: %u\n", (unsigned)graph);

    nn_ctx ctx = 0;
    check("init_execution_context", nn_init_execution_context(graph, &ctx));
    printf("Created wasi-nn execution context with ID: %u\n", (unsigned)ctx);

    // Bind the input and run.
    size_t tensor_size;
    uint8_t *tensor_data = read_file(tensor_path, &tensor_size);
    printf("Read input tensor, size in bytes: %zu\n", tensor_size);
    if (tensor_size != expected_bytes) {
        fprintf(stderr,
                "classification: %s has %zu bytes, but dims %s of f32 need %llu bytes\n",
                tensor_path, tensor_size, dims_text, (unsigned long long)expected_bytes);
        return 1;
    }
    nn_tensor tensor = {dims, dims_len, NN_TYPE_F32, tensor_data, (uint32_t)tensor_size};
    uint32_t written = 0;
    for (uint32_t r = 0; r < repeat; r++) {
        check("set_input", nn_set_input(ctx, 0, &tensor));
        check("compute", nn_compute(ctx));
        check("get_output", nn_get_output(ctx, 0, (uint8_t *)g_scores, sizeof g_scores, &written));
    }
    printf("Executed graph inference\n");
    free(tensor_data);

    // Rank the output.
    if (written > sizeof g_scores || written % 4 != 0) {
        fprintf(stderr, "classification: get_output reported %u bytes written (buffer %zu bytes)\n",
                (unsigned)written, sizeof g_scores);
        return 1;
    }
    uint32_t count = written / 4;
    static uint32_t order[OUTPUT_CAPACITY];
    for (uint32_t i = 0; i < count; i++) order[i] = i;
    qsort(order, count, sizeof order[0], by_score_desc);

    char number[64];
    printf("Found results, sorted top %u: [", (unsigned)top);
    uint32_t shown = top < count ? top : count;
    for (uint32_t i = 0; i < shown; i++) {
        format_shortest(g_scores[order[i]], number, sizeof number);
        printf("%sInferenceResult(%u, %s)", i ? ", " : "", (unsigned)order[i], number);
    }
    printf("]\n");

    printf("Output 0: %u values:", (unsigned)count);
    for (uint32_t i = 0; i < count; i++) {
        format_g9(g_scores[i], number, sizeof number);
        printf(" %s", number);
    }
    printf("\n");
    return 0;
}
