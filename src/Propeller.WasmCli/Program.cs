using Propeller.WasiNn;
using Propeller.WasmCli;

// wasi-nn is linked for -S nn; its graphs (and ONNX Runtime) load only when a guest asks.
using var graphs = GraphCatalog.WithBuiltInBackends();
WasmCliApplication.HostModules = [new WasiNnProvider(graphs)];
return await WasmCliApplication.RunAsync(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.OpenStandardError());
