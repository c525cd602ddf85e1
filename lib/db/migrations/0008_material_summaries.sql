CREATE TABLE "inventory_material_summaries" (
	"target_id" text NOT NULL,
	"region" text NOT NULL,
	"key_id" text NOT NULL,
	"key_material_id" text NOT NULL,
	"current_since" timestamp with time zone,
	"on_demand_rotations" integer NOT NULL,
	"read_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "inventory_material_summaries_key_uq" ON "inventory_material_summaries" USING btree ("target_id","region","key_id");