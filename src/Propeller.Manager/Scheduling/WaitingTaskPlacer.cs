using System.Threading.Channels;
using Propeller.Manager.Proplets;

namespace Propeller.Manager.Scheduling;

/// <summary>
/// Places tasks that wait for a proplet: when a proplet appears or has room again, and every two seconds
/// in case a placement failed for a passing reason (the broker was away) or a wait ran out.
/// </summary>
public sealed class WaitingTaskPlacer(PropletRegistry registry, TaskPlacer placer, ILogger<WaitingTaskPlacer> logger) : BackgroundService
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(2);

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
                    await placer.PlaceWaitingAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    logger.LogError(e, "Placing waiting tasks failed; trying again in {seconds} s", SweepInterval.TotalSeconds);
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
