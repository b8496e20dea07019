;; The smallest useful command: one WASI call that writes "hello" to stdout. The round-trip and scale
;; benchmarks send it as their task's module (a few hundred bytes, so the figures are the system's, not the module's).
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello\n")
  (func (export "_start")
    ;; One iovec at address 0: the 6 bytes at 16; fd_write stores the count written at 8.
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 6))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
