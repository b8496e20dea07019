;; Calls host functions the tests define, to check arguments, results and memory access both ways.
(module
  (import "test" "twice" (func $twice (param i64) (result i64)))
  (import "test" "fill" (func $fill (param i32 i32) (result i32)))
  (import "test" "fail" (func $fail))
  (memory (export "memory") 1 8)
  (func (export "call_twice") (param i64) (result i64) (call $twice (local.get 0)))
  ;; grows memory by $pages, then asks the host to fill $len bytes at the start of the new pages
  (func (export "grow_then_fill") (param $pages i32) (param $len i32) (result i32)
    (local $base i32)
    (local.set $base (i32.mul (memory.grow (local.get $pages)) (i32.const 65536)))
    (drop (call $fill (local.get $base) (local.get $len)))
    (i32.load8_u (i32.add (local.get $base) (i32.sub (local.get $len) (i32.const 1)))))
  (func (export "fill_at") (param i32 i32) (result i32) (call $fill (local.get 0) (local.get 1)))
  (func (export "call_fail") (call $fail))
  (func (export "loop_calls") (param $n i32) (result i64) (local $acc i64)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $acc (call $twice (local.get $acc)))
      (local.set $acc (i64.add (local.get $acc) (i64.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $acc))
)
