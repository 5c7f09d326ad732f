using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Identity.Client;

namespace InboxPS.Core.Auth;

/// <summary>
/// The persisted MSAL token cache of one organization's delegated sign-in, so a later session or runbook job reconnects
/// without a prompt. It lives beside the store, in a tokens folder, one file per organization (see <see cref="OwnerOnlyFile"/>).
/// App-only tokens never come here: they can be fetched again from the credential, which InboxPS does not keep.
/// </summary>
public sealed class TokenCacheFile
{
    private const string PendingSuffix = ".pending";
    private readonly object _gate = new();
    private string _path;

    public TokenCacheFile(string folder, string organization)
    {
        Organization = organization;
        _path = System.IO.Path.Combine(folder, FileNameFor(organization));
    }

    public string Organization { get; }

    public string Path => _path;

    public bool Exists => File.Exists(_path);

    /// <summary>The tokens folder that belongs to the store at <paramref name="storeLocation"/>.</summary>
    public static string FolderBeside(string storeLocation) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(storeLocation))!, "tokens");

    /// <summary>Loads the cache before MSAL reads it and saves it whenever MSAL changed it (new or renewed tokens).</summary>
    internal void Bind(ITokenCache cache)
    {
        cache.SetBeforeAccess(args =>
        {
            lock (_gate)
            {
                args.TokenCache.DeserializeMsalV3(OwnerOnlyFile.Read(_path), shouldClearExistingCache: true);
            }
        });
        cache.SetAfterAccess(args =>
        {
            if (args.HasStateChanged)
            {
                lock (_gate)
                {
                    OwnerOnlyFile.Write(_path, args.TokenCache.SerializeMsalV3());
                }
            }
        });
    }

    public void Delete()
    {
        lock (_gate)
        {
            OwnerOnlyFile.Delete(_path);
        }
    }

    /// <summary>
    /// A cache for a sign-in that is not verified yet: it takes the organization's place only on <see cref="Commit"/>, so
    /// a failed Connect-InboxImpersonation leaves the previous sign-in as it was.
    /// </summary>
    internal TokenCacheFile Pending()
    {
        var pending = new TokenCacheFile(System.IO.Path.GetDirectoryName(_path)!, Organization);
        pending._path = _path + PendingSuffix;
        return pending;
    }

    /// <summary>Moves a pending cache to the organization's cache file; MSAL keeps writing there from now on.</summary>
    internal void Commit()
    {
        lock (_gate)
        {
            if (!_path.EndsWith(PendingSuffix, StringComparison.Ordinal))
            {
                return;
            }

            var final = _path.Substring(0, _path.Length - PendingSuffix.Length);
            if (File.Exists(_path))
            {
                OwnerOnlyFile.MoveOver(_path, final);
            }

            _path = final;
        }
    }

    // Organization names may hold any character; a hash keeps the file name portable and case-insensitive like the store.
    private static string FileNameFor(string organization)
    {
        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(organization.Trim().ToUpperInvariant()));
        return "org-" + BitConverter.ToString(hash, 0, 12).Replace("-", string.Empty).ToLowerInvariant() + ".msalcache";
    }
}
