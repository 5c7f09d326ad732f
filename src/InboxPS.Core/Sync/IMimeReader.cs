using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// What an <see cref="IMailboxSession"/> implements when it can read one stored item's message (RFC 822) on demand:
/// Export-InboxItem uses it for items that were not saved as .eml files at sync time.
/// </summary>
public interface IMimeReader
{
    /// <summary>The message as the server gives it; null when the server no longer has the item.</summary>
    /// <exception cref="InboxException">The server could not hand the item over (corrupt, too large), with its reason.</exception>
    Task<byte[]?> ReadMimeAsync(string folderId, string itemId, CancellationToken cancellationToken);
}
