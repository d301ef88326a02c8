-- hookgate PostgreSQL schema v5 (as SQLite v5): egress proxies and mutual TLS (docs/api.md "Egress").

-- The egress proxy: a name declared in delivery.proxies, 'default' (follow delivery.default_proxy), or NULL (direct).
ALTER TABLE endpoints ADD COLUMN proxy text DEFAULT 'default';
-- The client certificate for mutual TLS, encrypted under the master key like auth_enc. NULL: none.
ALTER TABLE endpoints ADD COLUMN tls_enc text;
