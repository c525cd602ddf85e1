import { defineConfig } from "drizzle-kit";

// drizzle-kit only reads the schema to generate SQL (`npm run db:generate`); it never connects.
// The app applies the generated migrations itself at start-up (lib/db/client.ts), under an advisory lock.
export default defineConfig({
  dialect: "postgresql",
  schema: "./lib/db/schema.ts",
  out: "./lib/db/migrations",
  strict: true,
  verbose: true,
});
