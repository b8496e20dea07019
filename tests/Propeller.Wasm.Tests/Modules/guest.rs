// A Rust guest with std: collections, formatting and a loop, printing through WASI.
use std::collections::BTreeMap;

fn main() {
    let n: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let mut buckets = BTreeMap::new();
    let mut total: u64 = 0;
    for i in 0..n {
        total = total.wrapping_add(i * i);
        buckets.insert(i % 97, total);
    }
    let words: Vec<String> = (1..=3).map(|i| format!("w{i}")).collect();
    println!("n={n} total={total} buckets={} words={}", buckets.len(), words.join(","));
}
