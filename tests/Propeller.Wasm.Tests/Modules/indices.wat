;; Every way a module names a function, so a test can tell whether each reference still reaches the
;; right function after instrumentation shifts the defined functions' indices. Function $n returns n.
;; The element segments use all eight encodings (the ref.null entries keep wat2wasm from turning the
;; expression encodings 5, 6 and 7 into function-index ones).
(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "log_twice" (func $log_twice (param i32)))
  (type $ret (func (result i32)))
  (table $t 8 funcref)
  (table $t2 4 funcref)
  (global $g funcref (ref.func $seven))

  (elem (i32.const 0) $one $two)                                  ;; encoding 0: table 0, function indices
  (elem $passive func $six)                                       ;; encoding 1: passive, function indices
  (elem (table $t2) (i32.const 0) func $three)                    ;; encoding 2: explicit table, function indices
  (elem declare func $nine)                                       ;; encoding 3: declarative, function indices
  (elem (i32.const 2) funcref (ref.func $four) (ref.null func))   ;; encoding 4: table 0, expressions
  (elem $passive_expr funcref (ref.func $eight) (ref.null func)) ;; encoding 5: passive, expressions
  (elem (table $t2) (i32.const 1) funcref (ref.func $five) (ref.null func)) ;; encoding 6: explicit table, expressions
  (elem declare funcref (ref.func $eleven) (ref.null func))       ;; encoding 7: declarative, expressions

  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func $three (result i32) (i32.const 3))
  (func $four (result i32) (i32.const 4))
  (func $five (result i32) (i32.const 5))
  (func $six (result i32) (i32.const 6))
  (func $seven (result i32) (i32.const 7))
  (func $eight (result i32) (i32.const 8))
  (func $nine (result i32) (i32.const 9))
  (func $ten (export "ten") (result i32) (i32.const 10))
  (func $eleven (result i32) (i32.const 11))

  (func (export "call_direct") (result i32) (call $three))
  (func (export "call_table") (param i32) (result i32) (call_indirect $t (type $ret) (local.get 0)))
  (func (export "call_table2") (param i32) (result i32) (call_indirect $t2 (type $ret) (local.get 0)))
  (func (export "via_global") (result i32)
    (table.set $t (i32.const 5) (global.get $g))
    (call_indirect $t (type $ret) (i32.const 5)))
  (func (export "via_ref_func") (result i32)
    (table.set $t (i32.const 6) (ref.func $nine))
    (call_indirect $t (type $ret) (i32.const 6)))
  (func (export "via_declared_expression") (result i32)
    (table.set $t (i32.const 6) (ref.func $eleven))
    (call_indirect $t (type $ret) (i32.const 6)))
  (func (export "via_passive") (result i32)
    (table.init $t $passive (i32.const 7) (i32.const 0) (i32.const 1))
    (call_indirect $t (type $ret) (i32.const 7)))
  (func (export "via_passive_expression") (result i32)
    (table.init $t2 $passive_expr (i32.const 3) (i32.const 0) (i32.const 1))
    (call_indirect $t2 (type $ret) (i32.const 3)))
  (func (export "tail_to_ten") (result i32) (return_call $ten))
  (func (export "log_through_import") (call $log_twice (i32.const 5)))

  (func $start (call $log (i32.const 42)))
  (start $start)
)
