using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using Propeller.Core.Json;
using Propeller.Core.Messaging;

namespace Propeller.IntegrationTests.Fuzz;

/// <summary>One generated MQTT message: where it goes, what it says (summarised when printed) and at which QoS.</summary>
internal sealed record HostileMessage(string Topic, byte[] Payload, bool AtLeastOnce)
{
    public override string ToString()
    {
        var text = Encoding.UTF8.GetString(Payload, 0, Math.Min(Payload.Length, 300));
        return $"{Topic} (QoS {(AtLeastOnce ? 1 : 0)}, {Payload.Length} bytes): {text}{(Payload.Length > 300 ? "…" : "")}";
    }
}

/// <summary>
/// What the manager and the proplet must survive on their topics: random bytes, valid messages cut or mutated,
/// fields of the wrong type, huge arrays, deep nesting, and well-formed messages that must change nothing
/// (a result for a task placed on another proplet or for another attempt, a report for a task that is not
/// running). Nothing here speaks with the identity the processes trust: no message claims to be the real proplet
/// about its own running task, and no start or stop addressed to the real proplet names a task the test watches.
/// </summary>
internal sealed class MqttPayloadGenerators(Topics topics, string propletId, IReadOnlyList<Guid> watched, Guid running, int runningAttempt)
{
    /// <summary>A real module (base64), so that a start with wrong-typed fields gets as far as the runtime.</summary>
    private static readonly string Greet = Convert.ToBase64String(Propeller.Testing.Repository.Guest("greet"));

    private static readonly string[] Ghosts = ["fuzz-ghost-1", "fuzz-ghost-2", "", " ", "\u0000", "proplet-\ud800"];

    /// <summary>Proplets that do not exist: the same few (so reports reach a known ghost) and random ones.</summary>
    public static Gen<string> GhostId =>
        Gen.Frequency((3, Gen.Elements(Ghosts)), (1, JsonGenerators.Text.Select(t => "fuzz-" + t)));

    public Gen<Guid> AnyTaskId =>
        Gen.Frequency((2, Gen.Elements(watched.ToArray())), (1, RandomGuid), (1, Gen.Constant(Guid.Empty)));

    public static Gen<Guid> RandomGuid => Gen.ArrayOf(ArbMap.Default.GeneratorFor<byte>(), 16).Select(b => new Guid(b));

    /// <summary>Messages on control/proplet/+ (what the manager reads).</summary>
    public Gen<HostileMessage> ToManager =>
        from topic in Gen.Elements(topics.PropletResults, topics.PropletRunning, topics.PropletAlive, topics.PropletCreate, $"{topics.Base}/control/proplet/other")
        from payload in Payload(topic)
        from qos in ArbMap.Default.GeneratorFor<bool>()
        select new HostileMessage(topic, payload, qos);

    /// <summary>Messages on control/manager/+ (what the proplet reads).</summary>
    public Gen<HostileMessage> ToProplet =>
        from topic in Gen.Elements(topics.ManagerStart, topics.ManagerStart, topics.ManagerStop, topics.ManagerDiscover, $"{topics.Base}/control/manager/other")
        from payload in Payload(topic)
        from qos in ArbMap.Default.GeneratorFor<bool>()
        select new HostileMessage(topic, payload, qos);

    private Gen<byte[]> Payload(string topic) =>
        Gen.Frequency(
            (4, WellFormed(topic).Select(Serialize)),
            (3, JsonGenerators.Mutated(WellFormed(topic).Where(m => !IsAboutTheRunningTask(m)).Select(m => Encoding.UTF8.GetString(Serialize(m))))),
            (3, WrongTypes(topic).Select(JsonGenerators.ToBytes)),
            (1, Huge(topic)),
            (1, JsonGenerators.Deep.Select(JsonGenerators.ToBytes)),
            (1, JsonGenerators.Value(3).Select(JsonGenerators.ToBytes)),
            (1, JsonGenerators.RandomBytes));

    /// <summary>
    /// The real proplet's report on its running task for another attempt changes nothing as generated, but a mutation
    /// may break the "attempt" key, and a report without an attempt is how upstream's proplets speak: then it is a true
    /// report, which nothing on an unprovisioned channel can tell from a forged one. Such messages are not mutated.
    /// </summary>
    private bool IsAboutTheRunningTask(object message) => message switch
    {
        ResultMessage r => r.PropletId == propletId && r.TaskId == running,
        RunningMessage r => r.PropletId == propletId && r.TaskId == running,
        _ => false,
    };

