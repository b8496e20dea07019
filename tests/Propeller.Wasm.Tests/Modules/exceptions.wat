;; Exception handling as toolchains emit it today: try, catch, catch_all, delegate, throw, rethrow.
(module
  (tag $error (param i32))
  (tag $other)
  (func $fail (param i32) (throw $error (local.get 0)))
  (func (export "caught") (param i32) (result i32)
    (try (result i32)
      (do (call $fail (local.get 0)) (i32.const 0))
      (catch $error (i32.add (i32.const 1)))
      (catch_all (i32.const -1))))
  (func (export "delegated") (param i32) (result i32)
    (try $outer (result i32)
      (do
        (try (result i32)
          (do (call $fail (local.get 0)) (i32.const 0))
          (delegate $outer)))
      (catch $error)))
  (func (export "rethrown") (result i32)
    (local $n i32)
    (try (result i32)
      (do
        (loop $again
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (try
            (do (throw $other))
            (catch_all
              (br_if $again (i32.lt_u (local.get $n) (i32.const 3)))
              (rethrow 0))))
        (i32.const 0))
      (catch $other (local.get $n))))
)
