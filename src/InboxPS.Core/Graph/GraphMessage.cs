using System.Collections.Generic;
using InboxPS.Core.Sync;

namespace InboxPS.Core.Graph;

/// <summary>
/// A message as a delta page or a GET returned it. Graph's "updated" entries may carry only the properties that changed,
/// so the message says which of the selected ones it lacks: a missing property is "unchanged", never a stored null.
/// </summary>
public sealed class GraphMessage
{
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
