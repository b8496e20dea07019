;; SIMD instructions with every kind of immediate: memory arguments, memory argument plus lane,
;; lanes, v128.const and i8x16.shuffle (16 bytes each), and plain ones; inside loops so the fuel
;; checks land between them.
(module
  (memory (export "memory") 1)
  (func (export "dot") (param $n i32) (result i32)
    (local $i i32) (local $acc v128)
    (local.set $acc (v128.const i32x4 0 0 0 0))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc
          (i32x4.add (local.get $acc)
            (i32x4.dot_i16x8_s
              (v128.load offset=16 align=8 (i32.mul (local.get $i) (i32.const 16)))
              (v128.load16x4_s (i32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
      (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))

  (func (export "shuffle_lanes") (param $p i32) (result i32)
    (local $v v128)
    (local.set $v (v128.const i8x16 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15))
    (local.set $v (i8x16.shuffle 15 14 13 12 11 10 9 8 7 6 5 4 3 2 1 0 (local.get $v) (local.get $v)))
    (local.set $v (i8x16.replace_lane 3 (local.get $v) (i32.const 99)))
    (local.set $v (i16x8.replace_lane 7 (local.get $v) (i32.const 1234)))
    (local.set $v (v128.load8_lane 1 (local.get $p) (local.get $v)))
    (local.set $v (v128.load16_lane offset=2 1 (local.get $p) (local.get $v)))
    (local.set $v (v128.load32_lane align=4 2 (local.get $p) (local.get $v)))
    (local.set $v (v128.load64_lane 1 (local.get $p) (local.get $v)))
    (v128.store8_lane 0 (local.get $p) (local.get $v))
    (v128.store16_lane 1 (local.get $p) (local.get $v))
    (v128.store32_lane 2 (local.get $p) (local.get $v))
    (v128.store64_lane offset=8 1 (local.get $p) (local.get $v))
    (v128.store (i32.const 64) (v128.load32_zero (local.get $p)))
    (v128.store (i32.const 80) (v128.load64_zero (local.get $p)))
    (v128.store (i32.const 96) (v128.load8_splat (local.get $p)))
    (v128.store (i32.const 112) (v128.load64_splat (local.get $p)))
    (v128.store (i32.const 128) (i8x16.swizzle (local.get $v) (i8x16.splat (i32.const 2))))
    (v128.store (i32.const 144) (f32x4.demote_f64x2_zero (f64x2.promote_low_f32x4 (f32x4.splat (f32.const 1.5)))))
    (v128.store (i32.const 160) (i64x2.extmul_high_i32x4_u (local.get $v) (i32x4.splat (i32.const 3))))
    (v128.store (i32.const 176) (v128.bitselect (local.get $v) (v128.not (local.get $v)) (i64x2.splat (i64.const -1))))
    (v128.store (i32.const 192) (f64x2.convert_low_i32x4_u (i32x4.trunc_sat_f64x2_s_zero (f64x2.splat (f64.const 2.5)))))
    (v128.store (i32.const 208) (i16x8.q15mulr_sat_s (local.get $v) (i16x8.narrow_i32x4_u (local.get $v) (local.get $v))))
    (v128.store (i32.const 224) (f32x4.pmax (f32x4.ceil (local.get $v)) (f32x4.sqrt (local.get $v))))
    (v128.store (i32.const 240) (i8x16.popcnt (i8x16.avgr_u (local.get $v) (i8x16.abs (local.get $v)))))
    (drop (i64x2.extract_lane 1 (local.get $v)))
    (drop (f32x4.extract_lane 3 (local.get $v)))
    (drop (f64x2.extract_lane 0 (f64x2.replace_lane 1 (local.get $v) (f64.const 3))))
    (drop (v128.any_true (local.get $v)))
    (drop (i64x2.all_true (local.get $v)))
    (drop (i32x4.bitmask (i32x4.shr_s (local.get $v) (i32.const 3))))
    (i32.add
      (i8x16.extract_lane_u 3 (local.get $v))
      (i16x8.extract_lane_s 7 (local.get $v))))
)
