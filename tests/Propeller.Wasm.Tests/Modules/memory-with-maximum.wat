;; A memory whose own maximum (3 pages) is below the caps the tests apply.
(module
  (memory (export "memory") 1 3)
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
)
