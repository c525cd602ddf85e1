-- The key list's search ("settlement", part of a key id or ARN, a word of the description) is a substring match.
-- At an estate's size a sequential ILIKE over four columns took a quarter of a second on the embedded database;
-- a trigram index over one lower-cased text answers it from the index. pg_trgm is a trusted extension shipped
-- with PostgreSQL (contrib), so the schema owner can create it, and PGlite loads it (lib/db/client.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
-- IMMUTABLE so an index can use it: array_to_string over text[] depends on nothing but its arguments.
CREATE OR REPLACE FUNCTION keyport_key_search_text(key_id text, arn text, description text, aliases text[]) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
  AS $$ SELECT lower(key_id || ' ' || coalesce(arn, '') || ' ' || coalesce(description, '') || ' ' || array_to_string(aliases, ' ')) $$;--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "inventory_keys_search_trgm_idx" ON "inventory_keys"
  USING gin (keyport_key_search_text("key_id", "arn", "description", "aliases") gin_trgm_ops)
  WHERE "origin" = 'EXTERNAL';
--> statement-breakpoint
-- The key list's default order (first alias, then key id): the first page is read from this index and stops
-- after fifty entries, instead of sorting every EXTERNAL key on each request.
CREATE INDEX IF NOT EXISTS "inventory_keys_alias_order_idx" ON "inventory_keys" (("aliases"[1]), "key_id") WHERE "origin" = 'EXTERNAL';
