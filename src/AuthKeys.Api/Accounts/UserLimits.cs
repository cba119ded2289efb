namespace AuthKeys.Api.Accounts;

public static class UserLimits
{
    public const int EmailMaxLength = 254;
    public const int NameMaxLength = 100;
    public const int PasswordMinLength = 8;
    public const int PasswordMaxLength = 128;
}
