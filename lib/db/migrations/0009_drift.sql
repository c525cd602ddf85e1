CREATE TABLE "drift_findings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"target_id" text NOT NULL,
	"region" text NOT NULL,
	"key_id" text NOT NULL,
	"key_arn" text NOT NULL,
	"kind" text NOT NULL,
	"fingerprint" text NOT NULL,
	"key_material_id" text,
	"details" jsonb NOT NULL,
	"found_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by_subject" text,
	"acknowledged_by_name" text,
	"acknowledgement_comment" text
);
--> statement-breakpoint
CREATE TABLE "drift_watch" (
	"target_id" text NOT NULL,
	"region" text NOT NULL,
	"key_id" text NOT NULL,
	"baseline" jsonb NOT NULL,
	"last_state" text NOT NULL,
	"observed_at" timestamp with time zone NOT NULL,
	"established_at" timestamp with time zone NOT NULL,
	CONSTRAINT "drift_watch_target_id_region_key_id_pk" PRIMARY KEY("target_id","region","key_id")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "drift_findings_key_kind_fingerprint_uq" ON "drift_findings" USING btree ("target_id","region","key_id","kind","fingerprint");--> statement-breakpoint
CREATE INDEX "drift_findings_open_idx" ON "drift_findings" USING btree ("acknowledged_at","found_at");--> statement-breakpoint
CREATE INDEX "drift_findings_key_idx" ON "drift_findings" USING btree ("target_id","region","key_id","found_at");