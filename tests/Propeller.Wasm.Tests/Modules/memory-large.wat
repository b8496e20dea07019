;; A memory that needs 2048 pages (128 MiB) from the start.
(module
  (memory (export "memory") 2048)
)
