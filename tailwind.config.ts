import type { Config } from "tailwindcss";

/**
 * Keyport's design tokens, defined once. A neutral palette (`ink`), one accent
 * (`accent`), the state colours every badge, row highlight and countdown
 * uses — components pick them through `components/ui/tone.ts`, never by
 * repeating class strings — and the alert colours of messages, picked through
 * `components/ui/alert.tsx`.
 */
const config: Config = {
  content: ["./app/**/*.{ts,tsx}", "./components/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        ink: {
          50: "#f7f8fa",
          100: "#eef0f4",
          200: "#dde1e8",
          300: "#c3c9d4",
          400: "#8f98a8",
          500: "#667085",
          600: "#4b5466",
          700: "#363d4c",
          800: "#232834",
          900: "#161a22",
          950: "#0d1016",
        },
        accent: {
          50: "#eef4ff",
          100: "#dbe7ff",
          200: "#bcd2ff",
          500: "#3b6fe0",
          600: "#2b58c4",
          700: "#23479e",
          800: "#1f3c80",
        },
        state: {
          // Key states as KMS names them, and the two time-based states of key material and tokens.
          "pending-import": { bg: "#eef2ff", fg: "#3730a3", ring: "#c7d2fe", dot: "#6366f1" },
          enabled: { bg: "#ecfdf3", fg: "#05603a", ring: "#abefc6", dot: "#12b76a" },
          disabled: { bg: "#f2f4f7", fg: "#344054", ring: "#d0d5dd", dot: "#98a2b3" },
          "pending-deletion": { bg: "#fef3f2", fg: "#912018", ring: "#fecdca", dot: "#f04438" },
          expiring: { bg: "#fffaeb", fg: "#93370d", ring: "#fedf89", dot: "#f79009" },
          expired: { bg: "#fef3f2", fg: "#b42318", ring: "#fda29b", dot: "#d92d20" },
        },
        alert: {
          // Messages to the person (components/ui/alert.tsx), and the danger of a destructive button: what
          // happened or what to do, never the state of a key or request, so they are not the state colours.
          info: { bg: "#f0f6ff", fg: "#1a4597", ring: "#b9d0fb", icon: "#2f67d8" },
          success: { bg: "#f2fbf5", fg: "#0a5536", ring: "#a8e0bf", icon: "#0e9458" },
          warning: { bg: "#fffaf0", fg: "#7c2d0f", ring: "#f8d38a", icon: "#d96a06" },
          danger: { bg: "#fff4f3", fg: "#a3190f", ring: "#f6b1aa", icon: "#d42a1e" },
        },
      },
      fontFamily: {
        sans: ["ui-sans-serif", "system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"],
        mono: ["ui-monospace", "SFMono-Regular", "Menlo", "Consolas", "Liberation Mono", "monospace"],
      },
      borderRadius: { card: "0.75rem" },
      boxShadow: { card: "0 1px 2px rgba(16, 24, 40, 0.06), 0 1px 3px rgba(16, 24, 40, 0.08)" },
    },
  },
};

export default config;
