// Better Auth through @convex-dev/better-auth, as its guide writes it: the library's helper returns
// the custom JWT provider (issuer CONVEX_SITE_URL, applicationID "convex", RS256, JWKS at
// `${CONVEX_SITE_URL}/api/auth/convex/jwks`). The stand-in bundles and runs the real helper.
import { getAuthConfigProvider } from "@convex-dev/better-auth/auth-config";
import type { AuthConfig } from "convex/server";

export default {
  providers: [getAuthConfigProvider()],
} satisfies AuthConfig;
