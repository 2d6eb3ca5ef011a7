using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;
using DockerVm.Engine;

namespace DockerVm.Commands
{
    /// <summary>
    /// Tab completion of New-DockerVm -Image: the images present on the engine (-Context honoured),
    /// as `repository:tag`. A word matches an image by its start or by the start of its last path
    /// segment (`busy` finds `dockervm/busybox:latest`). The engine is asked through the transport
    /// (<see cref="IImageCatalog"/>: every transport offers it) for at most <see cref="Budget"/>, and a slow, dead or missing engine completes nothing.
    /// </summary>
    public sealed class ImageCompleter : IArgumentCompleter
    {
        /// <summary>How long completion may wait for the engine.</summary>
        public static TimeSpan Budget { get; set; } = TimeSpan.FromSeconds(3);

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var images = ListImages(Completion.BoundContext(fakeBoundParameters));
            var matches = Completion.StartsWith(wordToComplete);
            var byStart = images.Where(matches).ToList();
            var bySegment = images.Where(i => !matches(i) && matches(LastSegment(i)));
            return byStart.Concat(bySegment)
                .Select(i => new CompletionResult(Completion.Quote(i), i, CompletionResultType.ParameterValue, i))
                .ToList();
        }

        /// <summary>The images on the engine of <paramref name="context"/>, sorted; empty when the engine does not answer within the budget.</summary>
        public static IReadOnlyList<string> ListImages(string? context) =>
            Completion.Bounded(async ct =>
            {
                var engine = VmRegistry.Engine(context);
                var images = engine is IImageCatalog catalog
                    ? await catalog.ListImagesAsync(ct).ConfigureAwait(false)
                    : Array.Empty<string>();
                return (IReadOnlyList<string>)images
                    .Where(i => !string.IsNullOrWhiteSpace(i) && !i.Contains("<none>"))
                    .Distinct(StringComparer.Ordinal)
                    .OrderBy(i => i, StringComparer.OrdinalIgnoreCase)
                    .ToList();
            }, Budget, Array.Empty<string>());

        private static string LastSegment(string image)
        {
            var slash = image.LastIndexOf('/');
            return slash < 0 ? image : image.Substring(slash + 1);
        }
    }
}
