// Convex Auth's tokens configured as a custom JWT provider: they carry no `kid`, which the
// custom JWT path requires.
export default {
  providers: [
    {
      type: "customJwt",
      issuer: process.env.CONVEX_SITE_URL,
      jwks: process.env.CONVEX_SITE_URL + "/.well-known/jwks.json",
      algorithm: "RS256",
      applicationID: "convex",
    },
  ],
};
