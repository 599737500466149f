using Microsoft.Extensions.Options;

namespace AgentQuotas.Hosting;

/// <summary>Checks the gate's options when the host starts, naming the <c>Gate</c> key of each bad value.</summary>
internal sealed class QuotaGateOptionsValidator : IValidateOptions<QuotaGateOptions>
{
    public ValidateOptionsResult Validate(string? name, QuotaGateOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        var errors = new List<string>(SettingsReader.ErrorsOf(options));
        if (errors.Count == 0)
        {
            try
            {
                options.Validate(); // the gate's own rules, so the two can never disagree
            }
            catch (ArgumentException e)
            {
                string key = SettingsReader.KeyPath(SettingsReader.PathOf(options, "AgentQuotas:Gate"), e.ParamName ?? "?");
                errors.Add($"{key}: {Describe(e)}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static string Describe(ArgumentException e)
    {
        string message = e.Message.ReplaceLineEndings(" ");
        string suffix = $" (Parameter '{e.ParamName}')";
        return message.Replace(suffix, string.Empty, StringComparison.Ordinal);
    }
}
