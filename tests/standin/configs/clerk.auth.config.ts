// Clerk, as in Convex's Clerk guide. CLERK_JWT_ISSUER_DOMAIN is set in the deployment's
// environment (per scenario: the right issuer, another instance's, or the JWKS URL by mistake).
export default {
  providers: [
    {
      domain: process.env.CLERK_JWT_ISSUER_DOMAIN,
      applicationID: "convex",
    },
  ],
};
