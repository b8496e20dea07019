using Propeller.Core.Messaging;

namespace Propeller.Proplet.Tasks;

/// <summary>
/// The results of the runs that ended here recently, by task and attempt, so that a start the manager sends
/// again (it never heard the result: the broker lost it, or the manager restarted) is answered with the
/// result instead of a second run. Bounded by count and by size; the oldest are forgotten first.
/// </summary>
public sealed class FinishedRuns(int maxRuns = 4096, long maxBytes = 64L * 1024 * 1024)
{
    private readonly Dictionary<(Guid Task, int Attempt), ResultMessage> _results = [];
    private readonly Queue<(Guid Task, int Attempt, long Bytes)> _order = new();
    private long _bytes;

    public void Add(int attempt, ResultMessage result)
    {
        var key = (result.TaskId, attempt);
        var bytes = Size(result);
        lock (_results)
        {
            if (!_results.TryAdd(key, result))
            {
                return;
            }

            _order.Enqueue((key.TaskId, attempt, bytes));
            _bytes += bytes;
            while (_order.Count > maxRuns || (_bytes > maxBytes && _order.Count > 1))
            {
                var oldest = _order.Dequeue();
                _results.Remove((oldest.Task, oldest.Attempt));
                _bytes -= oldest.Bytes;
            }
        }
    }

    public bool TryGet(Guid taskId, int attempt, out ResultMessage result)
    {
        lock (_results)
        {
            return _results.TryGetValue((taskId, attempt), out result!);
        }
    }

    private static long Size(ResultMessage result) =>
        256 + (result.Results?.GetRawText().Length ?? 0) + (result.Error?.Length ?? 0);
}
