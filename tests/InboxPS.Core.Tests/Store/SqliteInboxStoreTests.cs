using InboxPS.Core.Organizations;
using InboxPS.Core.Store;
using InboxPS.Core.Tests.Support;
using Microsoft.Data.Sqlite;

namespace InboxPS.Core.Tests.Store;

public sealed class SqliteInboxStoreTests
{
    [Fact]
    public void NewStoreHasNoOrganizations()
    {
        using var temp = new TempDirectory();
        using var store = SqliteInboxStore.Open(temp.Combine("inboxps.db"));

        Assert.Empty(store.GetOrganizations());
    }

    [Fact]
    public void StoreIsVersionedAndInWalMode()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("inboxps.db");
        using (SqliteInboxStore.Open(path))
        {
        }

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA user_version";
        Assert.Equal((long)StoreSchema.CurrentVersion, command.ExecuteScalar());
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar());
    }

    [Fact]
    public void AZeroByteFileIsRefusedAndLeftAsItIs()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("inboxps.db");
        File.WriteAllBytes(path, Array.Empty<byte>());

        var error = Assert.Throws<StoreException>(() => SqliteInboxStore.Open(path));
        Assert.Equal("StoreEmpty", error.ErrorId);
        Assert.Contains(path, error.Message);
        Assert.Contains("backup", error.RecommendedAction, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public void CorruptFileIsRefusedWithPathAndAdvice()
    {
        using var temp = new TempDirectory();
        var path = temp.Combine("inboxps.db");
        File.WriteAllText(path, new string('x', 4096));

        var error = Assert.Throws<StoreException>(() => SqliteInboxStore.Open(path));
        Assert.Equal("StoreCorrupt", error.ErrorId);
        Assert.Contains(path, error.Message);
        Assert.Contains("move the file aside", error.RecommendedAction, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void UnwritableFolderIsRefusedWithPathAndAdvice()
    {
        using var temp = new TempDirectory();
        // A regular file where the data folder should be: cannot be created on any platform, even as root.
        var blocker = temp.Combine("blocked");
        File.WriteAllText(blocker, "not a folder");
        var path = Path.Combine(blocker, "inboxps.db");

        var error = Assert.Throws<StoreException>(() => SqliteInboxStore.Open(path));
        Assert.Equal("StoreFolderNotWritable", error.ErrorId);
        Assert.Contains(blocker, error.Message);
        Assert.Contains(StoreLocation.HomeVariable, error.RecommendedAction);
    }

    [Fact]
    public void DataDirectoryFollowsInboxpsHome()
    {
        var previous = Environment.GetEnvironmentVariable(StoreLocation.HomeVariable);
        try
        {
            using var temp = new TempDirectory();
            Environment.SetEnvironmentVariable(StoreLocation.HomeVariable, temp.Path);
            Assert.Equal(Path.Combine(temp.Path, "inboxps.db"), StoreLocation.DefaultDatabasePath());
            Environment.SetEnvironmentVariable(StoreLocation.HomeVariable, null);
            Assert.EndsWith("InboxPS", StoreLocation.DataDirectory());
        }
        finally
        {
            Environment.SetEnvironmentVariable(StoreLocation.HomeVariable, previous);
        }
    }
}
