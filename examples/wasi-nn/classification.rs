// wasi-nn image classification in Rust (std only), the same program as classification.c: the ONNX
// counterpart of Wasmtime's classification example, importing the core-module ABI `wasi_ephemeral_nn`
// by hand (every parameter an i32, every result an i32 nn_errno, 0 = success).
//
//   classification [--graph NAME] [--model PATH] [--tensor PATH] [--dims 1x3x48x192] [--top N] [--repeat N]
//
// Output lines, options, exit statuses and number formats are those of classification.c (see there):
//   Read graph weights, size in bytes: 578966        (or, with --graph NAME: Loaded named graph: NAME)
//   Loaded graph into wasi-nn with ID: 0
//   Created wasi-nn execution context with ID: 0
//   Read input tensor, size in bytes: 110592
//   Executed graph inference
//   Found results, sorted top 5: [InferenceResult(0, 0.99), InferenceResult(1, 0.01)]
//   Output 0: 2 values: 0.99000001 0.00999999978
// The top-N line uses Rust's `{}` for f32 (shortest round trip, no exponent); the `Output 0:` line
// reproduces C's "%.9g" (9 significant digits, ties to even, exponent as e-05), computed here from the
// exact decimal expansion of the value, so that both guests print the same text and .NET's
// double.Parse(s, CultureInfo.InvariantCulture) reads every value (non-finite: NaN, Infinity, -Infinity).
//
// Build (Debian's rustc 1.63, which has the wasm32-wasi std):
//   /usr/bin/rustc --edition 2021 -O --target wasm32-wasi -C strip=debuginfo classification.rs -o classification-rust.wasm

use std::cmp::Ordering;
use std::process::exit;

// ---- the wasi_ephemeral_nn ABI (see wasi-nn.witx) ----

// graph_builder: {u32 ptr; u32 len}, 8 bytes on wasm32.
#[repr(C)]
struct GraphBuilder {
    buf: *const u8,
    len: u32,
}

// tensor: 20 bytes on wasm32. The type is a u32-sized enum here (the host reads its low byte).
#[repr(C)]
struct Tensor {
    dims: *const u32,
    dims_len: u32,
    ty: u32,
    data: *const u8,
    data_len: u32,
}

#[cfg(target_arch = "wasm32")]
const _: () = {
    assert!(std::mem::size_of::<*const u8>() == 4);
    assert!(std::mem::size_of::<GraphBuilder>() == 8);
    assert!(std::mem::size_of::<Tensor>() == 20);
};

const ENCODING_ONNX: u32 = 1;
const TARGET_CPU: u32 = 0;
const TYPE_F32: u32 = 1;

#[link(wasm_import_module = "wasi_ephemeral_nn")]
extern "C" {
    fn load(builders: *const GraphBuilder, builders_len: u32, encoding: u32, target: u32, graph: *mut u32) -> i32;
    fn load_by_name(name: *const u8, name_len: u32, graph: *mut u32) -> i32;
    fn init_execution_context(graph: u32, ctx: *mut u32) -> i32;
    fn set_input(ctx: u32, index: u32, tensor: *const Tensor) -> i32;
    fn compute(ctx: u32) -> i32;
    fn get_output(ctx: u32, index: u32, out: *mut u8, out_max_bytes: u32, written: *mut u32) -> i32;
}

const ERRNO_NAMES: [&str; 9] = [
    "success",
    "invalid_argument",
    "invalid_encoding",
    "missing_memory",
    "busy",
    "runtime_error",
    "unsupported_operation",
    "too_large",
    "not_found",
];

fn check(function: &str, rc: i32) {
    if rc == 0 {
        return;
    }
    let name = if rc > 0 && (rc as usize) < ERRNO_NAMES.len() { ERRNO_NAMES[rc as usize] } else { "unknown" };
    eprintln!("wasi-nn {} failed: errno {} ({})", function, rc, name);
    exit(1);
}

// ---- arguments ----

const MAX_DIMS: usize = 8;
const OUTPUT_CAPACITY: usize = 1001; // f32 values, as in Wasmtime's example

const USAGE: &str = "usage: classification [--graph NAME] [--model PATH] [--tensor PATH] [--dims 1x3x48x192] [--top N] [--repeat N]
  --graph NAME   use the host's preloaded graph NAME (load_by_name) instead of --model
  --model PATH   ONNX model to load (default fixture/model.onnx)
  --tensor PATH  input tensor, raw little-endian f32 (default fixture/tensor.bin)
  --dims DIMS    input dimensions, e.g. 1x3x48x192 (the default)
  --top N        how many results to list (default 5)
  --repeat N     run set_input + compute + get_output N times (default 1; for benchmarks)
";

fn usage_error(message: &str) -> ! {
    eprintln!("classification: {}", message);
    eprint!("{}", USAGE);
    exit(2);
}