    /// <summary>Messages of the right shape for the topic that must still change nothing.</summary>
    private Gen<object> WellFormed(string topic)
    {
        if (topic == topics.PropletResults)
        {
            return from ghost in ReporterAndTask
                   from error in Gen.Elements<string?>(null, "", "boom", new string('e', 10_000))
                   from lost in Gen.Elements<bool?>(null, true, false)
                   from results in JsonGenerators.Value(3).Where(v => !v.Contains("\\ud", StringComparison.OrdinalIgnoreCase))
                   select (object)new ResultMessage { TaskId = ghost.Task, PropletId = ghost.Proplet, Attempt = ghost.Attempt, Error = error, Lost = lost, Results = JsonDocument.Parse(JsonGenerators.ToBytes(results.Replace(JsonGenerators.NotUtf8.ToString(), "", StringComparison.Ordinal))).RootElement.Clone() };
        }

        if (topic == topics.PropletRunning)
        {
            return ReporterAndTask.Select(r => (object)new RunningMessage { TaskId = r.Task, PropletId = r.Proplet, Attempt = r.Attempt });
        }

        if (topic == topics.PropletAlive)
        {
            return from ghost in GhostId
                   from status in Gen.Elements("alive", "offline", "", "zombie")
                   from tasks in Gen.ListOf(AnyTaskId)
                   from interval in Gen.Elements<string?>(null, "1s", "0s", "-1s", "1e-300s", "8760h", "garbage", "", "0.0000001s")
                   select (object)new AliveMessage { PropletId = ghost, Status = status, Tasks = [.. tasks], LivelinessInterval = interval, RunningTasks = tasks.Count };
        }

        if (topic == topics.PropletCreate)
        {
            return from ghost in GhostId
                   from name in JsonGenerators.Text
                   from maxTasks in Gen.Elements<int?>(null, 0, -1, int.MaxValue)
                   select (object)new CreateMessage { PropletId = ghost, Name = name, Metadata = new Core.Proplets.PropletMetadata { MaxTasks = maxTasks, WasmRuntime = name, NnEncodings = [name], LivelinessInterval = "0.5s" } };
        }

        if (topic == topics.ManagerStart)
        {
            return from target in Gen.Frequency((3, Gen.Constant(propletId)), (1, GhostId))
                   from id in target == propletId ? RandomGuid : AnyTaskId
                   from attempt in Gen.Elements(0, 1, -1, int.MaxValue, int.MinValue)
                   from file in Gen.Elements<byte[]?>(null, [], [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00], Encoding.UTF8.GetBytes("(module)"), [0x00, 0x61, 0x73, 0x6D, 0x0D, 0x00, 0x01, 0x00])
                   from imageUrl in Gen.Elements<string?>(null, "", "http://127.0.0.1:9/none.wasm", "file:///etc/passwd", "oci://x/y:z", "http://[::1", "\u0000")
                   from args in Gen.ListOf(JsonGenerators.Text)
                   from env in Gen.ListOf(Gen.Zip(JsonGenerators.Text, JsonGenerators.Text))
                   from timeout in Gen.Elements<string?>(null, "0.001s", "garbage", "999999h", "-1s", "")
                   from recover in ArbMap.Default.GeneratorFor<bool>()
                   select (object)new StartMessage
                   {
                       Id = id,
                       Name = "fuzz",
                       File = file,
                       ImageUrl = imageUrl,
                       CliArgs = [.. args.Where(a => !a.StartsWith('-'))],
                       Env = env.DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2),
                       Timeout = timeout,
                       Attempt = attempt,
                       Recover = recover,
                       PropletId = target,
                   };
        }

        if (topic == topics.ManagerStop)
        {
            return from target in Gen.Frequency((1, Gen.Constant(propletId)), (1, GhostId))
                   from id in target == propletId ? Gen.OneOf(RandomGuid, Gen.Elements(watched.Where(w => w != running).ToArray())) : AnyTaskId
                   select (object)new StopMessage { Id = id, PropletId = target };
        }

