CREATE TABLE "schedule_facts" (
	"target_id" text NOT NULL,
	"region" text NOT NULL,
	"key_id" text NOT NULL,
	"policy_source" text NOT NULL,
	"reimport_due_at" timestamp with time zone,
	"reimport_days_before" integer,
	"rotation" text,
	"rotate_at" timestamp with time zone,
	"rotate_every_days" integer,
	CONSTRAINT "schedule_facts_pk" PRIMARY KEY("target_id","region","key_id")
);
--> statement-breakpoint
CREATE INDEX "schedule_facts_reimport_idx" ON "schedule_facts" USING btree ("reimport_due_at","target_id","region","key_id") WHERE "schedule_facts"."reimport_due_at" IS NOT NULL;