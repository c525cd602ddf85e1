CREATE TYPE "public"."approval_decision" AS ENUM('approve', 'reject');--> statement-breakpoint
CREATE TYPE "public"."audit_actor_kind" AS ENUM('user', 'system');--> statement-breakpoint
CREATE TYPE "public"."import_request_kind" AS ENUM('import', 'delete_material', 'rotate');--> statement-breakpoint
CREATE TYPE "public"."import_request_state" AS ENUM('draft', 'parameters_issued', 'awaiting_approval', 'importing', 'imported', 'failed', 'rejected', 'expired', 'cancelled');--> statement-breakpoint
CREATE TYPE "public"."inventory_refresh_status" AS ENUM('idle', 'running', 'succeeded', 'failed');--> statement-breakpoint
CREATE TABLE "approvals" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"wrapped_blob_id" uuid,
	"approver_subject" text NOT NULL,
	"approver_name" text,
	"decision" "approval_decision" NOT NULL,
	"comment" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"action" text NOT NULL,
	"actor_kind" "audit_actor_kind" NOT NULL,
	"actor_subject" text NOT NULL,
	"actor_name" text,
	"actor_roles" text[] NOT NULL,
	"target_id" text,
	"region" text,
	"key_arn" text,
	"request_id" text,
	"kms_request_id" text,
	"details" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "audit_events_seq_positive_ck" CHECK ("audit_events"."seq" >= 1),
	CONSTRAINT "audit_events_hash_format_ck" CHECK ("audit_events"."hash" ~ '^[0-9a-f]{64}$' AND "audit_events"."prev_hash" ~ '^[0-9a-f]{64}$')
);
--> statement-breakpoint
CREATE TABLE "import_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "import_request_kind" NOT NULL,
	"target_id" text NOT NULL,
	"region" text NOT NULL,
	"key_arn" text NOT NULL,
	"key_id" text NOT NULL,
	"key_spec" text NOT NULL,
	"state" "import_request_state" DEFAULT 'draft' NOT NULL,
	"wrapping_algorithm" text,
	"wrapping_key_spec" text,
	"import_type" text,
	"expiration_model" text,
	"valid_to" timestamp with time zone,
	"justification" text NOT NULL,
	"requested_by_subject" text NOT NULL,
	"requested_by_name" text,
	"requested_by_email" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"closed_at" timestamp with time zone,
	"key_material_id" text,
	"kms_request_id" text,
	"last_error_code" text,
	"last_error_message" text,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inventory_keys" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"target_id" text NOT NULL,
	"region" text NOT NULL,
	"key_id" text NOT NULL,
	"arn" text NOT NULL,
	"account_id" text NOT NULL,
	"origin" text,
	"key_spec" text,
	"key_usage" text,
	"key_state" text,
	"enabled" boolean,
	"key_manager" text,
	"description" text,
	"creation_date" timestamp with time zone,
	"valid_to" timestamp with time zone,
	"expiration_model" text,
	"current_key_material_id" text,
	"multi_region" boolean,
	"deletion_date" timestamp with time zone,
	"aliases" text[] DEFAULT '{}'::text[] NOT NULL,
	"last_described_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inventory_refreshes" (
	"target_id" text NOT NULL,
	"region" text NOT NULL,
	"status" "inventory_refresh_status" DEFAULT 'idle' NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"error_code" text,
	"error_message" text,
	"keys_listed" integer DEFAULT 0 NOT NULL,
	"keys_to_describe" integer DEFAULT 0 NOT NULL,
	"keys_described" integer DEFAULT 0 NOT NULL,
	"external_keys" integer DEFAULT 0 NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "inventory_refreshes_pk" PRIMARY KEY("target_id","region")
);
--> statement-breakpoint
CREATE TABLE "parameter_sets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"wrapping_algorithm" text NOT NULL,
	"wrapping_key_spec" text NOT NULL,
	"public_key" "bytea" NOT NULL,
	"public_key_sha256" text NOT NULL,
	"import_token_ciphertext" "bytea" NOT NULL,
	"import_token_sha256" text NOT NULL,
	"parameters_valid_to" timestamp with time zone NOT NULL,
	"kms_request_id" text,
	"issued_by_subject" text NOT NULL,
	"issued_by_name" text,
	"issued_at" timestamp with time zone NOT NULL,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "wrapped_blobs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"request_id" uuid NOT NULL,
	"parameter_set_id" uuid NOT NULL,
	"ciphertext" "bytea" NOT NULL,
	"sha256" text NOT NULL,
	"size" integer NOT NULL,
	"uploaded_by_subject" text NOT NULL,
	"uploaded_by_name" text,
	"uploaded_at" timestamp with time zone NOT NULL,
	"superseded_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_request_id_import_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."import_requests"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "approvals" ADD CONSTRAINT "approvals_wrapped_blob_id_wrapped_blobs_id_fk" FOREIGN KEY ("wrapped_blob_id") REFERENCES "public"."wrapped_blobs"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "parameter_sets" ADD CONSTRAINT "parameter_sets_request_id_import_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."import_requests"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wrapped_blobs" ADD CONSTRAINT "wrapped_blobs_request_id_import_requests_id_fk" FOREIGN KEY ("request_id") REFERENCES "public"."import_requests"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "wrapped_blobs" ADD CONSTRAINT "wrapped_blobs_parameter_set_id_parameter_sets_id_fk" FOREIGN KEY ("parameter_set_id") REFERENCES "public"."parameter_sets"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "approvals_request_approver_blob_uq" ON "approvals" USING btree ("request_id","approver_subject",COALESCE("wrapped_blob_id", '00000000-0000-0000-0000-000000000000'::uuid));--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_id_uq" ON "audit_events" USING btree ("id");--> statement-breakpoint
