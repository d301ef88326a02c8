// One access-log line per request: method, path (no query string: it may carry ids only, but never
// headers), status and duration. The Authorization header is never read here.
import type { Logger } from "../lib/logger.ts";

export function withAccessLog(handle: (request: Request) => Promise<Response>, logger: Logger) {
  return async (request: Request): Promise<Response> => {
    const started = performance.now();
    const response = await handle(request);
    const url = request.url;
    const pathStart = url.indexOf("/", url.indexOf("//") + 2);
    const queryStart = url.indexOf("?", pathStart);
    logger.info("request", {
      method: request.method,
      path: queryStart === -1 ? url.slice(pathStart) : url.slice(pathStart, queryStart),
      status: response.status,
      duration_ms: Math.round((performance.now() - started) * 100) / 100,
    });
    return response;
  };
}