/// A decimal u32 >= min, digits only (no sign, no spaces).
fn parse_u32(s: &str, min: u32) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: u64 = 0;
    for b in s.bytes() {
        v = v * 10 + u64::from(b - b'0');
        if v > u64::from(u32::MAX) {
            return None;
        }
    }
    if v < u64::from(min) {
        None
    } else {
        Some(v as u32)
    }
}

/// "1x3x48x192" -> [1, 3, 48, 192]; each at least 1, at most MAX_DIMS of them.
fn parse_dims(s: &str) -> Option<Vec<u32>> {
    let dims: Option<Vec<u32>> = s.split('x').map(|p| parse_u32(p, 1)).collect();
    dims.filter(|d| d.len() <= MAX_DIMS)
}

fn read_file(path: &str) -> Vec<u8> {
    match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("classification: cannot read {}: {}", path, e);
            exit(1);
        }
    }
}

// ---- number formatting ----

/// C's printf("%.9g", v as f64): 9 significant digits rounded half to even on the exact value,
/// positional when the decimal exponent is in -4..9, else d.dddde±XX; trailing zeros dropped.
fn format_g9(v: f32) -> String {
    if v.is_nan() {
        return "NaN".to_string();
    }
    if v.is_infinite() {
        return if v < 0.0 { "-Infinity" } else { "Infinity" }.to_string();
    }
    let sign = if v.is_sign_negative() { "-" } else { "" };
    if v == 0.0 {
        return format!("{}0", sign);
    }
    // Every f32 has at most 149 fractional decimal digits, so this expansion is exact.
    let exact = format!("{:.149}", f64::from(v.abs()));
    let point = exact.find('.').unwrap_or(exact.len());
    let all: Vec<u8> = exact.bytes().filter(|b| b.is_ascii_digit()).map(|b| b - b'0').collect();
    let first = all.iter().position(|&d| d != 0).unwrap_or(0);
    let mut exp10 = point as i32 - first as i32 - 1;
    let sig = &all[first..];
    let mut digits: Vec<u8> = (0..9).map(|i| *sig.get(i).unwrap_or(&0)).collect();
    let rest = if sig.len() > 9 { &sig[9..] } else { &[][..] };
    let round_up = match rest.first() {
        Some(&d) if d > 5 => true,
        Some(&5) => rest[1..].iter().any(|&d| d != 0) || digits[8] % 2 == 1,
        _ => false,
    };
    if round_up {
        let mut i = 9;
        loop {
            if i == 0 {
                // 999999999 + 1: one more digit before the point.
                digits.insert(0, 1);
                digits.truncate(9);
                exp10 += 1;
                break;
            }
            i -= 1;
            if digits[i] == 9 {
                digits[i] = 0;
            } else {
                digits[i] += 1;
                break;
            }
        }
    }
    while digits.len() > 1 && *digits.last().unwrap() == 0 {
        digits.pop();
    }
    let text = |ds: &[u8]| ds.iter().map(|d| char::from(b'0' + d)).collect::<String>();
    let mut out = String::from(sign);
    if exp10 < -4 || exp10 >= 9 {
        out.push_str(&text(&digits[..1]));
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&text(&digits[1..]));
        }
        out.push_str(&format!("e{}{:02}", if exp10 < 0 { '-' } else { '+' }, exp10.abs()));
    } else if exp10 < 0 {
        out.push_str("0.");
        for _ in 0..(-exp10 - 1) {
            out.push('0');
        }
        out.push_str(&text(&digits));
    } else {
        let int_len = exp10 as usize + 1;
        for i in 0..int_len {
            out.push(char::from(b'0' + *digits.get(i).unwrap_or(&0)));
        }
        if digits.len() > int_len {
            out.push('.');
            out.push_str(&text(&digits[int_len..]));
        }
    }
    out
}

/// Descending by score, NaN last, equal scores by ascending index.
fn by_score_desc(scores: &[f32], a: usize, b: usize) -> Ordering {
    let (sa, sb) = (scores[a], scores[b]);
    match (sa.is_nan(), sb.is_nan()) {
        (false, true) => return Ordering::Less,
        (true, false) => return Ordering::Greater,
        (false, false) => {
            if sa > sb {
                return Ordering::Less;
            }
            if sa < sb {
                return Ordering::Greater;
            }
        }
        (true, true) => {}
    }
    a.cmp(&b)
}

