ALTER TABLE "inventory_keys" ADD COLUMN "primary_region" text;--> statement-breakpoint
CREATE INDEX "inventory_keys_target_key_idx" ON "inventory_keys" USING btree ("target_id","key_id");