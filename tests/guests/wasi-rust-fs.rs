// WASI preview1 files end to end from Rust's std (rustc 1.63, wasm32-wasi): File read/write/seek,
// metadata, set_len, append, create_dir(_all), read_dir (enough entries for several fd_readdir calls),
// read_link, symlink_metadata, hard_link, rename, copy, remove_file, remove_dir, remove_dir_all.
// Works in a writable preopen mapped to "." that must be the first preopen (descriptor 3: std has no
// stable way to make a symlink, so this guest calls path_symlink itself). Leaves the preopen as it found
// it. Expected stdout (exit status 0):
//   write+read: hello, world
//   seek end-5: 7 world
//   metadata: file, 12 bytes
//   set_len 5: hello
//   append: hello!
//   create_dir_all deep/a/b: ok
//   create_dir deep: File exists (os error 20)
//   read_dir list: a.txt b.txt link sub
//   types: a.txt=file b.txt=file link=symlink sub=dir
//   read_link link: a.txt
//   metadata link: file (followed), symlink_metadata: symlink
//   read_dir many: 300 entries
//   hard_link: reads A
//   rename: a.txt gone, c.txt has A
//   copy: 1 bytes
//   remove_dir list: Directory not empty (os error 55)
//   remove_file missing: No such file or directory (os error 44)
//   remove_dir_all: ok
//   cleanup: ok
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    fn path_symlink(target: *const u8, target_len: usize, fd: u32, path: *const u8, path_len: usize) -> i32;
}

const SANDBOX_FD: u32 = 3;

fn symlink(target: &str, path: &str) -> i32 {
    unsafe { path_symlink(target.as_ptr(), target.len(), SANDBOX_FD, path.as_ptr(), path.len()) }
}

fn describe(result: std::io::Result<()>) -> String {
    match result {
        Ok(()) => "ok".into(),
        Err(e) => e.to_string(),
    }
}

fn kind(file_type: fs::FileType) -> &'static str {
    if file_type.is_symlink() { "symlink" } else if file_type.is_dir() { "dir" } else if file_type.is_file() { "file" } else { "other" }
}

fn main() -> std::io::Result<()> {
    let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(true).open("rs-work.txt")?;
    file.write_all(b"hello, world")?;
    file.seek(SeekFrom::Start(0))?;
    let mut text = String::new();
    file.read_to_string(&mut text)?;
    println!("write+read: {}", text);
    let at = file.seek(SeekFrom::End(-5))?;
    text.clear();
    file.read_to_string(&mut text)?;
    println!("seek end-5: {} {}", at, text);
    let meta = fs::metadata("rs-work.txt")?;
    println!("metadata: {}, {} bytes", kind(meta.file_type()), meta.len());
    file.set_len(5)?;
    drop(file);
    println!("set_len 5: {}", fs::read_to_string("rs-work.txt")?);
    OpenOptions::new().append(true).open("rs-work.txt")?.write_all(b"!")?;
    println!("append: {}", fs::read_to_string("rs-work.txt")?);
    fs::remove_file("rs-work.txt")?;

    println!("create_dir_all deep/a/b: {}", describe(fs::create_dir_all("deep/a/b")));
    println!("create_dir deep: {}", describe(fs::create_dir("deep")));

    fs::create_dir("list")?;
    fs::write("list/b.txt", "B")?;
    fs::write("list/a.txt", "A")?;
    fs::create_dir("list/sub")?;
    symlink("a.txt", "list/link");
    let mut entries: Vec<(String, &str)> = fs::read_dir("list")?
        .map(|entry| entry.map(|e| (e.file_name().to_string_lossy().into_owned(), kind(e.file_type().unwrap()))))
        .collect::<Result<_, _>>()?;
    entries.sort();
    println!("read_dir list: {}", entries.iter().map(|(name, _)| name.as_str()).collect::<Vec<_>>().join(" "));
    println!("types: {}", entries.iter().map(|(name, kind)| format!("{}={}", name, kind)).collect::<Vec<_>>().join(" "));
    println!("read_link link: {}", fs::read_link("list/link")?.display());
    println!(
        "metadata link: {} (followed), symlink_metadata: {}",
        kind(fs::metadata("list/link")?.file_type()),
        kind(fs::symlink_metadata("list/link")?.file_type())
    );

    fs::create_dir("many")?;
    for i in 0..300 {
        File::create(format!("many/an-entry-with-a-rather-long-name-{:03}.txt", i))?;
    }
    println!("read_dir many: {} entries", fs::read_dir("many")?.count());

    fs::hard_link("list/a.txt", "list/hard.txt")?;
    println!("hard_link: reads {}", fs::read_to_string("list/hard.txt")?);
    fs::remove_file("list/hard.txt")?;
    fs::rename("list/a.txt", "list/c.txt")?;
    println!(
        "rename: a.txt {}, c.txt has {}",
        if fs::symlink_metadata("list/a.txt").is_ok() { "STILL THERE" } else { "gone" },
        fs::read_to_string("list/c.txt")?
    );
    println!("copy: {} bytes", fs::copy("list/c.txt", "list/d.txt")?);
    println!("remove_dir list: {}", describe(fs::remove_dir("list")));
    println!("remove_file missing: {}", describe(fs::remove_file("list/missing")));
    println!("remove_dir_all: {}", describe(fs::remove_dir_all("many")));

    let cleanup = fs::remove_dir_all("list").and_then(|_| fs::remove_dir_all("deep"));
    println!("cleanup: {}", describe(cleanup));
    Ok(())
}
