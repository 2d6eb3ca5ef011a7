namespace DockerVm.Commands
{
    /// <summary>
    /// Where each cmdlet's help lives online (the [Cmdlet] HelpUri, for Get-Help -Online): the
    /// markdown source of its help in the project repository. DockerVm.psd1's HelpInfoURI (for
    /// Update-Help) points at the same project.
    /// </summary>
    internal static class HelpLinks
    {
        public const string Base = "https://github.com/dockervm/DockerVm/blob/main/module/help/";
    }
}
