// No providers: what a deployment without auth.config.ts (or with an unpushed one) has.
export default {
  providers: [],
};
