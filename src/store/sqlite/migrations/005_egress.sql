-- hookgate schema v5: egress proxies and mutual TLS (docs/api.md "Egress").

-- The egress proxy an endpoint's deliveries (and its OAuth2 token requests) go through: the name of a proxy declared
-- in delivery.proxies, 'default' (follow delivery.default_proxy, direct when none is set), or NULL (always direct).
-- Existing endpoints follow the default.
ALTER TABLE endpoints ADD COLUMN proxy TEXT DEFAULT 'default';
-- The endpoint's client certificate for mutual TLS: {client_cert, client_key, ca?} as JSON, encrypted under the
-- master key like auth_enc (AES-256-GCM, bound to "<endpoint id>:tls"). NULL: no client certificate.
ALTER TABLE endpoints ADD COLUMN tls_enc TEXT;
