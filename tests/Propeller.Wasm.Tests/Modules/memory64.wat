;; A 64-bit memory (memory64 proposal), which the reader refuses.
(module
  (memory i64 1)
)
