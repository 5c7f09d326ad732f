namespace InboxPS.Core.Ews.Protocol;

internal enum ResponseClass
{
    Success,
    Warning,
    Error,
}
