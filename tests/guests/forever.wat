;; A command that never ends: `(loop (br 0))` in _start. Only a deadline or a stop ends it.
(module
  (memory (export "memory") 1)
  (func (export "_start") (loop (br 0)))
)
