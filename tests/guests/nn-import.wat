;; A command that imports a wasi-nn function, as every wasi-nn guest does: linking it without -S nn
;; must fail with wasmtime's message naming the import.
(module
  (import "wasi_ephemeral_nn" "get_output" (func $get_output (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start") (drop (call $get_output (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0))))
)
