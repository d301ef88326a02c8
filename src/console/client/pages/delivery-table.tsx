// A table of deliveries, optionally with a checkbox per row for replaying a selection.
import type { Delivery } from "../api.ts";
import { Badge, fmtTime } from "../ui.tsx";

export function DeliveryTable({
  deliveries,
  caption,
  selected,
  onToggle,
  showEndpoint = true,
}: {
  deliveries: Delivery[];
  caption: string;
  selected?: Set<string>;
  onToggle?: (id: string) => void;
  showEndpoint?: boolean;
}) {
  if (deliveries.length === 0) return <p class="muted">No deliveries.</p>;
  return (
    <table>
      <caption class="sr-only">{caption}</caption>
      <thead>
        <tr>
          {selected && (
            <th scope="col">
              <span class="sr-only">Select</span>
            </th>
          )}
          <th scope="col">Delivery</th>
          <th scope="col">Event type</th>
          {showEndpoint && <th scope="col">Endpoint</th>}
          <th scope="col">Status</th>
          <th scope="col">Attempts</th>
          <th scope="col">HTTP</th>
          <th scope="col">Last error</th>
          <th scope="col">Created</th>
        </tr>
      </thead>
      <tbody>
        {deliveries.map((d) => (
          <tr key={d.id}>
            {selected && (
              <td>
                <input
                  type="checkbox"
                  aria-label={`Select delivery ${d.id}`}
                  checked={selected.has(d.id)}
                  onChange={() => onToggle?.(d.id)}
                />
              </td>
            )}
            <td>
              <a href={`#/deliveries/${encodeURIComponent(d.id)}`}>{d.id}</a>
            </td>
            <td>{d.event_type}</td>
            {showEndpoint && (
              <td>
                {d.endpoint_id ? (
                  <a href={`#/endpoints/${encodeURIComponent(d.endpoint_id)}`}>{d.endpoint_id}</a>
                ) : (
                  (d.target_url ?? "—")
                )}
              </td>
            )}
            <td>
              <Badge value={d.status} />
            </td>
            <td>{d.attempts}</td>
            <td>{d.http_status ?? "—"}</td>
            <td class="error-cell">{d.last_error ?? ""}</td>
            <td>{fmtTime(d.created_at)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
