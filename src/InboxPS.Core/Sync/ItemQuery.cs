using System;
using System.Text;

namespace InboxPS.Core.Sync;

/// <summary>
/// Which stored items Get-InboxItem reads. Text filters are PowerShell-style wildcards (* and ?), matched without
/// regard to case; <see cref="Folder"/> matches the folder's display name or well-known name.
/// </summary>
public sealed class ItemQuery
{
    public ItemQuery(string organization)
    {
        Organization = organization;
    }

    public string Organization { get; }
    public string? Mailbox { get; set; }
    public string? Folder { get; set; }
    public DateTimeOffset? ReceivedAfter { get; set; }
    public DateTimeOffset? ReceivedBefore { get; set; }
    public string? Sender { get; set; }
    public string? Subject { get; set; }
    public bool? IsRead { get; set; }

    /// <summary>The escape character of <see cref="ToLike"/>'s patterns (SQL: LIKE ... ESCAPE '\').</summary>
    public const char LikeEscape = '\\';

    /// <summary>A wildcard as a SQL LIKE pattern: * and ? become % and _, the SQL wildcards themselves are escaped.</summary>
    public static string? ToLike(string? wildcard)
    {
        if (wildcard is null)
        {
            return null;
        }

        var like = new StringBuilder(wildcard.Length + 4);
        for (var i = 0; i < wildcard.Length; i++)
        {
            var c = wildcard[i];
            switch (c)
            {
                case '*':
                    like.Append('%');
                    break;
                case '?':
                    like.Append('_');
                    break;
                case '`' when i + 1 < wildcard.Length:
                    // PowerShell's escape: the next character is literal.
                    AppendLiteral(like, wildcard[++i]);
                    break;
                default:
                    AppendLiteral(like, c);
                    break;
            }
        }

        return like.ToString();
    }

    private static void AppendLiteral(StringBuilder like, char c)
    {
        if (c is '%' or '_' or LikeEscape)
        {
            like.Append(LikeEscape);
        }

        like.Append(c);
    }
}
