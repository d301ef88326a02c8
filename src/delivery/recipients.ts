// Who receives a publish: the tenant's enabled endpoints subscribed to its type (narrowed by endpoint_ids), and the
// endpoint an ad-hoc target is signed like; every problem of the command is reported at once.
import type { Endpoint } from "../endpoints/endpoint.ts";
import type { EndpointRegistry } from "../endpoints/registry.ts";
import { urlProblem } from "../endpoints/rules.ts";
import { type FieldProblem, ValidationError } from "../lib/errors.ts";
import type { PublishCommand } from "./publish.ts";

/**
 * The endpoints an event goes to, and the endpoint its ad-hoc target is sent like; throws with every problem
 * of the command (`problems` come in from the catalog).
 */
export function recipientsOf(
  registry: Pick<EndpointRegistry, "rules" | "get" | "match">,
  cmd: PublishCommand,
  problems: FieldProblem[],
): { endpoints: Endpoint[]; like: Endpoint | null } {
  let like: Endpoint | null = null;
  if (cmd.target !== undefined) {
    const { url, likeEndpointId, field } = cmd.target;
    const why = urlProblem(url, registry.rules);
    if (why) problems.push({ field: field === "target" ? "target.url" : field, message: why });
    if (likeEndpointId !== undefined) {
      const e = registry.get(likeEndpointId);
      const name = "target.like_endpoint_id";
      if (!e || e.tenant_id !== cmd.tenantId)
        problems.push({ field: name, message: `no endpoint ${likeEndpointId} in tenant ${cmd.tenantId}` });
      else if (e.draining_since !== null)
        problems.push({ field: name, message: `endpoint ${likeEndpointId} is draining (being deleted)` });
      else like = e;
    }
  }
  let endpoints = registry.match(cmd.tenantId, cmd.type);
  if (cmd.endpointIds !== undefined) {
    const wanted = new Set(cmd.endpointIds);
    cmd.endpointIds.forEach((id, i) => {
      const e = registry.get(id);
      if (!e || e.tenant_id !== cmd.tenantId)
        problems.push({ field: `endpoint_ids[${i}]`, message: `no endpoint ${id} in tenant ${cmd.tenantId}` });
    });
    endpoints = endpoints.filter((e) => wanted.has(e.id));
  }
  if (problems.length > 0) throw ValidationError.of(problems);
  return { endpoints, like };
}
