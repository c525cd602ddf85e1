ALTER TABLE "import_requests" ADD COLUMN "session_id" uuid;--> statement-breakpoint
CREATE INDEX "import_requests_session_idx" ON "import_requests" USING btree ("session_id");