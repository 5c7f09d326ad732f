namespace InboxPS.Core.Ews;

/// <summary>
/// The RequestServerVersion a request declares (the names are the schema's ExchangeVersionType values). InboxPS uses
/// nothing newer than Exchange 2010 (ConversationId, SyncScope and every ConnectingSID kind exist there), and Microsoft
/// asks clients to declare the earliest version that has what they use, so <see cref="Exchange2010_SP2"/> is the default.
/// </summary>
public enum ExchangeServerVersion
{
    Exchange2010_SP2,
    Exchange2013,
    Exchange2013_SP1,
    Exchange2016,
}
