using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace InboxPS.Core.Sync;

/// <summary>
/// A session that reads several well-known folders in one request (EWS's GetFolder takes many ids): the preflight reads
/// the inbox and the other chosen folders together instead of one call each.
/// </summary>
public interface IWellKnownFoldersReader
{
    /// <summary>The folders in the order asked; one that cannot be read fails the call, as reading it alone would.</summary>
    Task<IReadOnlyList<MailFolder>> GetWellKnownFoldersAsync(IReadOnlyList<string> wellKnownNames, CancellationToken cancellationToken);
}
