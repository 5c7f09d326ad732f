namespace InboxPS.Core.Ews.Protocol;

internal static class EwsNamespaces
{
    public const string Soap = "http://schemas.xmlsoap.org/soap/envelope/";
    public const string Types = "http://schemas.microsoft.com/exchange/services/2006/types";
    public const string Messages = "http://schemas.microsoft.com/exchange/services/2006/messages";
    public const string Errors = "http://schemas.microsoft.com/exchange/services/2006/errors";
}
