;; Guests that never stop by themselves, and one that computes for a while: for deadlines and stops.
(module
  (func (export "forever") (loop (br 0)))
  (func $again (export "recurse_forever") (call $again))
  ;; sum of i*i for i < n, modulo 2^64: a compute-bound loop whose result is easy to check
  (func (export "sum_squares") (param $n i64) (result i64) (local $i i64) (local $sum i64)
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i64.add (local.get $sum) (i64.mul (local.get $i) (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $sum))
)
