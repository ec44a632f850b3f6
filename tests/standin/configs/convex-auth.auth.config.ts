// Convex Auth: the deployment is its own OIDC issuer (CONVEX_SITE_URL).
export default {
  providers: [
    {
      domain: process.env.CONVEX_SITE_URL,
      applicationID: "convex",
    },
  ],
};
