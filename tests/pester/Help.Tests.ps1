BeforeDiscovery {
    # What the manifest promises, not what the module happens to export: a cmdlet missing from the module fails here.
    $cmdlets = @((Import-PowerShellDataFile $env:INBOXPS_TEST_MANIFEST).CmdletsToExport | ForEach-Object { @{ Name = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $docs = Join-Path $RepoRoot 'docs/en-US'
    $convert = Join-Path $RepoRoot 'tools/ConvertTo-MamlHelp.ps1'

    function Get-HelpText {
        # Get-Help's description objects are arrays of { Text }; an empty description is $null or blank text.
        param($Value)
        return (@($Value | ForEach-Object { $_.Text }) -join "`n").Trim()
    }

    function Get-DocumentedParameterNames {
        param([string] $Name)
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        return @((Get-Command $Name).Parameters.Keys | Where-Object { $_ -notin $common })
    }
}

Describe 'Help for <Name>' -ForEach $cmdlets {
    BeforeAll {
        $help = Get-Help $Name -Full -ErrorAction SilentlyContinue
    }

    It 'is a cmdlet the module exports' {
        Get-Command $Name -Module InboxPS -CommandType Cmdlet -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because 'the manifest lists it'
    }

    It 'has a written synopsis, not the syntax PowerShell makes up when there is no help' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match "^\s*$([regex]::Escape($Name))\b" -Because 'an auto-generated synopsis starts with the syntax'
    }

    It 'has a description' {
        Get-HelpText $help.description | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples with code' {
        $examples = @($help.examples.example)
        $examples.Count | Should -BeGreaterOrEqual 2
        foreach ($example in $examples) { $example.code | Should -Not -BeNullOrEmpty }
    }

    It 'describes every parameter, hidden ones included' {
        $helpParameters = @($help.parameters.parameter)
        foreach ($parameter in Get-DocumentedParameterNames $Name) {
            $entry = $helpParameters | Where-Object name -eq $parameter
            $entry | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs help"
            Get-HelpText $entry.description | Should -Not -BeNullOrEmpty -Because "-$parameter of $Name needs a description"
        }
    }

    It 'states what the cmdlet metadata says: required, aliases, pipeline input' {
        $command = Get-Command $Name
        # A cmdlet with no parameters of its own (Get-InboxStore) has no entries here.
        foreach ($entry in @($help.parameters.parameter | Where-Object { $_ -and $_.name })) {
            $metadata = $command.Parameters[$entry.name]
            $metadata | Should -Not -BeNullOrEmpty -Because "the help documents -$($entry.name), which $Name must have"
            $sets = @($metadata.ParameterSets.Values)
            $entry.required | Should -Be ([string](-not ($sets | Where-Object { -not $_.IsMandatory }))).ToLowerInvariant()
            $aliases = if ($metadata.Aliases.Count) { $metadata.Aliases -join ', ' } else { 'None' }
            $entry.aliases | Should -Be $aliases
            $byValue = [bool]($sets | Where-Object ValueFromPipeline)
            $entry.pipelineInput -like '*ByValue*' | Should -Be $byValue -Because "-$($entry.name) pipeline input"
        }
    }
}

Describe 'The issue''s must-have examples' {
    It '<Name> shows <What>' -ForEach @(
        @{ Name = 'Start-InboxSync'; What = 'the Get-Mailbox pipeline'; Pattern = 'Get-Mailbox[^\n]*\|\s*Start-InboxSync' }
        @{ Name = 'Test-InboxImpersonation'; What = 'the Get-Mailbox pipeline'; Pattern = 'Get-Mailbox[^\n]*\|\s*Test-InboxImpersonation' }
        @{ Name = 'Start-InboxSync'; What = 'an unattended runbook'; Pattern = 'Connect-InboxImpersonation[^\n]*-(CertificateThumbprint|Certificate|CertificatePath|ManagedIdentity)\b' }
        @{ Name = 'Connect-InboxImpersonation'; What = 'a certificate sign-in'; Pattern = '-(CertificateThumbprint|Certificate|CertificatePath)\b' }
        @{ Name = 'Connect-InboxImpersonation'; What = 'a managed identity in a runbook'; Pattern = '-ManagedIdentity\b' }
    ) {
        Get-Command $Name -Module InboxPS -ErrorAction SilentlyContinue | Should -Not -BeNullOrEmpty -Because "$Name is part of the module"
        $code = @((Get-Help $Name -Examples).examples.example | ForEach-Object code) -join "`n"
        $code | Should -Match $Pattern
    }
}

Describe 'The help pages' {
    It 'agree with the module: no page or parameter the module lacks, nothing undocumented' {
        $output = Join-Path $env:INBOXPS_HOME 'InboxPS.dll-Help.xml'
        { & $convert -ModuleManifest $ModuleManifest -DocsPath $docs -OutputPath $output -Strict } |
            Should -Not -Throw
        ([xml](Get-Content -Raw $output)).helpItems.command.Count | Should -Be @(Get-Command -Module InboxPS -CommandType Cmdlet).Count
    }

    It 'fail the strict check when a page documents a parameter the cmdlet does not have' {
        $copy = Join-Path $env:INBOXPS_HOME 'stale-docs'
        $null = New-Item -ItemType Directory $copy
        Copy-Item (Join-Path $docs '*.md') $copy
        $page = Join-Path $copy 'Get-InboxOrganization.md'
        (Get-Content -Raw $page) -replace '## INPUTS', "### -Retired`nA parameter that was removed.`n`n## INPUTS" | Set-Content $page
        { & $convert -ModuleManifest $ModuleManifest -DocsPath $copy -OutputPath (Join-Path $copy 'out.xml') -Strict } |
            Should -Throw '*documents -Retired*'
    }
}

Describe 'about_InboxPS' {
    BeforeAll {
        # Whitespace folded, so a phrase may wrap across lines of the topic.
        $about = (Get-Help about_InboxPS | Out-String) -replace '\s+', ' '
    }

    It 'is found by Get-Help' {
        $about | Should -BeLike '*about_InboxPS*'
    }

    It 'covers <Topic>' -ForEach @(
        @{ Topic = 'the four access types'; Text = 'GraphAppOnly', 'OAuthAppOnly', 'OAuthImpersonation', 'BasicImpersonation' }
        @{ Topic = 'what to grant for Microsoft Graph'; Text = 'Mail.Read', 'Mail.ReadBasic.All', '"Application Mail.Read"', '-CustomResourceScope', 'New-ServicePrincipal', 'tenant-wide Mail.Read consent' }
        @{ Topic = 'what to grant in Entra ID and Exchange Online'; Text = 'full_access_as_app', 'admin consent', 'RBAC for Applications', 'New-ApplicationAccessPolicy' }
        @{ Topic = 'what to grant on Exchange Server'; Text = 'New-ManagementRoleAssignment', 'ApplicationImpersonation', 'management scope' }
        @{ Topic = 'the dates that end access'; Text = 'October 2022', 'February 2025', '1 October 2026', '1 April 2027' }
        @{ Topic = 'every cmdlet'; Text = 'Get-InboxOrganization', 'Set-InboxAccessType', 'Remove-InboxOrganization', 'Connect-InboxImpersonation', 'Disconnect-InboxImpersonation', 'Get-InboxConnection', 'Start-InboxSync', 'Test-InboxImpersonation', 'Get-InboxSyncStatus', 'Disable-InboxSync', 'Set-InboxStore', 'Get-InboxStore', 'Get-InboxSyncRun', 'Test-InboxStore', 'Backup-InboxStore', 'Get-InboxSyncStatistics', 'Get-InboxItem', 'Export-InboxItem', 'Export-InboxSyncReport' }
    ) {
        foreach ($expected in $Text) { $about | Should -BeLike "*$expected*" }
    }
}
