param([string] $SourcePath, [string] $OutputPath)
# placeholder until the generator lands
