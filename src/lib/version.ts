// The version reported by `hookgate version`, /docs and the user-agent of outgoing webhooks.
import pkg from "../../package.json" with { type: "json" };

export const VERSION: string = pkg.version;
