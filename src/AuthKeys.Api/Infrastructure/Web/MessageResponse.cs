namespace AuthKeys.Api.Infrastructure.Web;

// What happened, in a sentence: the answer of an action that returns nothing else.
public sealed record MessageResponse(string Message);
