namespace InboxPS.Simulator.Tests.Support;

/// <summary>
/// One simulator shared by the tests of a class (starting one takes a few hundred milliseconds). Tests that share it
/// only change mailboxes of their own and never the server-wide settings; tests that need those start their own.
/// </summary>
public sealed class SimulatorFixture : IAsyncLifetime
{
    private ExchangeSimulator? _simulator;

    public ExchangeSimulator Simulator => _simulator ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() =>
        _simulator = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 60, ItemsPerFolder = 30, BrokenMailboxes = true });

    public async Task DisposeAsync()
    {
        if (_simulator is not null)
        {
            await _simulator.DisposeAsync();
        }
    }
}
