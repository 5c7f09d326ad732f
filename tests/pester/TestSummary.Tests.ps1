BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../../tools/InboxTest.psm1') -Force

    # A .trx as dotnet test writes it: one passed and one failed result.
    function New-Trx([string] $Directory, [string] $Message, [string] $StackTrace) {
        $escaped = [Security.SecurityElement]::Escape($Message)
        $frames = [Security.SecurityElement]::Escape($StackTrace)
        $trx = @"
<?xml version="1.0" encoding="utf-8"?>
<TestRun xmlns="http://microsoft.com/schemas/VisualStudio/TeamTest/2010">
  <Results>
    <UnitTestResult testName="Tests.Passing" outcome="Passed" />
    <UnitTestResult testName="Tests.Failing" outcome="Failed">
      <Output><ErrorInfo><Message>$escaped</Message><StackTrace>$frames</StackTrace></ErrorInfo></Output>
    </UnitTestResult>
  </Results>
  <ResultSummary outcome="Failed"><Counters total="2" executed="2" passed="1" failed="1" /></ResultSummary>
</TestRun>
"@
        Set-Content -LiteralPath (Join-Path $Directory 'run.trx') -Value $trx
    }
}

Describe 'Read-TrxFailure' {
    BeforeEach { $dir = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "trx-$([guid]::NewGuid())") }
    AfterEach { Remove-Item -Recurse -Force $dir }

    It 'names a failed test with the values its assertion saw and where it failed, on one line' {
        New-Trx $dir "Assert.InRange() Failure: Value not in range`nRange:  (7000 - 9500)`nActual: 10004`n`nmore" `
            "   at Tests.Failing() in /src/Tests.cs:line 61`n   at System.Runtime.Whatever()"

        $failures = @(Read-TrxFailure -Directory $dir)

        $failures | Should -HaveCount 1
        $failures[0] | Should -Be 'Tests.Failing: Assert.InRange() Failure: Value not in range | Range:  (7000 - 9500) | Actual: 10004 | more [at Tests.Failing() in /src/Tests.cs:line 61]'
    }

    It 'names nothing when every test passed' {
        @(Read-TrxFailure -Directory $dir) | Should -HaveCount 0
    }
}
