using System;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace InboxPS.Simulator.Ews;

/// <summary>
/// Answers no Exchange sends but a compromised or misconfigured endpoint (a proxy, a captive portal, an attacker on a
/// DNS name) could: the client must fail the one mailbox, quickly and without holding the answer in memory.
/// </summary>
internal static class HostileAnswers
{
    // Whatever was asked, the answer opens like an envelope and then never closes its first header element: a client
    // that skips unknown headers keeps reading, so only its size limit (or its timeout) stops it.
    private const string OpenEnvelope =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"" + Soap.SoapNs + "\"><s:Header><x:Padding xmlns:x=\"urn:hostile\">";

    // Ten levels of ten: expanded, the last entity is 10^10 copies of "lol" (about 30 GB).
    private static readonly byte[] s_entityExpansion = Encoding.UTF8.GetBytes(BuildEntityExpansion());

    public static async Task SendAsync(HttpContext context, FaultKinds kind)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/xml; charset=utf-8";
        if (kind == FaultKinds.EntityExpansion)
        {
            response.ContentLength = s_entityExpansion.Length;
            await response.Body.WriteAsync(s_entityExpansion, context.RequestAborted);
            return;
        }

        // Both stream a header that never ends, until the client hangs up (or, should it never, up to 16 GB).
        var open = Encoding.UTF8.GetBytes(OpenEnvelope);
        var chunk = Encoding.UTF8.GetBytes(new StringBuilder(64 * 1024).Insert(0, "lol ", 16 * 1024).ToString());
        var chunks = (16L * 1024 * 1024 * 1024 - open.Length) / chunk.Length;
        if (kind == FaultKinds.GiantBody)
        {
            response.ContentLength = open.Length + chunks * chunk.Length;
        }

        try
        {
            await response.Body.WriteAsync(open, context.RequestAborted);
            for (var i = 0L; i < chunks && !context.RequestAborted.IsCancellationRequested; i++)
            {
                await response.Body.WriteAsync(chunk, context.RequestAborted);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client stopped reading: exactly what it should do.
        }
    }

    private static string BuildEntityExpansion()
    {
        var dtd = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol0 \"lol\">");
        for (var level = 1; level <= 10; level++)
        {
            dtd.Append("<!ENTITY lol").Append(level).Append(" \"");
            for (var i = 0; i < 10; i++)
            {
                dtd.Append("&lol").Append(level - 1).Append(';');
            }

            dtd.Append("\">");
        }

        return dtd.Append("]><s:Envelope xmlns:s=\"").Append(Soap.SoapNs).Append("\"><s:Body>&lol10;</s:Body></s:Envelope>").ToString();
    }
}
