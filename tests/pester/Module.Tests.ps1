BeforeDiscovery {
    # The platforms the build claims, defined once (tools/InboxBuild.psm1).
    Import-Module (Join-Path $env:INBOXPS_TEST_REPO 'tools/InboxBuild.psm1')
    $platforms = @(Get-InboxPlatform | ForEach-Object { @{ Rid = $_ } })
}

BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $manifest = Import-PowerShellDataFile $ModuleManifest
}

Describe 'The built InboxPS module' {
    It 'exports exactly the cmdlets its manifest lists' {
        # Cmdlets only: Stop-InboxSync, Disable-InboxSync's former name, is an exported alias.
        $exported = @(Get-Command -Module InboxPS -CommandType Cmdlet | Select-Object -ExpandProperty Name | Sort-Object)
        $exported | Should -Be @($manifest.CmdletsToExport | Sort-Object)
    }

    It 'exports every cmdlet class the assembly defines, and no wildcard' {
        $manifest.CmdletsToExport | Should -Not -Contain '*'
        $assembly = (Get-Module InboxPS).ImplementingAssembly
        $defined = @($assembly.GetExportedTypes() |
            Where-Object { $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) } |
            ForEach-Object { $a = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($a.VerbName)-$($a.NounName)" } |
            Sort-Object)
        $defined | Should -Be @($manifest.CmdletsToExport | Sort-Object)
    }

    It 'uses only approved verbs' {
        $approved = Get-Verb | Select-Object -ExpandProperty Verb
        foreach ($command in Get-Command -Module InboxPS -CommandType Cmdlet) {
            $approved | Should -Contain $command.Verb -Because "$($command.Name) must use an approved verb"
        }
    }

    It 'ships the native SQLite library for <Rid>, a platform it claims' -TestCases $platforms {
        # Under dependencies/, beside InboxPS.Core.dll (README "Isolation").
        Get-ChildItem (Join-Path (Split-Path $ModuleManifest) "dependencies/runtimes/$Rid/native") -File | Should -Not -BeNullOrEmpty
    }

    It 'declares both editions and PowerShell 5.1' {
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $manifest.PowerShellVersion | Should -Be '5.1'
    }
}
