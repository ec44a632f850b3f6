// A custom JWT provider (ES256).
export default {
  providers: [
    {
      type: "customJwt",
      issuer: process.env.CUSTOM_ISSUER,
      jwks: process.env.CUSTOM_ISSUER + "/.well-known/jwks.json",
      algorithm: "ES256",
      applicationID: "my-app",
    },
  ],
};
