using System.Diagnostics;
using System.Text.Json;
using InboxPS.Simulator.Tests.Support;

namespace InboxPS.Simulator.Tests;

/// <summary>The simulator as its own process: one JSON line when ready, quiet otherwise, clean exit on stdin close or SIGTERM.</summary>
public sealed class StandaloneProcessTests
{
    private static readonly string[] s_requiredKeys =
    {
        "ewsUrl", "authority", "tenantId", "clientId", "clientSecret", "certificatePath", "certificatePassword", "caCertificatePath",
        "serviceAccount", "serviceAccountPassword", "delegatedClientId", "controlUrl", "managedIdentityEndpoint", "managedIdentityHeader",
    };

    [Fact]
    public async Task PrintsOneJsonLineServesAndStopsWhenStdinCloses()
    {
        using var process = Start("--users", "25", "--seed", "3", "--broken");
        var line = await ReadLineAsync(process);
        using var info = JsonDocument.Parse(line);
        var root = info.RootElement;
        var workDirectory = Path.GetDirectoryName(root.GetProperty("caCertificatePath").GetString())!;

        var metrics = await GetAsync(root, "metrics");
        var users = await GetAsync(root, "users?skip=24&take=6");
        process.StandardInput.Close();
        var exited = process.WaitForExit(TimeSpan.FromSeconds(30));

        Assert.All(s_requiredKeys, key => Assert.False(string.IsNullOrEmpty(root.GetProperty(key).GetString()), key));
        Assert.Equal(25, root.GetProperty("mailboxCount").GetInt32());
        Assert.Equal(0, metrics.GetProperty("ewsRequests").GetInt64());
        Assert.Equal(new[] { "user0025@contoso.test", "outofscope@contoso.test", "nolicense@contoso.test", "moving@contoso.test", "throttled@contoso.test", "svc-unlicensed@contoso.test" },
            users.EnumerateArray().Select(u => u.GetProperty("primarySmtpAddress").GetString()));
        Assert.True(exited, "The simulator did not stop after stdin closed.");
        Assert.Equal(0, process.ExitCode);
        Assert.Equal("", (await process.StandardOutput.ReadToEndAsync()).Trim());
        Assert.Equal("", (await process.StandardError.ReadToEndAsync()).Trim());
        Assert.False(Directory.Exists(workDirectory), "The certificate files were left behind.");
    }

    [UnixFact]
    public async Task StopsCleanlyOnSigterm()
    {
        using var process = Start("--users", "2", "--no-stdin-exit");
        await ReadLineAsync(process);

        using (var kill = Process.Start("kill", new[] { "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }))
        {
            await kill.WaitForExitAsync();
        }

        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(30)), "The simulator ignored SIGTERM.");
        Assert.Equal(0, process.ExitCode);
    }

    [Fact]
    public async Task AnUnknownOptionIsAUsageErrorOnStderr()
    {
        using var process = Start("--no-such-option");
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("Unknown option '--no-such-option'", stderr);
        Assert.Equal("", await process.StandardOutput.ReadToEndAsync());
    }

    private static Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(typeof(ExchangeSimulator).Assembly.Location);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info)!;
    }

    private static async Task<string> ReadLineAsync(Process process)
    {
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return line ?? throw new InvalidOperationException("The simulator exited without a line: " + await process.StandardError.ReadToEndAsync());
    }

    /// <summary>Calls the control API trusting only the CA file the process wrote, as an outside caller would.</summary>
    private static async Task<JsonElement> GetAsync(JsonElement info, string path)
    {
        using var trust = new SimulatorTrustFactory(info.GetProperty("caCertificatePath").GetString()!);
        var text = await trust.GetHttpClient().GetStringAsync(info.GetProperty("controlUrl").GetString() + path);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
