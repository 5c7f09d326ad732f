BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $moduleRoot = Split-Path $ModuleManifest
    $sim = Start-TestSimulator -ArgumentList '--users', '4', '--items-per-folder', '3'
    $simJson = $sim | Select-Object * -ExcludeProperty Process | ConvertTo-Json -Compress
    $users = @(Invoke-SimulatorControl -Simulator $sim -Path 'users' | Where-Object { -not $_.broken -and $_.hasMailbox })

    # Another module's MSAL, older than InboxPS's 4.92: restored as a test asset by tests/tools/TestTools.csproj.
    $nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $otherMsal = @(
        Join-Path $nugetRoot 'microsoft.identitymodel.abstractions/8.14.0/lib/net8.0/Microsoft.IdentityModel.Abstractions.dll'
        Join-Path $nugetRoot 'microsoft.identity.client/4.90.0/lib/net8.0/Microsoft.Identity.Client.dll'
    )

    function Get-TestRuntimeIdentifier {
        # This process's platform as the load context names it (win/osx/linux and x64/arm64).
        $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
        return "$os-$([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture.ToString().ToLowerInvariant())"
    }

    function Invoke-Session {
        # A fresh pwsh that does NOT import InboxPS by itself (unlike Invoke-FreshPwsh): each script decides when the
        # other MSAL loads and when InboxPS is imported. It trusts the simulator's CA and keeps a private store.
        param([Parameter(Mandatory)] [string] $Script)
        $environment = @{
            INBOXPS_HOME = (New-TestStoreHome); SSL_CERT_FILE = $sim.caCertificatePath; INBOXPS_TEST_SIM = $simJson
            INBOXPS_TEST_USERS = ($users | ConvertTo-Json -Compress -Depth 4); INBOXPS_TEST_MANIFEST = $ModuleManifest
            INBOXPS_TEST_OTHER_MSAL = ($otherMsal -join [System.IO.Path]::PathSeparator)
        }
        $process = Start-PwshProcess -Script ($prelude + "`n" + $Script) -Environment $environment
        $output = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        $errors = $process.StandardErrorText
        return [pscustomobject]@{ ExitCode = $process.ExitCode; Output = @(($output + $errors.Result) -split "`r?`n" | Where-Object { $_ }) }
    }

    # Helpers every session gets: load and use the other MSAL, and sync one mailbox with InboxPS.
    $prelude = @'
$ErrorActionPreference = 'Stop'
$sim = $env:INBOXPS_TEST_SIM | ConvertFrom-Json
$users = $env:INBOXPS_TEST_USERS | ConvertFrom-Json
function Add-OtherMsal { foreach ($path in $env:INBOXPS_TEST_OTHER_MSAL -split [System.IO.Path]::PathSeparator) { Add-Type -Path $path } }
function Use-OtherMsal([string] $Label) {
    # What another module does with its MSAL: an app-only token from the same identity endpoint InboxPS uses.
    $app = [Microsoft.Identity.Client.ConfidentialClientApplicationBuilder]::Create($sim.clientId).
        WithAuthority("$($sim.authority.TrimEnd('/'))/$($sim.tenantId)/", $false).WithInstanceDiscovery($false).
        WithClientSecret($sim.clientSecret).Build()
    $token = $app.AcquireTokenForClient([string[]] @('https://outlook.office365.com/.default')).ExecuteAsync().GetAwaiter().GetResult()
    "$Label=$($app.GetType().Assembly.GetName().Version) token:$($token.AccessToken.Length -gt 0)"
}
function Sync-OneMailbox([string] $Label, [int] $User) {
    if (-not $script:connected) {
        $null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -EwsUrl $sim.ewsUrl -WarningAction SilentlyContinue
        $null = Connect-InboxImpersonation -Organization contoso -Authority $sim.authority -TenantId $sim.tenantId -ClientId $sim.clientId -ClientSecret $sim.clientSecret -ServiceAccount $users[0].primarySmtpAddress
        $script:connected = $true
    }
    $result = $users[$User].primarySmtpAddress | Start-InboxSync -Organization contoso
    "$Label=$($result.Status) items:$($result.ItemsAdded -gt 0) type:$($result.GetType().FullName)"
}
function Show-Contexts {
    # Every InboxPS-related assembly with its version and load context, as [AppDomain]::CurrentDomain.GetAssemblies() sees them.
    foreach ($assembly in [AppDomain]::CurrentDomain.GetAssemblies()) {
        $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($assembly).Name
        "assembly=$($assembly.GetName().Name) $($assembly.GetName().Version) $context $($assembly.Location)"
    }
}
'@

    function Assert-SideBySide([string[]] $Output) {
        # The other MSAL in the default context; InboxPS's MSAL, InboxPS.Core and SQLite in the private 'InboxPS' context,
        # loaded from dependencies/; nothing the runtime itself ships (System.Text.Json, System.Memory...) in there.
        $assemblies = @($Output | Where-Object { $_ -like 'assembly=*' } | ForEach-Object {
                $name, $version, $context, $location = ($_ -replace '^assembly=') -split ' ', 4
                [pscustomobject]@{ Name = $name; Version = $version; Context = $context; Location = $location }
            })
        $msal = @($assemblies | Where-Object Name -eq 'Microsoft.Identity.Client' | ForEach-Object { "$($_.Version) $($_.Context)" } | Sort-Object)
        $msal | Should -Be @('4.90.0.0 Default', '4.92.0.0 InboxPS')
        $private = @($assemblies | Where-Object Context -eq 'InboxPS')
        foreach ($name in 'InboxPS.Core', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3') {
            $private.Name | Should -Contain $name
        }
        # dependencies/, or its ahead-of-time compiled copies for this platform when the build made them.
        $dependencies = Join-Path $moduleRoot 'dependencies'
        $folders = @($dependencies, (Join-Path $dependencies "runtimes/$(Get-TestRuntimeIdentifier)/lib"))
        foreach ($assembly in $private) {
            Split-Path $assembly.Location | Should -BeIn $folders -Because "$($assembly.Name) must come from InboxPS's own folder"
            $assembly.Name | Should -Not -BeLike 'System.*' -Because 'what .NET ships comes from .NET'
        }
        ($assemblies | Where-Object Name -eq 'InboxPS').Context | Should -Be 'Default' -Because 'PowerShell must see the cmdlets'
    }
}

