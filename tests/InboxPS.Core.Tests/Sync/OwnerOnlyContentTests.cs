using InboxPS.Core.Store;
using InboxPS.Core.Sync;
using InboxPS.Core.Tests.Support;
using InboxPS.Core.Tests.Sync.Fakes;

namespace InboxPS.Core.Tests.Sync;

/// <summary>Issue 17: files holding mail metadata and bodies are owner-only like the token cache (Linux and macOS).</summary>
public sealed class OwnerOnlyContentTests
{
    private const int OwnerReadWrite = 0x180; // 0600
    private const int OwnerAll = 0x1C0;       // 0700

    [Fact]
    public async Task The_store_its_wal_and_every_eml_file_and_folder_are_owner_only()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the profile folder's ACL protects them there; nothing to assert on modes
        }

        using var harness = new EngineHarness();
        var alice = harness.Protocol.Add("alice@contoso.com", items: 3);
        await harness.SyncAsync(new[] { alice.Address },
            new SyncOptions { Folders = new[] { "inbox" }, IncludeMime = true, ContentPath = harness.ContentPath });

        Assert.Equal(OwnerReadWrite, Mode(harness.Store.Location));
        Assert.Equal(OwnerReadWrite, Mode(harness.Store.Location + "-wal"));
        var files = Directory.GetFiles(harness.ContentPath, "*.eml", SearchOption.AllDirectories);
        Assert.Equal(3, files.Length);
        Assert.All(files, f => Assert.Equal(OwnerReadWrite, Mode(f)));
        Assert.All(Directory.GetDirectories(harness.ContentPath, "*", SearchOption.AllDirectories), d => Assert.Equal(OwnerAll, Mode(d)));
    }

    [Fact]
    public void A_store_left_readable_by_others_is_narrowed_to_its_owner_when_opened()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var temp = new TempDirectory();
        var path = temp.Combine("inboxps.db");
        SqliteInboxStore.Open(path).Dispose();
        OwnerOnlyAccess.Restrict(path, 0x1A4); // 0644, as older versions left it

        using var store = SqliteInboxStore.Open(path);

        Assert.Equal(OwnerReadWrite, Mode(path));
    }

    private static int? Mode(string path) => OwnerOnlyAccess.UnixMode(path);
}
