// The egress settings (delivery.proxies, delivery.default_proxy) beyond what each key checks alone: proxy URLs that
// can be used, the reserved name, and a default that names a declared proxy. Messages never repeat a proxy URL
// (it may carry credentials).
import { DEFAULT_PROXY } from "../endpoints/spec.ts";
import type { Problem } from "./schema.ts";

/** An egress proxy URL: http(s)://[user:password@]host:port, nothing after the port. */
export function proxyUrlProblem(v: string): string | null {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return "must be a proxy URL such as http://proxy.internal:3128 (credentials as http://user:password@host:port)";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return "must be an http:// or https:// proxy URL";
  if (url.hostname === "") return "must name the proxy's host";
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || /[?#]/.test(v))
    return "must not have a path, query or fragment (http://host:port)";
  return null;
}

/** Problems of the proxies and default proxy taken together. */
export function egressProblems(delivery: { proxies: Record<string, string>; default_proxy: string }): Problem[] {
  const problems: Problem[] = [];
  if (Object.hasOwn(delivery.proxies, DEFAULT_PROXY))
    problems.push({
      path: `delivery.proxies.${DEFAULT_PROXY}`,
      message: `"${DEFAULT_PROXY}" is reserved (an endpoint's proxy: ${DEFAULT_PROXY} follows delivery.default_proxy); choose another name`,
    });
  const chosen = delivery.default_proxy;
  if (chosen !== "" && (!Object.hasOwn(delivery.proxies, chosen) || chosen === DEFAULT_PROXY)) {
    const names = Object.keys(delivery.proxies).filter((n) => n !== DEFAULT_PROXY);
    problems.push({
      path: "delivery.default_proxy",
      message:
        names.length === 0
          ? "names no proxy: declare it in delivery.proxies first"
          : `must be one of the proxies in delivery.proxies (${names.join(", ")}), or empty`,
    });
  }
  return problems;
}