AfterAll {
    Stop-TestSimulator $sim
}

Describe 'Dependency isolation on PowerShell 7' {
    It 'keeps only what PowerShell must see at the module root and everything else in dependencies/' {
        @(Get-ChildItem $moduleRoot -File -Filter '*.dll' | ForEach-Object Name | Sort-Object) |
            Should -Be @('InboxPS.dll', 'InboxPS.LoadContext.dll', 'InboxPS.Loader.dll')
        foreach ($file in 'InboxPS.Core.dll', 'Microsoft.Identity.Client.dll', 'Microsoft.Data.Sqlite.dll', 'SQLitePCLRaw.core.dll') {
            Join-Path $moduleRoot "dependencies/$file" | Should -Exist
        }
        (Import-PowerShellDataFile $ModuleManifest).NestedModules | Should -Be @('InboxPS.Loader.dll') -Because 'the loader must run before PowerShell reads InboxPS.dll'
    }

    It 'keeps the IL for every platform and Windows PowerShell 5.1, and loads the ahead-of-time compiled copies built for this one' {
        # tools/ReadyToRun names the platforms compiled for; on the others the load context takes the IL as before.
        $project = [xml](Get-Content -Raw (Join-Path $RepoRoot 'tools/ReadyToRun/InboxPS.ReadyToRun.csproj'))
        $rid = Get-TestRuntimeIdentifier
        $compiledFolder = Join-Path $moduleRoot "dependencies/runtimes/$rid/lib"
        if (($project.Project.PropertyGroup.ReadyToRunPlatforms -split ';') -notcontains $rid) {
            Set-ItResult -Skipped -Because "the build compiles no ReadyToRun copies for $rid"
            return
        }
        function Test-ReadyToRun([string] $Path) {
            # A ReadyToRun image carries a managed native header beside its IL; a plain IL assembly has none.
            $stream = [System.IO.File]::OpenRead($Path)
            try { return ([System.Reflection.PortableExecutable.PEReader]::new($stream)).PEHeaders.CorHeader.ManagedNativeHeaderDirectory.Size -gt 0 }
            finally { $stream.Dispose() }
        }
        foreach ($file in 'InboxPS.Core.dll', 'Microsoft.Data.Sqlite.dll', 'SQLitePCLRaw.core.dll', 'Microsoft.Identity.Client.dll') {
            $il = Join-Path $moduleRoot "dependencies/$file"
            $compiled = Join-Path $compiledFolder $file
            Test-ReadyToRun $il | Should -BeFalse -Because "dependencies/$file is the IL every platform can load"
            Test-ReadyToRun $compiled | Should -BeTrue -Because "the $rid copy of $file is compiled ahead of time"
            [System.Reflection.AssemblyName]::GetAssemblyName($compiled).FullName | Should -Be ([System.Reflection.AssemblyName]::GetAssemblyName($il).FullName)
        }
        $run = Invoke-Session -Script @'
Import-Module $env:INBOXPS_TEST_MANIFEST
$null = Get-InboxOrganization
Show-Contexts
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        foreach ($name in 'InboxPS.Core', 'Microsoft.Data.Sqlite', 'SQLitePCLRaw.core', 'SQLitePCLRaw.provider.e_sqlite3') {
            $line = @($run.Output | Where-Object { $_ -like "assembly=$name *" })
            $line | Should -HaveCount 1
            $line[0] | Should -BeLike "* InboxPS $(Join-Path $compiledFolder "$name.dll")"
        }
    }

    It 'works when another MSAL was loaded BEFORE the import: both versions side by side, both sign in' {
        $run = Invoke-Session -Script @'
Add-OtherMsal
Use-OtherMsal 'other-before'
Import-Module $env:INBOXPS_TEST_MANIFEST
Sync-OneMailbox 'inboxps' 1
Use-OtherMsal 'other-after'
"resolved=$([Microsoft.Identity.Client.PublicClientApplication].Assembly.GetName().Version)"
Show-Contexts
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain 'other-before=4.90.0.0 token:True'
        $run.Output | Should -Contain 'inboxps=Synced items:True type:InboxPS.Core.Sync.MailboxSyncResult'
        $run.Output | Should -Contain 'other-after=4.90.0.0 token:True'
        $run.Output | Should -Contain 'resolved=4.90.0.0' -Because 'PowerShell itself resolves type names in the default context only'
        Assert-SideBySide $run.Output
    }

    It 'works when another MSAL is loaded AFTER the import: both versions side by side, both sign in' {
        $run = Invoke-Session -Script @'
Import-Module $env:INBOXPS_TEST_MANIFEST
Sync-OneMailbox 'inboxps-before' 1
Add-OtherMsal
Use-OtherMsal 'other'
Sync-OneMailbox 'inboxps-after' 2
Show-Contexts
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain 'inboxps-before=Synced items:True type:InboxPS.Core.Sync.MailboxSyncResult'
        $run.Output | Should -Contain 'other=4.90.0.0 token:True'
        $run.Output | Should -Contain 'inboxps-after=Synced items:True type:InboxPS.Core.Sync.MailboxSyncResult'
        Assert-SideBySide $run.Output
    }

    It 're-imports and removes cleanly, and output types, views and [OutputType] still work' {
        $run = Invoke-Session -Script @'
Import-Module $env:INBOXPS_TEST_MANIFEST
Import-Module $env:INBOXPS_TEST_MANIFEST -Force
$null = Set-InboxAccessType -Organization contoso -AccessType OAuthAppOnly -WarningAction SilentlyContinue
Remove-Module InboxPS
Import-Module $env:INBOXPS_TEST_MANIFEST
$org = Get-InboxOrganization contoso
"org=$($org.GetType().FullName) $($org.AccessType)"
"output=$((Get-Command Start-InboxSync).OutputType.Name)"
"parameter=$((Get-Command Set-InboxAccessType).Parameters['AccessType'].ParameterType.FullName)"
# The format file's table view, chosen by type name: the header line holds exactly its column labels.
"view=$((($org | Out-String -Width 200) -split "`n" | Where-Object { $_.Trim() } | Select-Object -First 1).Trim() -split '\s+' -join ',')"
"commands=$((Get-Command -Module InboxPS -CommandType Cmdlet).Count)"
'@
        $run.ExitCode | Should -Be 0 -Because ($run.Output -join "`n")
        $run.Output | Should -Contain 'org=InboxPS.Core.Organizations.OrganizationProfile OAuthAppOnly'
        $run.Output | Should -Contain 'output=InboxPS.Core.Sync.MailboxSyncResult'
        $run.Output | Should -Contain 'parameter=InboxPS.Core.Organizations.AccessType'
        $run.Output | Should -Contain 'view=Name,AccessType,Environment,ServiceAccount'
        $run.Output | Should -Contain "commands=$((Import-PowerShellDataFile $ModuleManifest).CmdletsToExport.Count)"
    }
}

