// WASI preview1 end to end from Rust's std (rustc 1.63, wasm32-wasi), the parts without files.
// Run it as `wasi-rust-basics.wasm one two` with GREETING=hello and stdin "line from stdin\n", and
// expect exactly (stdout; stderr gets "to stderr"; exit status 7):
//   args: 3 one two
//   env GREETING: hello
//   env MISSING: (unset)
//   stdin: line from stdin
//   clock realtime: after 2020
//   clock monotonic: increases
//   random: 32 bytes, varied
//   sleep 20ms: ok
//   exit 7
use std::io::{BufRead, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

// std has no public randomness API; ask WASI directly (std itself uses the same import for HashMap seeds).
#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn random_get(buf: *mut u8, len: usize) -> i32;
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // argv[0] is whatever the runtime passes; print the count and the rest.
    println!("args: {} {}", args.len(), args[1..].join(" "));
    println!("env GREETING: {}", std::env::var("GREETING").unwrap_or_else(|_| "(unset)".into()));
    println!("env MISSING: {}", std::env::var("MISSING").unwrap_or_else(|_| "(unset)".into()));

    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(n) if n > 0 => println!("stdin: {}", line.trim_end()),
        Ok(_) => println!("stdin: (empty)"),
        Err(e) => println!("stdin: {}", e),
    }

    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    println!("clock realtime: {}", if since_epoch.as_secs() > 1_577_836_800 { "after 2020" } else { "BEFORE 2020" });
    let first = Instant::now();
    let second = Instant::now();
    println!("clock monotonic: {}", if second >= first { "increases" } else { "WENT BACK" });

    let mut bytes = [0u8; 32];
    let errno = unsafe { random_get(bytes.as_mut_ptr(), bytes.len()) };
    let varied = bytes.iter().filter(|&&b| b != bytes[0]).count() > 8;
    println!("random: 32 bytes, {}", if errno == 0 && varied { "varied" } else { "NOT RANDOM" });

    let before = Instant::now();
    std::thread::sleep(Duration::from_millis(20));
    println!("sleep 20ms: {}", if before.elapsed() >= Duration::from_millis(20) { "ok" } else { "TOO SHORT" });

    eprintln!("to stderr");
    println!("exit 7");
    std::io::stdout().flush().unwrap();
    std::process::exit(7);
}
