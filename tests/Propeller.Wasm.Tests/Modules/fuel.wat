;; Loops and calls for the fuel tests: some never end, the others compute something a test can check.
(module
  ;; The smallest loop that never ends: only fuel can stop it.
  (func (export "spin")
    (loop $forever (br $forever)))

  ;; Unbounded recursion (the stack would overflow eventually; fuel stops it first).
  (func $recurse (export "recurse")
    (call $recurse))

  ;; Unbounded tail recursion: constant stack, so only fuel can stop it.
  (func $tail_spin (export "tail_spin")
    (return_call $tail_spin))

  ;; 0 + 1 + ... + (n - 1)
  (func (export "sum") (param $n i32) (result i64)
    (local $i i32) (local $total i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $total (i64.add (local.get $total) (i64.extend_i32_u (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $total))

  ;; Iterative Fibonacci: fib(0) = 0, fib(1) = 1.
  (func (export "fib") (param $n i32) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $a))

  ;; Recursive Fibonacci: many calls, each through a function entry check.
  (func $fib_recursive (export "fib_recursive") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else
        (i32.add
          (call $fib_recursive (i32.sub (local.get $n) (i32.const 1)))
          (call $fib_recursive (i32.sub (local.get $n) (i32.const 2)))))))

  ;; Nested loops with a loop that carries a value (multi-value block type): counts n * n.
  (func (export "nested") (param $n i32) (result i32)
    (local $i i32) (local $j i32)
    (i32.const 0)
    (loop $outer (param i32) (result i32)
      (local.set $j (i32.const 0))
      (loop $inner (param i32) (result i32)
        (i32.add (i32.const 1))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br_if $inner (i32.lt_u (local.get $j) (local.get $n))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $outer (i32.lt_u (local.get $i) (local.get $n)))))
)
