CREATE TYPE "public"."schedule_policy_scope" AS ENUM('target', 'key');--> statement-breakpoint
CREATE TABLE "leases" (
	"name" text PRIMARY KEY NOT NULL,
	"owner" text NOT NULL,
	"until" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "schedule_policies" (
	"id" text PRIMARY KEY NOT NULL,
	"scope" "schedule_policy_scope" NOT NULL,
	"target_id" text NOT NULL,
	"region" text,
	"key_id" text,
	"reimport_days_before" integer,
	"rotate_every_days" integer,
	"updated_at" timestamp with time zone NOT NULL,
	"updated_by_subject" text NOT NULL,
	"updated_by_name" text,
	CONSTRAINT "schedule_policies_some_part_ck" CHECK ("schedule_policies"."reimport_days_before" IS NOT NULL OR "schedule_policies"."rotate_every_days" IS NOT NULL)
);
--> statement-breakpoint
CREATE TABLE "schedule_rotations_due" (
	"target_id" text NOT NULL,
	"region" text NOT NULL,
	"key_id" text NOT NULL,
	"basis" text NOT NULL,
	"request_id" uuid NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	CONSTRAINT "schedule_rotations_due_pk" PRIMARY KEY("target_id","region","key_id","basis")
);
--> statement-breakpoint
CREATE INDEX "schedule_policies_target_idx" ON "schedule_policies" USING btree ("target_id");