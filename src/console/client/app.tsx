// The shell: sign-in, navigation by what the key may do, and the page of the current route.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, can, type Me, setUnauthorizedHandler } from "./api.ts";
import { useRoute } from "./hooks.ts";
import { ApiKeysPage } from "./pages/api-keys.tsx";
import { DeliveriesPage } from "./pages/deliveries.tsx";
import { DeliveryPage } from "./pages/delivery-detail.tsx";
import { EndpointPage } from "./pages/endpoint-detail.tsx";
import { EndpointsPage } from "./pages/endpoints.tsx";
import { EventPage } from "./pages/event-detail.tsx";
import { EventTypesPage } from "./pages/event-types.tsx";
import { EventsPage } from "./pages/events.tsx";
import { OverviewPage } from "./pages/overview.tsx";
import { SignIn } from "./pages/sign-in.tsx";
import { clearKey, endSession, getKey, mode, sessionEnded } from "./session.ts";
import { ErrorNote, Loading } from "./ui.tsx";

interface NavItem {
  path: string;
  label: string;
  allowed: (me: Me) => boolean;
}

const NAV: NavItem[] = [
  { path: "", label: "Overview", allowed: (me) => can(me, "deliveries:read") },
  { path: "endpoints", label: "Endpoints", allowed: (me) => can(me, "endpoints:read") },
  { path: "deliveries", label: "Deliveries", allowed: (me) => can(me, "deliveries:read") },
  { path: "events", label: "Events", allowed: (me) => can(me, "events:read") },
  { path: "event-types", label: "Event types", allowed: () => mode === "console" },
  { path: "api-keys", label: "API keys", allowed: (me) => mode === "console" && can(me, "admin") },
];

function Page({ me, route }: { me: Me; route: string[] }) {
  const [section = "", id] = route;
  const item = NAV.find((n) => n.path === section);
  if (!item) return <p>There is no page here. Pick one from the menu.</p>;
  if (!item.allowed(me)) return <p>This key may not see {item.label.toLowerCase()}.</p>;
  switch (section) {
    case "":
      return <OverviewPage me={me} />;
    case "endpoints":
      return id ? <EndpointPage me={me} id={id} /> : <EndpointsPage me={me} />;
    case "deliveries":
      return id ? <DeliveryPage me={me} id={id} /> : <DeliveriesPage me={me} />;
    case "events":
      return id ? <EventPage me={me} id={id} /> : <EventsPage me={me} />;
    case "event-types":
      return <EventTypesPage me={me} />;
    default:
      return <ApiKeysPage />;
  }
}

export function App() {
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(getKey() !== null);
  const [ended, setEnded] = useState<ApiError | null>(() =>
    sessionEnded() ? new ApiError(401, "unauthorized", "This session has ended.") : null,
  );
  const route = useRoute();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    setUnauthorizedHandler((error) => {
      endSession();
      setMe(null);
      setEnded(error);
    });
    if (getKey() === null) return;
    api<{ data: Me }>("GET", "/v1/me").then(
      (r) => {
        setMe(r.data);
        setChecking(false);
      },
      (e: ApiError) => {
        if (e.status === 401) endSession();
        setEnded(e);
        setChecking(false);
      },
    );
  }, []);

  useEffect(() => {
    const label = NAV.find((n) => n.path === (route[0] ?? ""))?.label ?? "hookgate";
    document.title = `${label} · hookgate ${mode === "portal" ? "webhooks" : "console"}`;
  }, [route[0]]);

  if (checking) return <Loading what="your session" />;
  if (!me)
    return (
      <SignIn
        ended={ended}
        onSignedIn={(m) => {
          setEnded(null);
          setMe(m);
        }}
      />
    );

  const signOut = () => {
    clearKey();
    setMe(null);
    setEnded(null);
  };
  const current = route[0] ?? "";
  return (
    <div class="shell">
      <button type="button" class="skip" onClick={() => main.current?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <span class="brand">hookgate {mode === "portal" ? "webhooks" : "console"}</span>
        <span class="who">
          {mode === "portal" ? `Tenant ${me.tenant_id}` : me.name}
          {mode === "console" && me.tenant_id !== null && <> · tenant {me.tenant_id}</>}
          {me.scopes.includes("admin") && <> · admin</>}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <nav class="side" aria-label="Main">
        <ul>
          {NAV.filter((n) => n.allowed(me)).map((n) => (
            <li key={n.path}>
              <a href={`#/${n.path}`} aria-current={current === n.path ? "page" : undefined}>
                {n.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main ref={main} tabIndex={-1} id="main">
        <ErrorNote error={ended} />
        <Page me={me} route={route} />
      </main>
    </div>
  );
}
