using System.Data.Common;
using System.Diagnostics.Metrics;
using Propeller.Core.Tasks;
using Propeller.Manager.Proplets;
using Propeller.Manager.Storage;

namespace Propeller.Manager.Metrics;

/// <summary>
/// The manager's state as gauges, read when <c>GET /metrics</c> is scraped: tasks by state and proplets alive.
/// </summary>
/// <remarks>
/// Tasks are counted in the store at each scrape (<see cref="RefreshAsync"/>, one <c>GROUP BY state</c> over its
/// index) rather than taken from the liveness sweep: the sweep lists only Scheduled and Running tasks, and a count
/// kept in memory would drift from the store after a restart or a second writer. A scrape every few seconds costs
/// one small query; between scrapes nothing is counted.
/// </remarks>
public sealed class ManagerGauges : IDisposable
{
    private readonly Meter _meter = new(ManagerMetrics.MeterName, ManagerVersion.Current);
    private readonly ITaskStore _store;
    private readonly ILogger<ManagerGauges> _logger;
    private volatile IReadOnlyDictionary<TaskState, long>? _taskCounts;

    public ManagerGauges(ITaskStore store, PropletRegistry registry, ILogger<ManagerGauges> logger)
    {
        _store = store;
        _logger = logger;
        _meter.CreateObservableGauge("propeller.tasks", ObserveTasks, "{task}", "Tasks in each state, counted in the task store at the scrape.");
        _meter.CreateObservableGauge("propeller.proplets.alive", () => registry.Alive().Count, "{proplet}",
            "Proplets alive: heard from within 3 of their heartbeat intervals, connection not dropped.");
    }

    /// <summary>Counts the tasks for the scrape that follows. A store that cannot answer leaves the tasks out of this scrape rather than failing it.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            _taskCounts = await _store.CountByStateAsync(cancellationToken);
        }
        catch (DbException e)
        {
            _taskCounts = null;
            _logger.LogWarning("GET /metrics: the task store did not answer, so propeller_tasks is left out: {reason}", e.Message);
        }
    }

    public void Dispose() => _meter.Dispose();

    /// <summary>Every state, zeros included, so that a state's series exists before its first task.</summary>
    private IEnumerable<Measurement<long>> ObserveTasks() => _taskCounts is { } counts
        ? Enum.GetValues<TaskState>().Select(state => new Measurement<long>(
            counts.GetValueOrDefault(state), new KeyValuePair<string, object?>("state", ManagerMetrics.StateLabel(state))))
        : [];
}