CREATE UNIQUE INDEX "audit_events_hash_uq" ON "audit_events" USING btree ("hash");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE INDEX "audit_events_action_seq_idx" ON "audit_events" USING btree ("action","seq");--> statement-breakpoint
CREATE INDEX "audit_events_request_seq_idx" ON "audit_events" USING btree ("request_id","seq");--> statement-breakpoint
CREATE INDEX "audit_events_key_arn_seq_idx" ON "audit_events" USING btree ("key_arn","seq");--> statement-breakpoint
CREATE INDEX "audit_events_target_region_seq_idx" ON "audit_events" USING btree ("target_id","region","seq");--> statement-breakpoint
CREATE INDEX "audit_events_actor_seq_idx" ON "audit_events" USING btree ("actor_subject","seq");--> statement-breakpoint
CREATE INDEX "import_requests_state_updated_idx" ON "import_requests" USING btree ("state","updated_at");--> statement-breakpoint
CREATE INDEX "import_requests_key_idx" ON "import_requests" USING btree ("target_id","region","key_id");--> statement-breakpoint
CREATE INDEX "import_requests_key_arn_idx" ON "import_requests" USING btree ("key_arn");--> statement-breakpoint
CREATE INDEX "import_requests_requested_by_idx" ON "import_requests" USING btree ("requested_by_subject","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "inventory_keys_target_region_key_uq" ON "inventory_keys" USING btree ("target_id","region","key_id");--> statement-breakpoint
CREATE INDEX "inventory_keys_target_region_state_idx" ON "inventory_keys" USING btree ("target_id","region","key_state");--> statement-breakpoint
CREATE INDEX "inventory_keys_origin_state_idx" ON "inventory_keys" USING btree ("origin","key_state");--> statement-breakpoint
CREATE INDEX "inventory_keys_valid_to_idx" ON "inventory_keys" USING btree ("valid_to");--> statement-breakpoint
CREATE INDEX "inventory_keys_arn_idx" ON "inventory_keys" USING btree ("arn");--> statement-breakpoint
CREATE INDEX "parameter_sets_request_idx" ON "parameter_sets" USING btree ("request_id","issued_at");--> statement-breakpoint
CREATE UNIQUE INDEX "parameter_sets_one_current_per_request_uq" ON "parameter_sets" USING btree ("request_id") WHERE "parameter_sets"."superseded_at" IS NULL;--> statement-breakpoint
CREATE INDEX "parameter_sets_valid_to_idx" ON "parameter_sets" USING btree ("parameters_valid_to");--> statement-breakpoint
CREATE INDEX "wrapped_blobs_request_idx" ON "wrapped_blobs" USING btree ("request_id","uploaded_at");--> statement-breakpoint
CREATE UNIQUE INDEX "wrapped_blobs_one_current_per_request_uq" ON "wrapped_blobs" USING btree ("request_id") WHERE "wrapped_blobs"."superseded_at" IS NULL;