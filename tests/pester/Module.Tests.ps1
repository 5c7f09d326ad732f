BeforeAll {
    . (Join-Path $PSScriptRoot 'common.ps1')
    $env:INBOXPS_HOME = New-TestStoreHome
    Import-Module $ModuleManifest -Force
    $manifest = Import-PowerShellDataFile $ModuleManifest
}

AfterAll {
    Remove-Module InboxPS -ErrorAction SilentlyContinue
}

Describe 'The built InboxPS module' {
    It 'exports exactly the cmdlets its manifest lists' {
        $exported = @(Get-Command -Module InboxPS | Select-Object -ExpandProperty Name | Sort-Object)
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
        foreach ($command in Get-Command -Module InboxPS) {
            $approved | Should -Contain $command.Verb -Because "$($command.Name) must use an approved verb"
        }
    }

    It 'ships the native SQLite library for every platform it claims' {
        $moduleRoot = Split-Path $ModuleManifest
        foreach ($rid in 'linux-x64', 'linux-arm64', 'osx-x64', 'osx-arm64', 'win-x64', 'win-arm64') {
            # Under dependencies/, beside InboxPS.Core.dll (README "Isolation").
            Get-ChildItem (Join-Path $moduleRoot "dependencies/runtimes/$rid/native") -File | Should -Not -BeNullOrEmpty -Because "$rid is claimed"
        }
    }

    It 'declares both editions and PowerShell 5.1' {
        $manifest.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $manifest.PowerShellVersion | Should -Be '5.1'
    }
}
