// WorkOS AuthKit, as in Convex's AuthKit guide: a custom JWT provider without applicationID,
// because AuthKit access tokens carry no `aud`.
export default {
  providers: [
    {
      type: "customJwt",
      issuer: process.env.WORKOS_ISSUER,
      algorithm: "RS256",
      jwks: process.env.WORKOS_ISSUER + "/.well-known/jwks.json",
    },
  ],
};
