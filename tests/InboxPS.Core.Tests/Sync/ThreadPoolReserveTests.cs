using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

[CollectionDefinition(nameof(ThreadPoolReserveTests), DisableParallelization = true)]
public sealed class ThreadPoolMinimumCollection
{
}

/// <summary>
/// The engine's workers wait synchronously in the stores, so while a run goes the pool keeps a thread for each of them.
/// Alone in its collection: every other engine test moves the same process-wide minimum.
/// </summary>
[Collection(nameof(ThreadPoolReserveTests))]
public sealed class ThreadPoolReserveTests : IDisposable
{
    private readonly EngineHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    [Fact]
    public async Task While_a_run_goes_the_pool_keeps_a_thread_for_every_worker_and_afterwards_its_own_minimum()
    {
        ThreadPool.GetMinThreads(out var before, out var completionPortBefore);
        var alice = _harness.Protocol.Add("alice@contoso.com", items: 1);
        var during = 0;
        alice.BeforeCall = (_, _) =>
        {
            ThreadPool.GetMinThreads(out var now, out _);
            during = Math.Max(during, now);
        };

        await _harness.SyncAsync(new[] { "alice@contoso.com" }, new SyncOptions { ThrottleLimit = 48 });

        ThreadPool.GetMinThreads(out var after, out var completionPortAfter);
        Assert.Equal(before + 48, during);
        Assert.Equal((before, completionPortBefore), (after, completionPortAfter));
    }

    [Fact]
    public void Reservations_add_up_and_each_gives_back_only_its_own()
    {
        ThreadPool.GetMinThreads(out var before, out _);

        var first = ThreadPoolReserve.Hold(10);
        var second = ThreadPoolReserve.Hold(5);
        ThreadPool.GetMinThreads(out var both, out _);
        first.Dispose();
        first.Dispose();
        ThreadPool.GetMinThreads(out var secondOnly, out _);
        second.Dispose();
        ThreadPool.GetMinThreads(out var after, out _);

        Assert.Equal((before + 15, before + 5, before), (both, secondOnly, after));
    }
}
