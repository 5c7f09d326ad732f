using System;
using System.Collections.Generic;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Graph;

/// <summary>
/// A message as a delta page or a GET returned it. Graph's "updated" entries may carry only the properties that changed,
/// so the message says which of the selected ones it lacks: a missing property is "unchanged", never a stored null.
/// </summary>
public sealed class GraphMessage
{
    // One entry per name of GraphClient.MessageProperties: how that property moves from one MailItem to another.
    private static readonly (string Property, Action<MailItem, MailItem> Copy)[] s_copiers =
    {
        ("changeKey", (from, to) => to.ChangeKey = from.ChangeKey),
        ("internetMessageId", (from, to) => to.InternetMessageId = from.InternetMessageId),
        ("conversationId", (from, to) => to.ConversationId = from.ConversationId),
        ("subject", (from, to) => to.Subject = from.Subject),
        ("from", (from, to) => to.Sender = from.Sender),
        ("toRecipients", (from, to) => to.ToRecipients = from.ToRecipients),
        ("ccRecipients", (from, to) => to.CcRecipients = from.CcRecipients),
        ("sentDateTime", (from, to) => to.Sent = from.Sent),
        ("receivedDateTime", (from, to) => to.Received = from.Received),
        ("isRead", (from, to) => to.IsRead = from.IsRead),
        ("hasAttachments", (from, to) => to.HasAttachments = from.HasAttachments),
    };

    public GraphMessage(MailItem item, IReadOnlyCollection<string> missingProperties)
    {
        Item = item;
        MissingProperties = missingProperties;
    }

    /// <summary>The message in the engine's shape; properties Graph did not send are null here.</summary>
    public MailItem Item { get; }

    /// <summary>The selected properties (<see cref="GraphClient.MessageProperties"/>) the answer did not carry.</summary>
    public IReadOnlyCollection<string> MissingProperties { get; }

    public bool IsComplete => MissingProperties.Count == 0;

    /// <summary>Copies the properties this entry carried onto <paramref name="target"/> (an earlier, fuller entry of the same message).</summary>
    public void CopyPresentPropertiesTo(MailItem target)
    {
        var missing = new HashSet<string>(MissingProperties);
        foreach (var (property, copy) in s_copiers)
        {
            if (!missing.Contains(property))
            {
                copy(Item, target);
            }
        }
    }

    /// <summary>True when the entry carries nothing of the selection but the read flag (and the change key that moved with it).</summary>
    public bool IsReadFlagOnly
    {
        get
        {
            var missing = new HashSet<string>(MissingProperties);
            if (missing.Contains("isRead"))
            {
                return false;
            }

            foreach (var property in GraphClient.MessageProperties)
            {
                if (property is not ("isRead" or "changeKey") && !missing.Contains(property))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
