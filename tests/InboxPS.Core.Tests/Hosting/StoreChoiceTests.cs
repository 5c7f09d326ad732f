using InboxPS.Core.Hosting;
using InboxPS.Core.Store;

namespace InboxPS.Core.Tests.Hosting;

/// <summary>The shared store is PowerShell 7 only (issue 16): the check a Windows PowerShell 5.1 session meets first.</summary>
public sealed class StoreChoiceTests
{
    [Theory]
    [InlineData(".NET Framework 4.8.9032.0")]
    [InlineData(".NET Framework 4.7.2")]
    public void OnDotNetFrameworkThePostgresStoreIsRefusedSayingPowerShell7(string framework)
    {
        var error = Assert.Throws<StoreException>(() => StoreChoice.RequirePowerShell7(framework));

        Assert.Equal("StorePostgresNeedsPowerShell7", error.ErrorId);
        Assert.Contains("PowerShell 7", error.Message);
        Assert.Contains("SQLite", error.RecommendedAction);
    }

    [Theory]
    [InlineData(".NET 10.0.0")]
    [InlineData(".NET 6.0.36")]
    public void OnModernDotNetThePostgresStoreIsAllowed(string framework)
    {
        StoreChoice.RequirePowerShell7(framework);

        Assert.Equal("PostgreSQL", StoreChoice.Postgres("postgres://inboxps@db.contoso.com:5432/inboxps").Kind);
    }
}
