using Propeller.Manager.Tasks;

namespace Propeller.Manager.Proplets;

/// <summary>
/// Every second, finds the tasks whose proplet is no longer alive (its will arrived, or no heartbeat for
/// three of its intervals) and hands them to <see cref="TaskRecovery"/>, which fails or retries them.
/// </summary>
public sealed class PropletLivenessMonitor(TaskRecovery recovery, ILogger<PropletLivenessMonitor> logger) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(SweepInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await recovery.SweepAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Checking the proplets' tasks failed; trying again in {seconds} s", SweepInterval.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
