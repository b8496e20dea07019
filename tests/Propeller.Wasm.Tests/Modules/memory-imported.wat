;; A memory the host provides: the instrumenter leaves its limits to the host.
(module
  (import "env" "memory" (memory 2 10))
  (func (export "size") (result i32) (memory.size))
)
