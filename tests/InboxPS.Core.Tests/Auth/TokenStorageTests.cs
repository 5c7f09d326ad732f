using System.Runtime.InteropServices;
using InboxPS.Core.Auth;
using InboxPS.Core.Tests.Support;

namespace InboxPS.Core.Tests.Auth;

public sealed class TokenStorageTests
{
    [Fact]
    public void A_written_file_reads_back_and_is_replaced_whole()
    {
        using var folder = new TempDirectory();
        var path = folder.Combine("tokens", "org.msalcache");

        OwnerOnlyFile.Write(path, new byte[] { 1, 2, 3 });
        OwnerOnlyFile.Write(path, new byte[] { 4, 5 });

        Assert.Equal(new byte[] { 4, 5 }, OwnerOnlyFile.Read(path));
        Assert.Single(Directory.GetFiles(folder.Combine("tokens")));
    }

    [Fact]
    public void A_missing_file_reads_as_nothing()
    {
        using var folder = new TempDirectory();

        Assert.Null(OwnerOnlyFile.Read(folder.Combine("none", "x.msalcache")));
    }

    [Fact]
    public void Outside_windows_only_the_owner_may_read_the_cache_or_its_folder()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            Assert.True(OwnerOnlyFile.IsEncrypted);
            return;
        }

        using var folder = new TempDirectory();
        var path = folder.Combine("tokens", "org.msalcache");

        OwnerOnlyFile.Write(path, new byte[] { 1 });
        OwnerOnlyFile.Write(path, new byte[] { 2 });

        Assert.False(OwnerOnlyFile.IsEncrypted);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder.Combine("tokens")));
    }

    [Fact]
    public void Each_organization_has_one_cache_file_whatever_the_case_of_its_name()
    {
        var a = new TokenCacheFile("/data/tokens", "Contoso Ltd");
        var b = new TokenCacheFile("/data/tokens", "contoso ltd ");
        var other = new TokenCacheFile("/data/tokens", "Fabrikam");

        Assert.Equal(a.Path, b.Path);
        Assert.NotEqual(a.Path, other.Path);
        Assert.DoesNotContain(" ", Path.GetFileName(a.Path));
    }

    [Fact]
    public void The_tokens_folder_sits_beside_the_store()
    {
        Assert.Equal(Path.Combine(Path.GetFullPath("/data/inboxps"), "tokens"), TokenCacheFile.FolderBeside("/data/inboxps/inboxps.db"));
    }
}
