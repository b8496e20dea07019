using Propeller.Core.Tasks;

namespace Propeller.Manager.Storage;

/// <summary>
/// Where tasks live. Every write is durable when the call returns, so the API acknowledges only
/// what a restart would still show.
/// </summary>
public interface ITaskStore
{
    Task InitializeAsync(CancellationToken cancellationToken);

    Task AddAsync(PropellerTask task, CancellationToken cancellationToken);

    /// <summary>The whole task, module included; null when there is none with that id.</summary>
    Task<PropellerTask?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>A page in creation order, without the modules' bytes (listings stay small).</summary>
    Task<TaskPage> ListAsync(int offset, int limit, TaskState? state, CancellationToken cancellationToken);

    Task UpdateAsync(PropellerTask task, CancellationToken cancellationToken);

    Task<bool> DeleteAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Pending tasks a user asked to start that still wait for a proplet, oldest first.</summary>
    Task<IReadOnlyList<Guid>> ListWaitingAsync(CancellationToken cancellationToken);

    /// <summary>Tasks placed on a proplet that have not ended (Scheduled or Running), without modules, oldest first.</summary>
    Task<IReadOnlyList<PropellerTask>> ListActiveAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The active tasks placed on one proplet, like <see cref="ListActiveAsync"/>. Each heartbeat asks it, so it reads
    /// that proplet's tasks only: with a thousand proplets beating every second and many tasks in flight, reading
    /// every active task per heartbeat left the manager unable to keep up.
    /// </summary>
    Task<IReadOnlyList<PropellerTask>> ListActiveOnAsync(string propletId, CancellationToken cancellationToken);

    /// <summary>How many tasks are in each state (states without tasks are left out): one query, for <c>GET /metrics</c>.</summary>
    Task<IReadOnlyDictionary<TaskState, long>> CountByStateAsync(CancellationToken cancellationToken);
}
