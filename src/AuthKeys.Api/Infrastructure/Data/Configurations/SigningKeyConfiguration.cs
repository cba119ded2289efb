using AuthKeys.Api.Tokens;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AuthKeys.Api.Infrastructure.Data.Configurations;

internal sealed class SigningKeyConfiguration : IEntityTypeConfiguration<SigningKey>
{
    public void Configure(EntityTypeBuilder<SigningKey> builder)
    {
        builder.Property(k => k.Kid).HasMaxLength(SigningKey.KidMaxLength);
        builder.HasIndex(k => k.Kid).IsUnique();
        builder.Property(k => k.Algorithm).HasMaxLength(8);
    }
}
