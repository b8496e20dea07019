;; A guest that imports from the module name the instrumentation reserves for itself.
(module
  (import "propeller_limits" "refuel" (func (result i32)))
  (func (export "steal") (result i32) (call 0))
)
