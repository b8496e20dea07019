using Propeller.WasmCli;

return await WasmCliApplication.RunAsync(args, Console.OpenStandardInput(), Console.OpenStandardOutput(), Console.OpenStandardError());
