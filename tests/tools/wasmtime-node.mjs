#!/usr/bin/env -S node --no-warnings
// A wasmtime-style command over Node's built-in WASI, used by the tests (and by `make run` when no
// wasmtime is installed) as the proplet's external runtime until the project's own propeller-wasm
// exists. It understands the part of wasmtime's command line that the seeds use:
//   wasmtime-node.mjs [run] [--dir=HOST::GUEST | --dir=DIR]… [--env K=V]… [-S nn] module.wasm [args…]
// Node documents that its WASI is NOT a security sandbox (a symlink can lead outside a preopen):
// do not run untrusted modules with it.
import { readFile } from "node:fs/promises";
import { WASI } from "node:wasi";
import process from "node:process";

function usage(message) {
  process.stderr.write(`wasmtime-node: ${message}\n` +
    "usage: wasmtime-node.mjs [run] [--dir=HOST::GUEST]… [--env K=V]… [-S OPTION]… module.wasm [args…]\n");
  process.exit(2);
}

const argv = process.argv.slice(2);
if (argv[0] === "--version") {
  // Proplets report their runtime's version (`<runtime> --version`) when they announce themselves.
  process.stdout.write(`wasmtime-node 1.0 (node ${process.version})\n`);
  process.exit(0);
}
if (argv[0] === "run") argv.shift();

const preopens = {};
const env = {};
let i = 0;
for (; i < argv.length; i++) {
  const arg = argv[i];
  if (!arg.startsWith("-")) break;
  const [flag, inline] = arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
  const value = () => inline ?? argv[++i] ?? usage(`${flag} needs a value`);
  switch (flag) {
    case "--dir": {
      const spec = value();
      const [host, guest] = spec.includes("::") ? spec.split("::", 2) : [spec, spec];
      preopens[guest] = host;
      break;
    }
    case "--env": {
      const pair = value();
      const eq = pair.indexOf("=");
      if (eq <= 0) usage(`--env expects NAME=VALUE, got '${pair}'`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
      break;
    }
    case "-S":
    case "--wasi":
      value(); // WASI proposals such as nn: accepted; a module that imports what Node lacks fails to link below.
      break;
    default:
      usage(`unknown option ${flag}`);
  }
}

const file = argv[i];
if (!file) usage("no module given");
const args = [file, ...argv.slice(i + 1)];

let bytes;
try {
  bytes = await readFile(file);
} catch (e) {
  process.stderr.write(`wasmtime-node: cannot read ${file}: ${e.message}\n`);
  process.exit(1);
}

try {
  const wasi = new WASI({ version: "preview1", args, env, preopens, returnOnExit: true });
  const module = await WebAssembly.compile(bytes);
  const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
  const code = wasi.start(instance);
  process.exitCode = code;
} catch (e) {
  process.stderr.write(`Error: failed to run main module \`${file}\`\n\nCaused by:\n    ${e.message}\n`);
  process.exitCode = 1;
}
