using Microsoft.OpenApi;
using Propeller.Core.Api;

namespace Propeller.Manager.Api;

/// <summary>
/// What <c>/openapi/v1.json</c> says beyond what ASP.NET Core infers. The handlers read their requests
/// themselves (to answer malformed input with a clear 400), so query parameters, bodies and error
/// answers are declared here.
/// </summary>
public static class OpenApiDescription
{
    public static IServiceCollection AddPropellerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Propeller manager",
                Version = ManagerVersion.Current,
                Description = "Tasks (WebAssembly modules, wasi-nn inference) and the proplets that run them. "
                    + "Routes, fields and status codes follow upstream Propeller; errors are {\"error\": \"…\"}.",
            };
            return Task.CompletedTask;
        }));

    /// <summary>Declares a query parameter that the handler reads itself.</summary>
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder endpoint, string name, JsonSchemaType type, string description) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = name,
                In = ParameterLocation.Query,
                Description = description,
                Schema = new OpenApiSchema { Type = type },
            });
            return Task.CompletedTask;
        });

    /// <summary>Declares the upload's body: a multipart form whose part <c>file</c> is the module.</summary>
    public static RouteHandlerBuilder WithModuleUpload(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var form = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary", Description = "the WebAssembly core module (.wasm)" },
                },
                Required = new HashSet<string> { "file" },
            };
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["multipart/form-data"] = new() { Schema = form } },
            };
            return Task.CompletedTask;
        });

    /// <summary>Declares the <c>{"error": "…"}</c> answers of an endpoint.</summary>
    public static RouteHandlerBuilder WithErrors(this RouteHandlerBuilder endpoint, params int[] statusCodes)
    {
        ArgumentNullException.ThrowIfNull(statusCodes);
        foreach (var status in statusCodes)
        {
            endpoint.Produces<ErrorResponse>(status);
        }

        return endpoint;
    }
}
