// Auth0, as in Convex's Auth0 guide: the domain is often pasted without a scheme.
export default {
  providers: [
    {
      domain: process.env.AUTH0_DOMAIN,
      applicationID: process.env.AUTH0_CLIENT_ID,
    },
  ],
};
