// A generic OIDC provider signing with Ed25519 (EdDSA).
export default {
  providers: [
    {
      domain: process.env.OIDC_ISSUER,
      applicationID: "eddsa-app",
    },
  ],
};
