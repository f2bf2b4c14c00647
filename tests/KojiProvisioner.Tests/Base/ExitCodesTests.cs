using KojiProvisioner.Content;
using KojiProvisioner.Koji;
using KojiProvisioner.Pki;

namespace KojiProvisioner.Tests.Base;

/// <summary>Every error koji-farm raises on purpose maps to one exit code, in one place.</summary>
public sealed class ExitCodesTests
{
    public static TheoryData<Exception, ExitCode> Errors => new()
    {
        { new InputException("stack.yaml: name: required"), ExitCode.BadInput },
        { new ContentException("content.yaml:3: tag f40: unknown parent"), ExitCode.BadInput },
        { new FarmException("no Docker engine answered"), ExitCode.Failed },
        { new PkiException("pki/ca.key does not match pki/ca.crt", "pki/ca.key"), ExitCode.Failed },
        { new KojiFaultException(1000, "koji.GenericError: no such tag", "getTag"), ExitCode.Failed },
        { new XmlRpcFormatException("expected a list from the hub"), ExitCode.Failed },
        { new ContentApplyException("content apply stopped after 3 writes", [], 3), ExitCode.Failed },
        { new OperationCanceledException(), ExitCode.Interrupted },
    };

    [Theory]
    [MemberData(nameof(Errors))]
    public void Each_error_kind_is_shown_as_one_line_with_its_exit_code(Exception error, ExitCode expected)
    {
        Assert.True(ExitCodes.IsExpected(error), $"{error.GetType().Name} would print a stack trace");
        Assert.Equal(expected, ExitCodes.Of(error));
    }

    [Fact]
    public void A_bug_is_not_an_expected_error_and_fails()
    {
        Assert.False(ExitCodes.IsExpected(new NullReferenceException()));
        Assert.Equal(1, ExitCodes.Process(ExitCodes.Of(new NullReferenceException())));
        Assert.Equal(130, ExitCodes.Process(ExitCode.Interrupted));
    }
}
