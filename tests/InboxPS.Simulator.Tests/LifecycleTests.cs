using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>Starting and stopping: files appear and go, a taken port is a clear failure, bad options are refused up front.</summary>
public sealed class LifecycleTests
{
    [Fact]
    public async Task CertificateFilesExistWhileRunningAndAreDeletedOnDispose()
    {
        var sim = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 1, ItemsPerFolder = 1 });
        var files = new[] { sim.CaCertificatePath, sim.CertificatePath };
        var existed = files.All(File.Exists);
        var pem = await File.ReadAllTextAsync(sim.CaCertificatePath);

        await sim.DisposeAsync();

        Assert.True(existed);
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", pem);
        Assert.All(files, f => Assert.False(File.Exists(f), f));
    }

    [Fact]
    public async Task APortInUseFailsTheStart()
    {
        await using var first = await ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 1, ItemsPerFolder = 1 });

        await Assert.ThrowsAnyAsync<IOException>(() => ExchangeSimulator.StartAsync(new SimulatorOptions { Users = 1, ItemsPerFolder = 1, Port = first.BaseUri.Port }));
    }

    [Theory]
    [InlineData(0, 0.0)]
    [InlineData(10, 1.5)]
    public async Task InvalidOptionsAreRefusedBeforeAnythingStarts(int users, double faultRate)
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ExchangeSimulator.StartAsync(new SimulatorOptions { Users = users, FaultRate = faultRate }));

        Assert.Contains(users == 0 ? "Users" : "FaultRate", error.Message);
    }
}
