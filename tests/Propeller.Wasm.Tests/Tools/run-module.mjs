// Runs a module in Node's WebAssembly engine for the limits tests and reports what happened.
//   node run-module.mjs module.wasm '<request JSON>'
// The request: { "calls": [{ "name": "sum", "args": [10] }], "fuel": 10000, "refuelLimit": 5, "wasiArgs": [...] }
// - propeller_limits.refuel returns "fuel" on each call and 0 once it has been called more than
//   "refuelLimit" times (no limit when absent), as the real host does at its deadline, after which the
//   instrumented guest traps; that trap is reported as kind "fuel";
// - env.log and env.log_twice record their argument (log_twice records it twice);
// - with "wasiArgs" the module is a WASI command: its _start runs with those arguments, stdout is the guest's;
// - otherwise each call invokes an export; i64 results are reported as decimal strings.
// The report is one line on stderr: REPORT {"results": [...], "refuels": n, "log": [...], "exitCode": n|null,
// "error": null | {"kind": "fuel" | "trap" | "stack-overflow" | "other", "message": "..."}}
import { readFileSync } from "node:fs";
import { WASI } from "node:wasi";
import process from "node:process";


const [file, requestText] = process.argv.slice(2);
const request = JSON.parse(requestText ?? "{}");
const report = { results: [], refuels: 0, log: [], exitCode: null, error: null };

const fuel = request.fuel ?? 10000;
const refuelLimit = request.refuelLimit ?? Infinity;
let stopped = false;
function refuel() {
  report.refuels++;
  if (report.refuels > refuelLimit) {
    stopped = true;
    return 0;
  }
  return fuel;
}

const wasi = request.wasiArgs ? new WASI({ version: "preview1", args: ["guest", ...request.wasiArgs], env: {}, returnOnExit: true }) : null;
const known = {
  propeller_limits: { refuel },
  env: { log: (v) => { report.log.push(v); }, log_twice: (v) => { report.log.push(v, v); } },
  wasi_snapshot_preview1: wasi?.wasiImport ?? {},
};

function describe(error) {
  if (stopped && error instanceof WebAssembly.RuntimeError) return { kind: "fuel", message: `stopped after ${refuelLimit} refuels` };
  if (error instanceof WebAssembly.RuntimeError) return { kind: "trap", message: error.message };
  if (error instanceof RangeError) return { kind: "stack-overflow", message: error.message };
  return { kind: "other", message: String(error?.stack ?? error) };
}

try {
  const module = new WebAssembly.Module(readFileSync(file));
  const imports = {};
  for (const { module: name, name: field } of WebAssembly.Module.imports(module)) {
    const value = known[name]?.[field];
    if (value === undefined) throw new Error(`the test host has no import ${name}::${field}`);
    (imports[name] ??= {})[field] = value;
  }
  const instance = new WebAssembly.Instance(module, imports);
  if (wasi) {
    report.exitCode = wasi.start(instance);
  } else {
    for (const call of request.calls ?? []) {
      const result = instance.exports[call.name](...(call.args ?? []));
      report.results.push(typeof result === "bigint" ? result.toString() : result ?? null);
    }
  }
} catch (error) {
  report.error = describe(error);
}

process.stderr.write(`REPORT ${JSON.stringify(report)}\n`);
