using System.Threading.Channels;
using Propeller.Manager.Proplets;
using Propeller.Manager.Tasks;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// Places tasks that wait for a proplet: when a proplet appears, and every few seconds in case a
/// placement failed for a passing reason (the broker was away).
/// </summary>
public sealed class WaitingTaskPlacer(PropletRegistry registry, TaskService tasks, ILogger<WaitingTaskPlacer> logger) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(5);

    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        registry.BecameAvailable += OnAvailable;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                using var sweep = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                sweep.CancelAfter(SweepInterval);
                try
                {
                    await _wake.Reader.ReadAsync(sweep.Token);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                }

                try
                {
                    await tasks.PlaceWaitingAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Placing waiting tasks failed; trying again in {Seconds} s", SweepInterval.TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            registry.BecameAvailable -= OnAvailable;
        }
    }

    private void OnAvailable(string propletId) => _wake.Writer.TryWrite(true);
}