fn main() {
    let mut graph_name: Option<String> = None;
    let mut model_path = String::from("fixture/model.onnx");
    let mut tensor_path = String::from("fixture/tensor.bin");
    let mut dims_text = String::from("1x3x48x192");
    let mut top: u32 = 5;
    let mut repeat: u32 = 1;

    const OPTIONS: [&str; 6] = ["--graph", "--model", "--tensor", "--dims", "--top", "--repeat"];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        if arg == "-h" || arg == "--help" {
            print!("{}", USAGE);
            return;
        }
        let mut which = None;
        let mut value: Option<String> = None;
        for (k, option) in OPTIONS.iter().enumerate() {
            if arg == option {
                which = Some(k);
                break;
            }
            if arg.starts_with(option) && arg.as_bytes()[option.len()] == b'=' {
                which = Some(k);
                value = Some(arg[option.len() + 1..].to_string());
                break;
            }
        }
        let which = match which {
            Some(k) => k,
            None => usage_error(&format!("unknown argument: {}", arg)),
        };
        let value = match value {
            Some(v) => v,
            None => {
                if i + 1 >= args.len() {
                    usage_error(&format!("missing value for {}", OPTIONS[which]));
                }
                i += 1;
                args[i].clone()
            }
        };
        match which {
            0 => {
                if value.is_empty() {
                    usage_error("--graph wants a name");
                }
                graph_name = Some(value)
            }
            1 => model_path = value,
            2 => tensor_path = value,
            3 => dims_text = value,
            4 => {
                top = match parse_u32(&value, 1) {
                    Some(n) => n,
                    None => usage_error(&format!("--top wants a whole number >= 1, not {}", value)),
                }
            }
            _ => {
                repeat = match parse_u32(&value, 1) {
                    Some(n) => n,
                    None => usage_error(&format!("--repeat wants a whole number >= 1, not {}", value)),
                }
            }
        }
        i += 1;
    }

    let dims = match parse_dims(&dims_text) {
        Some(d) => d,
        None => usage_error(&format!(
            "--dims wants positive numbers joined by 'x' (at most 8), not {}",
            dims_text
        )),
    };
    let mut expected_bytes: u64 = 4;
    for &d in &dims {
        expected_bytes *= u64::from(d);
        if expected_bytes > u64::from(u32::MAX) {
            usage_error(&format!("--dims describes a tensor over 4 GiB: {}", dims_text));
        }
    }

    // Load the graph.
    let mut graph: u32 = 0;
    match &graph_name {
        Some(name) => {
            check("load_by_name", unsafe { load_by_name(name.as_ptr(), name.len() as u32, &mut graph) });
            println!("Loaded named graph: {}", name);
        }
        None => {
            let model = read_file(&model_path);
            println!("Read graph weights, size in bytes: {}", model.len());
            let builder = GraphBuilder { buf: model.as_ptr(), len: model.len() as u32 };
            check("load", unsafe { load(&builder, 1, ENCODING_ONNX, TARGET_CPU, &mut graph) });
        }
    }
    println!("Loaded graph into wasi-nn with ID: {}", graph);

    let mut ctx: u32 = 0;
    check("init_execution_context", unsafe { init_execution_context(graph, &mut ctx) });
    println!("Created wasi-nn execution context with ID: {}", ctx);

    // Bind the input and run.
    let tensor_data = read_file(&tensor_path);
    println!("Read input tensor, size in bytes: {}", tensor_data.len());
    if tensor_data.len() as u64 != expected_bytes {
        eprintln!(
            "classification: {} has {} bytes, but dims {} of f32 need {} bytes",
            tensor_path,
            tensor_data.len(),
            dims_text,
            expected_bytes
        );
        exit(1);
    }
    let tensor = Tensor {
        dims: dims.as_ptr(),
        dims_len: dims.len() as u32,
        ty: TYPE_F32,
        data: tensor_data.as_ptr(),
        data_len: tensor_data.len() as u32,
    };
    let mut scores = [0f32; OUTPUT_CAPACITY];
    let capacity = (OUTPUT_CAPACITY * 4) as u32;
    let mut written: u32 = 0;
    for _ in 0..repeat {
        check("set_input", unsafe { set_input(ctx, 0, &tensor) });
        check("compute", unsafe { compute(ctx) });
        check("get_output", unsafe { get_output(ctx, 0, scores.as_mut_ptr() as *mut u8, capacity, &mut written) });
    }
    println!("Executed graph inference");
    drop(tensor_data);

    // Rank the output.
    if written > capacity || written % 4 != 0 {
        eprintln!(
            "classification: get_output reported {} bytes written (buffer {} bytes)",
            written, capacity
        );
        exit(1);
    }
    let scores = &scores[..(written / 4) as usize];
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| by_score_desc(scores, a, b));

    let shown: Vec<String> = order
        .iter()
        .take(top as usize)
        .map(|&i| format!("InferenceResult({}, {})", i, scores[i]))
        .collect();
    println!("Found results, sorted top {}: [{}]", top, shown.join(", "));

    let mut line = format!("Output 0: {} values:", scores.len());
    for &v in scores {
        line.push(' ');
        line.push_str(&format_g9(v));
    }
    println!("{}", line);
}