        return Gen.Constant((object)new DiscoverMessage { ManagerId = "fuzz" });
    }

    /// <summary>Who reports on which task: a ghost on any task, or the real proplet on a task not running there or on another attempt.</summary>
    private Gen<(string Proplet, Guid Task, int? Attempt)> ReporterAndTask =>
        Gen.OneOf(
            from ghost in GhostId
            from task in AnyTaskId
            from attempt in Gen.Elements<int?>(null, 0, 1, runningAttempt, -1)
            select (ghost, task, attempt),
            from task in Gen.OneOf(RandomGuid, Gen.Elements(watched.Where(w => w != running).ToArray()))
            from attempt in Gen.Elements<int?>(null, 0, 1, runningAttempt, runningAttempt + 1)
            select (propletId, task, attempt),
            from attempt in Gen.Elements(0, runningAttempt - 1, runningAttempt + 1, int.MaxValue, int.MinValue)
            select (propletId, running, (int?)attempt));

    /// <summary>
    /// A message object for the topic whose fields (one or more) have the wrong type; starts and stops may be addressed
    /// to the real proplet (about a random task: a field given twice takes its last value, so "id" may be replaced),
    /// and half the starts carry a real module, so that their fields reach the runtime.
    /// </summary>
    private Gen<string> WrongTypes(string topic)
    {
        string[] fields = topic == topics.ManagerStart ? ["id", "name", "file", "image_url", "inputs", "cli_args", "env", "daemon", "timeout", "attempt", "recover", "proplet_id"]
            : topic == topics.ManagerStop ? ["id", "proplet_id"]
            : topic == topics.PropletResults ? ["task_id", "proplet_id", "results", "error", "attempt", "lost", "exit_code"]
            : topic == topics.PropletRunning ? ["task_id", "proplet_id", "attempt"]
            : topic == topics.PropletAlive ? ["proplet_id", "status", "running_tasks", "tasks", "liveliness_interval"]
            : ["proplet_id", "name", "metadata", "manager_id"];
        return from chosen in Gen.Choose(1, 4).SelectMany(n => Gen.ListOf(Gen.Elements(fields), n))
               from values in Gen.CollectToList(chosen.Select(_ => Gen.Frequency(
                   (2, Gen.Elements(JsonGenerators.EdgeValues)),
                   (2, JsonGenerators.Value(2)),
                   (1, Gen.Elements("[null]", "[\"x\",null]", "{\"A\":null}", "null", "[[null]]")))))
               from proplet in topic == topics.ManagerStart || topic == topics.ManagerStop ? Gen.OneOf(Gen.Constant(propletId), GhostId) : GhostId
               from id in RandomGuid
               from runnable in ArbMap.Default.GeneratorFor<bool>()
               let file = runnable && topic == topics.ManagerStart ? $"\"file\":\"{Greet}\"," : ""
               select "{\"proplet_id\":" + JsonGenerators.Quote(proplet) + ",\"id\":\"" + id + "\"," + file + string.Join(",", chosen.Zip(values, (f, v) => JsonGenerators.Quote(f) + ":" + v)) + "}";
    }

    /// <summary>Arrays of tens of thousands of entries where the messages have lists.</summary>
    private Gen<byte[]> Huge(string topic) =>
        from count in Gen.Choose(10_000, 60_000)
        from proplet in GhostId
        let ids = "[" + string.Join(",", Enumerable.Range(0, count).Select(i => $"\"{new Guid(i, 0, 0, new byte[8])}\"")) + "]"
        let numbers = "[" + string.Join(",", Enumerable.Range(0, count)) + "]"
        let q = JsonGenerators.Quote(proplet)
        select Encoding.UTF8.GetBytes(
            topic == topics.PropletAlive ? $"{{\"proplet_id\":{q},\"tasks\":{ids}}}"
            : topic == topics.PropletCreate ? $"{{\"proplet_id\":{q},\"metadata\":{{\"tags\":{ids},\"nn_graphs\":{ids}}}}}"
            : topic == topics.PropletResults ? $"{{\"proplet_id\":{q},\"task_id\":\"{new Guid(count, 1, 1, new byte[8])}\",\"results\":{numbers}}}"
            : topic == topics.ManagerStart ? $"{{\"proplet_id\":{q},\"id\":\"{new Guid(count, 2, 2, new byte[8])}\",\"inputs\":{numbers},\"cli_args\":{ids}}}"
            : $"{{\"proplet_id\":{q},\"id\":{ids}}}");

    private static byte[] Serialize(object message) => message switch
    {
        ResultMessage m => JsonSerializer.SerializeToUtf8Bytes(m, PropellerJsonContext.Default.ResultMessage),
        RunningMessage m => JsonSerializer.SerializeToUtf8Bytes(m, PropellerJsonContext.Default.RunningMessage),
        AliveMessage m => JsonSerializer.SerializeToUtf8Bytes(m, PropellerJsonContext.Default.AliveMessage),
        CreateMessage m => JsonSerializer.SerializeToUtf8Bytes(m, PropellerJsonContext.Default.CreateMessage),
        StartMessage m => JsonSerializer.SerializeToUtf8Bytes(m, PropellerJsonContext.Default.StartMessage),
        StopMessage m => JsonSerializer.SerializeToUtf8Bytes(m, PropellerJsonContext.Default.StopMessage),
        DiscoverMessage m => JsonSerializer.SerializeToUtf8Bytes(m, PropellerJsonContext.Default.DiscoverMessage),
        _ => throw new ArgumentException($"not a message: {message}", nameof(message)),
    };
}
