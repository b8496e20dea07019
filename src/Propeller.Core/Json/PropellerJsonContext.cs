using System.Text.Json;
using System.Text.Json.Serialization;
using Propeller.Core.Api;
using Propeller.Core.Messaging;
using Propeller.Core.Proplets;
using Propeller.Core.Tasks;

namespace Propeller.Core.Json;

/// <summary>
/// Compile-time JSON metadata for every type that crosses HTTP or MQTT: snake_case names, nulls left
/// out (as upstream's <c>omitempty</c>), integers for states.
/// </summary>
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    Converters = [typeof(Rfc3339UtcConverter)])]
[JsonSerializable(typeof(PropellerTask))]
[JsonSerializable(typeof(TaskRequest))]
[JsonSerializable(typeof(TaskPage))]
[JsonSerializable(typeof(Proplet))]
[JsonSerializable(typeof(PropletPage))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(StartResponse))]
[JsonSerializable(typeof(StopResponse))]
[JsonSerializable(typeof(ResultsResponse))]
[JsonSerializable(typeof(ProvisionRequest))]
[JsonSerializable(typeof(ProvisionResponse))]
[JsonSerializable(typeof(CredentialList))]
[JsonSerializable(typeof(StartMessage))]
[JsonSerializable(typeof(StopMessage))]
[JsonSerializable(typeof(ResultMessage))]
[JsonSerializable(typeof(AliveMessage))]
[JsonSerializable(typeof(CreateMessage))]
[JsonSerializable(typeof(RunningMessage))]
[JsonSerializable(typeof(DiscoverMessage))]
[JsonSerializable(typeof(List<TaskTransition>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(List<string>))]
[JsonSerializable(typeof(List<JsonElement>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(JsonElement))]
public sealed partial class PropellerJsonContext : JsonSerializerContext;
