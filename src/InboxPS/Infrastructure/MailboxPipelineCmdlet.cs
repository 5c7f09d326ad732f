using System.Management.Automation;
using InboxPS.Core.Sync;

namespace InboxPS.Infrastructure;

/// <summary>
/// The mailbox parameters shared by the cmdlets that take users from the pipeline. Each binds by property name the
/// names Get-Mailbox, Get-EXOMailbox, Graph users and CSV rows carry; a plain string binds to InputObject.
/// PowerShell resets these before every record, so each record is read on its own.
/// </summary>
public abstract class MailboxPipelineCmdlet : AsyncInboxCmdlet
{
    /// <summary>The organization whose service account does the work; optional when only one exists.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(OrganizationNameCompleter))]
    [ValidateNotNullOrEmpty]
    public string? Organization { get; set; }

    /// <summary>Mailboxes by address (or anything Get-Mailbox's Identity holds that is an address).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Mailbox")]
    [ValidateNotNullOrEmpty]
    public string[]? Identity { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("WindowsEmailAddress", "Mail", "EmailAddress", "SmtpAddress", "Email")]
    public string? PrimarySmtpAddress { get; set; }

    /// <summary>Also the Microsoft 365 admin center's user export, whose column is "User principal name".</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("UPN", "User principal name")]
    public string? UserPrincipalName { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    public string? ExternalDirectoryObjectId { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    public string? ExchangeGuid { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    [Alias("Alias")]
    public string? MailboxAlias { get; set; }

    /// <summary>Whatever was piped, so a plain string ("user@contoso.com") is read as an address.</summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    public PSObject? InputObject { get; set; }

    /// <summary>True once any record arrived by pipeline or -Identity.</summary>
    protected bool HadInput { get; private set; }

    /// <summary>"(a record with the columns 'Given name', 'Surname')": what an error says of a row it cannot read.</summary>
    private static string DescribeColumns(PSObject record)
    {
        var names = new System.Collections.Generic.List<string>();
        foreach (var property in record.Properties)
        {
            names.Add("'" + property.Name + "'");
        }

        return names.Count == 0 ? "(a record with no columns)" : "(a record with the columns " + string.Join(", ", names) + ")";
    }

    /// <summary>A piped object's Id when it is a GUID (a Graph user's); null otherwise (Get-Mailbox's Id is a name).</summary>
    private static string? EntraObjectId(PSObject? record) =>
        record?.Properties["Id"]?.Value?.ToString() is { } id && System.Guid.TryParse(id, out _) ? id : null;

    /// <summary>The records of the current ProcessRecord call: one per -Identity value, or the one piped object.</summary>
    protected MailboxInput[] ReadInputs()
    {
        var text = InputObject?.BaseObject as string;
        if (text is null && InputObject?.BaseObject is { } other && !ReferenceEquals(other, InputObject))
        {
            // A piped object with none of the known properties: keep it as a record, so it fails on its own, named by
            // the columns it has (a CSV row's ToString is empty).
            text = other is PSCustomObject ? DescribeColumns(InputObject) : other.ToString();
        }

        // Get-MgUser's Id is the Entra object id (Get-Mailbox's ExternalDirectoryObjectId). Read from the piped object
        // rather than bound through an alias "Id", which would take -Id away from -Identity.
        var objectId = ExternalDirectoryObjectId ?? EntraObjectId(InputObject);
        var hasProperties = PrimarySmtpAddress is not null || UserPrincipalName is not null || objectId is not null
            || ExchangeGuid is not null || MailboxAlias is not null;
        if (Identity is { Length: > 1 } && !hasProperties && text is null)
        {
            HadInput = true;
            var many = new MailboxInput[Identity.Length];
            for (var i = 0; i < many.Length; i++)
            {
                many[i] = new MailboxInput { Identity = Identity[i] };
            }

            return many;
        }

        var identity = Identity is { Length: > 0 } ? Identity[0] : null;
        if (text is null && identity is null && !hasProperties)
        {
            return System.Array.Empty<MailboxInput>();
        }

        HadInput = true;
        return new[]
        {
            new MailboxInput
            {
                Text = text,
                Identity = identity,
                PrimarySmtpAddress = PrimarySmtpAddress,
                UserPrincipalName = UserPrincipalName,
                ExternalDirectoryObjectId = objectId,
                ExchangeGuid = ExchangeGuid,
                Alias = MailboxAlias,
            },
        };
    }
}
