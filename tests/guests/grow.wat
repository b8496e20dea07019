;; Linear memory without a maximum of its own, for memory caps set from outside (PROPLET_MAX_MEMORY_MB,
;; -W max-memory-size): `grow(pages)` returns the size before, in 64 KiB pages, or -1 when the cap refuses.
(module
  (memory (export "memory") 1)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))))
