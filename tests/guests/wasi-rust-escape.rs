// WASI preview1 confinement end to end from Rust's std (rustc 1.63, wasm32-wasi). Same fixture as
// wasi-escape.c (see README.md): a writable preopen "." as the first preopen (descriptor 3) holding a
// host-made symlink etc-link -> /etc, outside.txt next to it, and a read-only preopen "ro" holding
// kept.txt ("keep me"). Expected stdout with this runtime (exit status 0):
//   ../outside.txt: Capabilities insufficient (os error 76)
//   a/../../outside.txt: Capabilities insufficient (os error 76)
//   /etc/passwd: No such file or directory (os error 44)
//   etc-link/passwd: Capabilities insufficient (os error 76)
//   etc-link is a symlink: true
//   up/outside.txt: Capabilities insufficient (os error 76)
//   chain: Capabilities insufficient (os error 76)
//   loop: Symbolic link loop (os error 32)
//   symlink -> /etc: errno 76
//   create ../created.txt: Capabilities insufficient (os error 76)
//   create_dir up/made: Capabilities insufficient (os error 76)
//   rename to ../stolen.txt: Capabilities insufficient (os error 76)
//   hard_link to ../linked.txt: Capabilities insufficient (os error 76)
//   inside link: inside
//   ro read: keep me
//   ro write: Operation not permitted (os error 63)
//   ro create: Operation not permitted (os error 63)
//   ro create_dir: Operation not permitted (os error 63)
//   ro remove_file: Operation not permitted (os error 63)
//   ro rename: Operation not permitted (os error 63)
//   cleanup: ok
// "/etc/passwd" never reaches the runtime: std (through wasi-libc) finds no preopen for it.
use std::fs::{self, OpenOptions};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn path_symlink(target: *const u8, target_len: usize, fd: u32, path: *const u8, path_len: usize) -> i32;
}

const SANDBOX_FD: u32 = 3;

fn symlink(target: &str, path: &str) -> i32 {
    unsafe { path_symlink(target.as_ptr(), target.len(), SANDBOX_FD, path.as_ptr(), path.len()) }
}

fn show<T>(label: &str, result: std::io::Result<T>) {
    match result {
        Ok(_) => println!("{}: DONE", label),
        Err(e) => println!("{}: {}", label, e),
    }
}

fn read(label: &str, path: &str) {
    match fs::read_to_string(path) {
        Ok(text) => println!("{}: OPENED ({})", label, text.lines().next().unwrap_or("")),
        Err(e) => println!("{}: {}", label, e),
    }
}

fn main() {
    fs::create_dir("a").unwrap();
    read("../outside.txt", "../outside.txt");
    read("a/../../outside.txt", "a/../../outside.txt");
    read("/etc/passwd", "/etc/passwd");
    read("etc-link/passwd", "etc-link/passwd");
    println!("etc-link is a symlink: {}", fs::symlink_metadata("etc-link").map(|m| m.file_type().is_symlink()).unwrap_or(false));

    symlink("..", "up");
    read("up/outside.txt", "up/outside.txt");
    symlink("chain2", "chain1");
    symlink("../outside.txt", "chain2");
    read("chain", "chain1");
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    read("loop", "loop1");

    println!("symlink -> /etc: errno {}", symlink("/etc", "etc-by-guest"));
    show("create ../created.txt", fs::write("../created.txt", "x"));
    show("create_dir up/made", fs::create_dir("up/made"));
    fs::write("mine.txt", "mine").unwrap();
    show("rename to ../stolen.txt", fs::rename("mine.txt", "../stolen.txt"));
    show("hard_link to ../linked.txt", fs::hard_link("mine.txt", "../linked.txt"));

    fs::write("in.txt", "inside\n").unwrap();
    symlink("../in.txt", "a/back");
    match fs::read_to_string("a/back") {
        Ok(text) => print!("inside link: {}", text),
        Err(e) => println!("inside link: {}", e),
    }

    match fs::read_to_string("ro/kept.txt") {
        Ok(text) => print!("ro read: {}", text),
        Err(e) => println!("ro read: {}", e),
    }
    show("ro write", OpenOptions::new().write(true).open("ro/kept.txt"));
    show("ro create", fs::File::create("ro/new.txt"));
    show("ro create_dir", fs::create_dir("ro/dir"));
    show("ro remove_file", fs::remove_file("ro/kept.txt"));
    show("ro rename", fs::rename("ro/kept.txt", "ro/moved.txt"));

    let cleanup = ["a/back", "up", "chain1", "chain2", "loop1", "loop2", "mine.txt", "in.txt"]
        .iter()
        .try_for_each(|path| fs::remove_file(path))
        .and_then(|_| fs::remove_dir("a"));
    match cleanup {
        Ok(()) => println!("cleanup: ok"),
        Err(e) => println!("cleanup: {}", e),
    }
}
